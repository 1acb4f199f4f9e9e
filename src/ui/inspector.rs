//! The event inspector: the whole recorded JSON of the selected event.

use chrono::SecondsFormat;
use leptos::prelude::*;

use super::format::pretty;
use crate::event_sourcing::recorded::RecordedEvent;

#[component]
pub fn EventInspector(
    /// The event at the selected position (none at position 0).
    #[prop(into)]
    event: Signal<Option<RecordedEvent>>,
) -> impl IntoView {
    view! {
        <section class="card panel inspector" data-testid="event-inspector" aria-label="Event inspector">
            <header class="panel-header">
                <h2>"Event"</h2>
                <span class="panel-note">{move || event.get().map(|event| format!("#{} · {}", event.position, event.event_type))}</span>
            </header>
            <div class="panel-body">
                {move || match event.get() {
                    None => view! {
                        <p class="empty">"Position 0: before the first event. Move the timeline or click an event to see it here."</p>
                    }.into_any(),
                    Some(event) => {
                        let json = serde_json::to_value(&event).map(|value| pretty(&value)).unwrap_or_default();
                        view! {
                            <dl class="event-facts">
                                <dt>"stream"</dt><dd>{event.stream_id.to_string()}" v"{event.stream_version}</dd>
                                <dt>"recorded"</dt><dd>{event.metadata.recorded_at.to_rfc3339_opts(SecondsFormat::Millis, true)}</dd>
                                <dt>"actor"</dt><dd>{event.metadata.actor.to_string()}</dd>
                            </dl>
                            <pre class="json" data-testid="event-json">{json}</pre>
                        }.into_any()
                    }
                }}
            </div>
        </section>
    }
}
