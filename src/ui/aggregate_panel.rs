//! The write model: the state of one stream's aggregate, folded from its events up
//! to the selected position, with the fields the selected event changed marked.

use leptos::prelude::*;

use super::format::{changed_keys, compact, pretty};
use super::session::use_session;
use crate::lab::AggregateView;

#[component]
pub fn AggregatePanel(
    /// The aggregate at the selected position.
    #[prop(into)]
    aggregate: Signal<Option<AggregateView>>,
    /// The same aggregate one position earlier.
    #[prop(into)]
    before: Signal<Option<AggregateView>>,
) -> impl IntoView {
    let session = use_session();
    view! {
        <section class="card panel" data-testid="aggregate-state" aria-label="Write model">
            <header class="panel-header">
                <h2>"Write model"</h2>
                <span class="panel-note">{move || aggregate.get().map(|view| format!("{} · v{}", view.stream_id, view.stream_version))}</span>
                {move || session.pinned_stream.get().map(|_| view! {
                    <button class="ghost small" on:click=move |_| session.pinned_stream.set(None)
                        title="Show the stream of the selected event again">"Unpin"</button>
                })}
            </header>
            {move || match aggregate.get() {
                None => view! { <p class="empty">"Select an event or an order to see its aggregate."</p> }.into_any(),
                Some(view) if view.state.is_null() => view! {
                    <p class="empty">{format!("{} does not exist yet at this position.", view.stream_id)}</p>
                }.into_any(),
                Some(view) => {
                    let previous = before.get().map(|before| before.state);
                    let changed = changed_keys(previous.as_ref(), &view.state);
                    let fields = view.state.as_object().cloned().unwrap_or_default();
                    view! {
                        <table class="fields">
                            <tbody>
                                {fields.into_iter().map(|(key, value)| {
                                    let is_changed = changed.contains(&key);
                                    let field = key.clone();
                                    let shown = if value.is_array() || value.is_object() { pretty(&value) } else { compact(&value) };
                                    view! {
                                        <tr class:changed=is_changed data-field=field>
                                            <th scope="row">{key}</th>
                                            <td><pre class="value">{shown}</pre></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }
            }}
        </section>
    }
}
