//! Who the commands are sent as: the role the authorization middleware checks.

use leptos::prelude::*;

use super::session::use_session;
use crate::domain::authorization::USERS;

#[component]
pub fn UserSwitcher() -> impl IntoView {
    let session = use_session();
    let current = Memo::new(move |_| session.with_bus(|lab| lab.user().name));
    view! {
        <label class="user-switcher inline" title="Commands are sent as this user; the authorization middleware checks their role">
            <span class="label-text">"acting as"</span>
            <select data-testid="user-switcher" on:change=move |e| session.switch_user(&event_target_value(&e))>
                {USERS.iter().map(|user| view! {
                    <option value=user.name selected=move || current.get() == user.name>
                        {format!("{} ({})", user.name, user.role.as_str())}
                    </option>
                }).collect_view()}
            </select>
        </label>
    }
}
