//! The timeline of the global log: a scrubber, step and play buttons, and the
//! events around the selected position (only a window of them is in the page, so
//! a long log costs no more than a short one).

use std::time::Duration;

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::format::short_id;
use super::session::use_session;
use crate::browser::preferences;

/// How many events on each side of the selected one are drawn: more than the strip
/// shows on a 1,920-pixel screen (the selection is kept in the middle). Each chip
/// costs a scrub step its script, layout and paint: 20 a side took ~7 ms more a step.
const WINDOW: u64 = 8;

/// The strip's places: the selected event's and [`WINDOW`] on each side. They are
/// drawn once and changed in place, so a jump across the log sets a few texts and
/// attributes instead of building and removing 17 chips (that was ~4 ms of a scrub
/// step's script, and their layout).
const PLACES: usize = 2 * WINDOW as usize + 1;

/// One event in the strip, as drawn.
#[derive(Clone, PartialEq)]
struct Chip {
    position: u64,
    class: &'static str,
    event_type: String,
    stream: String,
    title: String,
}
/// Playback speeds offered, in events per second.
const SPEEDS: &[f64] = &[0.5, 1.0, 2.0, 4.0, 8.0];

#[component]
pub fn Timeline(
    /// The position of the last event.
    #[prop(into)]
    head: Signal<u64>,
) -> impl IntoView {
    let session = use_session();
    let position = session.position;
    let playing = RwSignal::new(false);
    let speed = RwSignal::new(preferences::load().play_speed);

    let step = move |delta: i64| {
        playing.set(false);
        session.seek(position.get_untracked().saturating_add_signed(delta));
    };
    let toggle_play = move || {
        if playing.get_untracked() {
            playing.set(false);
        } else {
            if position.get_untracked() >= head.get_untracked() {
                session.seek(0);
            }
            playing.set(true);
        }
    };

    // Playback: one event per tick, stopping at the head.
    let ticker = StoredValue::new_local(None::<IntervalHandle>);
    Effect::new(move |_| {
        if let Some(handle) = ticker.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        if !playing.get() {
            return;
        }
        let every = Duration::from_secs_f64(1.0 / speed.get().max(0.1));
        let handle = set_interval_with_handle(
            move || {
                let next = position.get_untracked() + 1;
                if next > head.get_untracked() {
                    playing.set(false);
                } else {
                    session.seek(next);
                }
            },
            every,
        );
        ticker.set_value(handle.ok());
    });
    on_cleanup(move || {
        if let Some(handle) = ticker.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    });

    // Keyboard: ← → step, Home / End jump, Space plays (outside form fields).
    let _keys = window_event_listener(ev::keydown, move |event| {
        let in_field = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|element| matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT" | "BUTTON"));
        if in_field || event.ctrl_key() || event.meta_key() || event.alt_key() {
            return;
        }
        let handled = match event.key().as_str() {
            "ArrowLeft" => {
                step(-1);
                true
            }
            "ArrowRight" => {
                step(1);
                true
            }
            "Home" => {
                playing.set(false);
                session.seek(0);
                true
            }
            "End" => {
                playing.set(false);
                session.seek(u64::MAX);
                true
            }
            " " => {
                toggle_play();
                true
            }
            _ => false,
        };
        if handled {
            event.prevent_default();
        }
    });

    let visible = Memo::new(move |_| {
        let at = position.get();
        // From WINDOW events before the selected one (the range starts after `after`).
        let after = at.saturating_sub(WINDOW + 1);
        session.with_lab(|lab| lab.events_between(after, at + WINDOW))
    });

    // The chips around the selection, in the strip's places from left to right.
    let chips = Memo::new(move |_| {
        let at = position.get();
        visible.with(|events| {
            events
                .iter()
                .map(|event| Chip {
                    position: event.position,
                    class: if event.position == at { "chip selected" } else if event.position > at { "chip future" } else { "chip" },
                    event_type: event.event_type.to_string(),
                    stream: short_id(event.aggregate_id()).to_owned(),
                    title: format!("#{} {} on {}", event.position, event.event_type, event.stream_id),
                })
                .collect::<Vec<_>>()
        })
    });

    // Keep the selected event in view inside the strip.
    Effect::new(move |_| {
        let at = position.get();
        visible.track();
        request_animation_frame(move || {
            let selector = format!("[data-testid=timeline-event][data-position=\"{at}\"]");
            if let Some(chip) = document().query_selector(&selector).ok().flatten() {
                let options = web_sys::ScrollIntoViewOptions::new();
                options.set_block(web_sys::ScrollLogicalPosition::Nearest);
                options.set_inline(web_sys::ScrollLogicalPosition::Center);
                chip.scroll_into_view_with_scroll_into_view_options(&options);
            }
        });
    });

    view! {
        <section class="card timeline" data-testid="timeline" aria-label="Timeline">
            <div class="timeline-controls">
                <button data-testid="timeline-step-back" title="Step back (←)" aria-label="Step back"
                    on:click=move |_| step(-1) disabled=move || position.get() == 0>"◀"</button>
                <button data-testid="timeline-play" class="play" title="Play / pause (Space)"
                    on:click=move |_| toggle_play() disabled=move || head.get() == 0>
                    {move || if playing.get() { "❚❚ Pause" } else { "▶ Play" }}
                </button>
                <button data-testid="timeline-step-forward" title="Step forward (→)" aria-label="Step forward"
                    on:click=move |_| step(1) disabled=move || { position.get() >= head.get() }>"▶"</button>
                <label class="speed">
                    <span class="visually-hidden">"Playback speed"</span>
                    <select data-testid="timeline-speed" on:change=move |event| {
                        let chosen = event_target_value(&event).parse().unwrap_or(2.0);
                        speed.set(chosen);
                        preferences::save(&preferences::Preferences { play_speed: chosen, ..preferences::load() });
                    }>
                        {SPEEDS.iter().map(|&choice| view! {
                            <option value=choice.to_string() selected=move || speed.get() == choice>
                                {format!("{choice}× /s")}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <input type="range" class="scrubber" data-testid="timeline-slider" aria-label="Position in the log"
                    min="0" max=move || head.get().to_string() step="1"
                    prop:value=move || position.get().to_string()
                    on:input=move |event| {
                        playing.set(false);
                        session.seek(event_target_value(&event).parse().unwrap_or(0));
                    }/>
                <span class="position" data-testid="timeline-position" aria-live="polite">
                    {move || format!("{} / {}", position.get(), head.get())}
                </span>
            </div>
            // One listener for every chip, whichever event it shows now.
            <ol class="timeline-events" on:click=move |event| {
                if let Some(position) = chip_position(&event) {
                    playing.set(false);
                    session.seek(position);
                }
            }>
                <li class="origin">
                    <button class=move || if position.get() == 0 { "chip selected" } else { "chip" }
                        on:click=move |_| { playing.set(false); session.seek(0) } title="Before the first event">
                        <span class="chip-position">"0"</span>
                        <span class="chip-type">"start"</span>
                    </button>
                </li>
                {(0..PLACES).map(|place| view! { <ChipPlace chips=chips place=place/> }).collect_view()}
            </ol>
            <p class="hint">"← → step · Home / End jump · Space play · events after the selected one are dimmed: they have not happened yet"</p>
        </section>
    }
}

/// One place of the strip: the chip of `chips[place]`, or an empty, hidden place
/// without attributes when the strip holds fewer events (near the start or the head
/// of the log). Each text and attribute follows its chip on its own, so only what
/// differs is set.
#[component]
fn ChipPlace(chips: Memo<Vec<Chip>>, place: usize) -> impl IntoView {
    let field = move |read: fn(&Chip) -> String| move || chips.with(|chips| chips.get(place).map(read));
    let here = move || chips.with(|chips| chips.get(place).is_some());
    view! {
        <li hidden=move || !here()>
            <button class=move || chips.with(|chips| chips.get(place).map_or("chip", |chip| chip.class))
                data-testid=move || here().then_some("timeline-event")
                data-position=field(|chip| chip.position.to_string())
                data-event-type=field(|chip| chip.event_type.clone())
                title=field(|chip| chip.title.clone())>
                <span class="chip-position">{field(|chip| chip.position.to_string())}</span>
                <span class="chip-type">{field(|chip| chip.event_type.clone())}</span>
                <span class="chip-stream">{field(|chip| chip.stream.clone())}</span>
            </button>
        </li>
    }
}

/// The position of the chip a click landed in, if it landed in one.
fn chip_position(event: &ev::MouseEvent) -> Option<u64> {
    let target = event.target()?.dyn_into::<web_sys::Element>().ok()?;
    let chip = target.closest("[data-testid=timeline-event]").ok()??;
    chip.get_attribute("data-position")?.parse().ok()
}
