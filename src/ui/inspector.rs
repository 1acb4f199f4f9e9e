//! The event inspector: the whole recorded JSON of the selected event.

use chrono::SecondsFormat;
use leptos::prelude::*;

use super::format::pretty;
use crate::event_sourcing::recorded::RecordedEvent;

/// What the inspector shows of one event, as text.
#[derive(Clone, PartialEq)]
struct Shown {
    stream: String,
    recorded: String,
    actor: String,
    json: String,
}

#[component]
pub fn EventInspector(
    /// The event at the selected position (none at position 0).
    #[prop(into)]
    event: Signal<Option<RecordedEvent>>,
) -> impl IntoView {
    let shown = Memo::new(move |_| {
        event.get().map(|event| Shown {
            stream: format!("{} v{}", event.stream_id, event.stream_version),
            recorded: event.metadata.recorded_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            actor: event.metadata.actor.to_string(),
            json: serde_json::to_value(&event).map(|value| pretty(&value)).unwrap_or_default(),
        })
    });
    // The facts are drawn once; a step of the timeline changes only their texts.
    let text = move |field: fn(&Shown) -> String| move || shown.with(|shown| shown.as_ref().map(field).unwrap_or_default());
    view! {
        <section class="card panel inspector" data-testid="event-inspector" aria-label="Event inspector">
            <header class="panel-header">
                <h2>"Event"</h2>
                <span class="panel-note">{move || event.get().map(|event| format!("#{} · {}", event.position, event.event_type))}</span>
            </header>
            // Focusable, so that the keyboard scrolls a long event.
            <div class="panel-body" tabindex="0" aria-label="The selected event">
                <Show
                    when=move || shown.with(Option::is_some)
                    fallback=|| view! {
                        <p class="empty">"Position 0: before the first event. Move the timeline or click an event to see it here."</p>
                    }
                >
                    <dl class="event-facts">
                        <dt>"stream"</dt><dd>{text(|shown| shown.stream.clone())}</dd>
                        <dt>"recorded"</dt><dd>{text(|shown| shown.recorded.clone())}</dd>
                        <dt>"actor"</dt><dd>{text(|shown| shown.actor.clone())}</dd>
                    </dl>
                    <pre class="json" data-testid="event-json">{text(|shown| shown.json.clone())}</pre>
                </Show>
            </div>
        </section>
    }
}
