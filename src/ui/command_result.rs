//! Where the outcome of the last command shows: the events it recorded, or exactly
//! why nothing was written.

use leptos::prelude::*;

use super::session::use_session;
use crate::event_sourcing::envelope::CommandResult;

#[component]
pub fn CommandResultPanel() -> impl IntoView {
    let session = use_session();
    view! {
        <section class="card command-result" data-testid="command-result" aria-live="polite" aria-label="Last command result">
            <h2>"Last command"</h2>
            {move || match session.last_outcome.get() {
                None => view! { <p class="empty">"Send a command: its outcome shows here."</p> }.into_any(),
                Some(outcome) => {
                    let command_type = outcome.command_type;
                    let sequence = outcome.sequence.to_string();
                    match outcome.result {
                        CommandResult::Accepted { stream_version, events } => view! {
                            <div class="outcome accepted" data-status="accepted" data-seq=sequence.clone()>
                                <p><span class="badge accepted">"accepted"</span>" "{command_type}" → stream v"{stream_version}</p>
                                <ul class="recorded">
                                    {events.into_iter().map(|event| {
                                        let position = event.position;
                                        view! {
                                            <li><button class="link" on:click=move |_| session.seek(position)>
                                                {format!("#{} {}", event.position, event.event_type)}
                                            </button></li>
                                        }
                                    }).collect_view()}
                                </ul>
                            </div>
                        }.into_any(),
                        CommandResult::Rejected { error } => view! {
                            <div class="outcome rejected" data-status="rejected" data-seq=sequence.clone() data-code=error.code.clone()>
                                <p><span class="badge rejected">"rejected"</span>" "{command_type}" · "<code>{error.code.clone()}</code></p>
                                <p class="message">{error.message}</p>
                                <p class="panel-note">"The domain said no: nothing was written."</p>
                            </div>
                        }.into_any(),
                        CommandResult::Conflict { expected_version, actual_version } => view! {
                            <div class="outcome conflict" data-status="conflict" data-seq=sequence.clone()>
                                <p><span class="badge conflict">"conflict"</span>" "{command_type}</p>
                                <p class="message">{format!("Expected the stream at version {expected_version}, but it is at {actual_version}: someone else wrote first. Nothing was written; send it again to decide on the new state.")}</p>
                            </div>
                        }.into_any(),
                        CommandResult::Invalid { error } => view! {
                            <div class="outcome invalid" data-status="invalid" data-seq=sequence.clone() data-code=error.code.clone()>
                                <p><span class="badge invalid">"invalid"</span>" "{command_type}" · "<code>{error.code.clone()}</code></p>
                                <p class="message">{error.message}</p>
                            </div>
                        }.into_any(),
                        CommandResult::Error { error } => view! {
                            <div class="outcome error" data-status="error" data-seq=sequence.clone() data-code=error.code.clone()>
                                <p><span class="badge error">"storage error"</span>" "{command_type}</p>
                                <p class="message">{error.message}</p>
                            </div>
                        }.into_any(),
                    }
                }
            }}
        </section>
    }
}
