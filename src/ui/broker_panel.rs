//! The dual-write problem and the message broker made visible: how events leave
//! this tab (naive or through the outbox, with a crash switch), and what this tab's
//! consumer received from every tab, duplicates included.

use leptos::prelude::*;

use super::session::use_session;
use crate::messaging::DeliveryMode;

#[component]
pub fn BrokerPanel() -> impl IntoView {
    let session = use_session();
    let status = Memo::new(move |_| session.with_bus(|lab| lab.broker_status()));
    let number = |text: String, fallback: u32| text.trim().parse::<u32>().ok().filter(|n| *n > 0).unwrap_or(fallback);
    view! {
        <section class="card panel broker" data-testid="broker" aria-label="Message broker">
            <header class="panel-header">
                <h2>"Broker"</h2>
                <span class="panel-note">{move || format!("this tab: {} · BroadcastChannel to every tab", status.get().tab)}</span>
            </header>
            <div class="panel-body">
                <div class="delivery">
                    <label class="inline">
                        <input type="radio" name="delivery" data-testid="delivery-naive"
                            prop:checked=move || status.get().delivery.mode == DeliveryMode::Naive
                            on:change=move |_| session.set_delivery(|d| d.mode = DeliveryMode::Naive)/>
                        "naive: append, then publish"
                    </label>
                    <label class="inline">
                        <input type="radio" name="delivery" data-testid="delivery-outbox"
                            prop:checked=move || status.get().delivery.mode == DeliveryMode::Outbox
                            on:change=move |_| session.set_delivery(|d| d.mode = DeliveryMode::Outbox)/>
                        "transactional outbox + polling publisher"
                    </label>
                    <label class="inline crash">
                        <input type="checkbox" data-testid="crash-switch" prop:checked=move || status.get().delivery.crash_between
                            on:change=move |e| { let on = event_target_checked(&e); session.set_delivery(|d| d.crash_between = on) }/>
                        {move || if status.get().delivery.mode == DeliveryMode::Naive {
                            "crash between append and publish"
                        } else {
                            "crash between publish and mark-published"
                        }}
                    </label>
                    <div class="row">
                        <label>"poll every (ms)"
                            <input type="number" data-testid="poll-interval" prop:value=move || status.get().delivery.poll_interval_ms.to_string()
                                on:change=move |e| { let ms = number(event_target_value(&e), 1000); session.set_delivery(|d| d.poll_interval_ms = ms) }/>
                        </label>
                        <label>"batch"
                            <input type="number" data-testid="batch-size" prop:value=move || status.get().delivery.batch_size.to_string()
                                on:change=move |e| { let n = number(event_target_value(&e), 10); session.set_delivery(|d| d.batch_size = n) }/>
                        </label>
                    </div>
                </div>
                <dl class="stats">
                    <dt>"published"</dt><dd data-testid="broker-published">{move || status.get().publisher.published}</dd>
                    <dt>"published again"</dt><dd data-testid="broker-republished">{move || status.get().publisher.republished}</dd>
                    <dt>"lost (never published)"</dt><dd data-testid="broker-lost">{move || status.get().publisher.lost}</dd>
                    <dt>"waiting in the outbox"</dt><dd data-testid="broker-pending">{move || status.get().publisher.pending}</dd>
                    <dt>"delivered to this tab"</dt><dd data-testid="broker-delivered">{move || status.get().inbox.delivered}</dd>
                    <dt>"duplicates dropped"</dt><dd data-testid="broker-deduplicated">{move || status.get().inbox.deduplicated}</dd>
                </dl>
                <table class="rows">
                    <thead><tr><th>"#"</th><th>"Event"</th><th>"From tab"</th><th>"Send"</th><th>"Outcome"</th></tr></thead>
                    <tbody data-testid="broker-received">
                        {move || status.get().recent.into_iter().map(|received| view! {
                            <tr class:duplicate=received.duplicate data-duplicate=received.duplicate.to_string()>
                                <td class="mono">{received.position}</td>
                                <td>{received.event_type}</td>
                                <td class="mono">{received.sent_by}</td>
                                <td class="num">{received.attempt}</td>
                                <td>{if received.duplicate { "duplicate: dropped" } else { "processed" }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
