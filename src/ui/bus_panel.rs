//! The command bus made visible: the middleware chain (on/off, order) and the
//! logging middleware's log, newest first.

use leptos::prelude::*;

use super::format::short_id;
use super::session::use_session;

#[component]
pub fn CommandBusPanel() -> impl IntoView {
    let session = use_session();
    let chain = Memo::new(move |_| session.with_bus(|lab| lab.chain()));
    let log = Memo::new(move |_| session.with_bus(|lab| lab.command_log()));
    view! {
        <section class="card panel" data-testid="command-bus" aria-label="Command bus">
            <header class="panel-header">
                <h2>"Command bus"</h2>
                <span class="panel-note">"middleware, outermost first"</span>
            </header>
            <div class="panel-body">
                <ol class="chain" data-testid="middleware-chain">
                    {move || {
                        let slots = chain.get().slots;
                        let last = slots.len().saturating_sub(1);
                        slots.into_iter().enumerate().map(|(index, slot)| {
                            let middleware = slot.middleware;
                            view! {
                                <li class:off=!slot.enabled data-middleware=middleware.as_str()>
                                    <label class="inline">
                                        <input type="checkbox" prop:checked=slot.enabled data-testid=format!("middleware-{}", middleware.as_str())
                                            on:change=move |e| {
                                                let on = event_target_checked(&e);
                                                session.update_chain(|chain| chain.set_enabled(middleware, on));
                                            }/>
                                        {middleware.as_str()}
                                    </label>
                                    <button class="ghost small" title="Move outwards" aria-label=format!("Move {} outwards", middleware.as_str())
                                        disabled=index == 0 on:click=move |_| session.update_chain(|chain| chain.shift(middleware, -1))>"↑"</button>
                                    <button class="ghost small" title="Move inwards" aria-label=format!("Move {} inwards", middleware.as_str())
                                        disabled=index == last on:click=move |_| session.update_chain(|chain| chain.shift(middleware, 1))>"↓"</button>
                                </li>
                            }
                        }).collect_view()
                    }}
                    <li class="handler">"→ aggregate: decide, append"</li>
                </ol>
                <table class="rows log" data-testid="command-log">
                    <thead><tr><th>"#"</th><th>"Command"</th><th>"Actor"</th><th>"Outcome"</th><th class="num">"ms"</th></tr></thead>
                    <tbody>
                        {move || log.get().into_iter().rev().map(|entry| view! {
                            <tr data-seq=entry.sequence.to_string() data-status=entry.status>
                                <td class="mono">{entry.sequence}</td>
                                <td>{entry.command_type.clone()}<span class="mono muted">" "{short_id(&entry.aggregate_id).to_owned()}</span></td>
                                <td>{entry.actor.clone()}</td>
                                <td>
                                    <span class=format!("badge {}", entry.status)>{entry.status}</span>
                                    {entry.code.clone().map(|code| view! { " "<code>{code}</code> })}
                                    {entry.stopped_by.map(|middleware| view! { <span class="muted">" by "{middleware.as_str()}</span> })}
                                </td>
                                <td class="num">{format!("{:.1}", entry.duration_ms)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
