//! Sagas made visible (seeds 003 and 004): every transfer and order fulfillment,
//! running, completed or compensated, each step with the events it caused (by
//! causation id), and the completion rate.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::session::use_session;

#[component]
pub fn SagasPanel() -> impl IntoView {
    let session = use_session();
    let report = Memo::new(move |_| {
        session.revision.track();
        session.with_bus(|lab| lab.sagas())
    });
    view! {
        <section class="card panel sagas" data-testid="sagas" aria-label="Sagas">
            <header class="panel-header">
                <h2>"Sagas"</h2>
                <span class="panel-note" data-testid="saga-rate">
                    {move || {
                        let report = report.get();
                        let rate = report.completion_rate.map(|rate| format!("{:.0}%", rate * 100.0)).unwrap_or_else(|| "—".to_owned());
                        format!("{} running · {} completed · {} compensated · completion {rate}", report.running, report.completed, report.compensated)
                    }}
                </span>
            </header>
            <div class="panel-body">
                <label class="inline">
                    <input type="checkbox" data-testid="fulfillment-enabled" prop:checked=move || report.get().fulfillment_enabled
                        on:change=move |e| {
                            let on = event_target_checked(&e);
                            session.lab().set_fulfillment_enabled(on);
                            session.message_arrived();
                        }/>
                    "a confirmed order reserves its stock (SKU = product name); all reserved → ready to ship, else cancelled"
                </label>
                {move || {
                    let sagas = report.get().sagas;
                    if sagas.is_empty() {
                        return view! { <p class="empty">"No saga yet: transfer money (Accounts) or confirm an order with the box above ticked."</p> }.into_any();
                    }
                    view! {
                        <ol class="saga-list">
                            {sagas.into_iter().rev().map(|saga| view! {
                                <li class="saga" data-saga=saga.stream_id.clone() data-kind=saga.kind data-outcome=saga.outcome>
                                    <header>
                                        <strong>{saga.kind}</strong>
                                        <span class="mono">{saga.id.get(..8).unwrap_or(&saga.id).to_owned()}</span>
                                        <span class=format!("badge {}", match saga.outcome { "completed" => "accepted", "running" => "confirmed", _ => "rejected" })>{saga.outcome}</span>
                                        {(saga.status != saga.outcome).then(|| view! { <span class="muted">{saga.status.clone()}</span> })}
                                    </header>
                                    {saga.reason.clone().map(|reason| view! { <p class="reason">{reason}</p> })}
                                    <ol class="steps">
                                        {saga.steps.into_iter().map(|step| {
                                            let position = step.position;
                                            view! {
                                                <li>
                                                    <button class="link" on:click=move |_| session.seek(position)>{format!("#{} {}", step.position, step.event_type)}</button>
                                                    {step.caused.into_iter().map(|caused| {
                                                        let at = caused.position;
                                                        view! {
                                                            " → "
                                                            <button class="link caused" title=caused.stream_id.clone() on:click=move |_| session.seek(at)>
                                                                {format!("#{} {}", caused.position, caused.event_type)}
                                                            </button>
                                                        }
                                                    }).collect_view()}
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ol>
                                </li>
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }}
                <button class="ghost small" data-testid="resume-sagas" title="Run every unfinished saga again"
                    on:click=move |_| spawn_local(async move { session.lab().run_sagas().await; session.log_changed(); })>"Resume sagas"</button>
            </div>
        </section>
    }
}
