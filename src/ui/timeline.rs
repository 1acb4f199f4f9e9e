//! The timeline of the global log: a scrubber, step and play buttons, and the
//! events around the selected position (only a window of them is in the page, so
//! a long log costs no more than a short one).

use std::time::Duration;

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::format::short_id;
use super::session::use_session;
use crate::browser::preferences;

/// How many events are drawn on each side of the selected one before the strip is
/// measured: as many as the strip of a 1,920-pixel screen shows.
const FIRST_PER_SIDE: u64 = 7;
/// The most drawn on each side, however wide the screen: each chip costs a scrub
/// step its script, layout and paint (~0.15 ms here).
const MOST_PER_SIDE: u64 = 24;

/// One place of the strip as drawn: an event, or the start of the log (position 0).
#[derive(Clone, PartialEq)]
struct Chip {
    position: u64,
    class: &'static str,
    event_type: String,
    stream: String,
    title: String,
}

/// The chips around the selection: `chips[0]` shows position `first`, and the
/// selection is `at`. A place at `offset` from the selection shows position
/// `at + offset` when the log has it.
#[derive(Clone, PartialEq)]
struct Strip {
    at: u64,
    first: u64,
    chips: Vec<Chip>,
}

impl Strip {
    fn get(&self, offset: i64) -> Option<&Chip> {
        let position = self.at.checked_add_signed(offset)?;
        self.chips.get(usize::try_from(position.checked_sub(self.first)?).ok()?)
    }
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

    // Keyboard: ← → step, Home / End jump, Space plays (outside form fields, and
    // outside a panel's body that has the focus: there the keys scroll it).
    let _keys = window_event_listener(ev::keydown, move |event| {
        // The focused element takes these keys itself.
        let taken = event.target().and_then(|target| target.dyn_into::<web_sys::Element>().ok()).is_some_and(|element| {
            matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT" | "BUTTON")
                || element.matches(".panel-body").unwrap_or(false)
        });
        if taken || event.ctrl_key() || event.meta_key() || event.alt_key() {
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

    // How many chips each side of the selection needs to fill its half of the strip,
    // measured when the page is drawn and whenever the strip's width changes.
    let per_side = RwSignal::new(FIRST_PER_SIDE);
    let strip_box = NodeRef::<leptos::html::Div>::new();
    let measure = move || {
        if let Some(strip) = strip_box.get_untracked() {
            // Set only when it differs: a new count draws both sides anew, and a
            // window being resized sends many events.
            if let Some(needed) = chips_per_side(&strip).filter(|&needed| needed != per_side.get_untracked()) {
                per_side.set(needed);
            }
        }
    };
    // A ResizeObserver measures the strip once the browser has laid it out (before
    // that frame is painted) and whenever its width changes (the window, the panels
    // beside it). Measured in an effect, reading its width forced the page's first
    // layout in the middle of the task that loads the log.
    let observer = StoredValue::new_local(None::<(web_sys::ResizeObserver, Closure<dyn FnMut()>)>);
    let stop_observing = move || {
        if let Some((watch, _callback)) = observer.try_update_value(Option::take).flatten() {
            watch.disconnect();
        }
    };
    Effect::new(move |_| {
        let Some(strip) = strip_box.get() else { return };
        stop_observing();
        let callback = Closure::<dyn FnMut()>::new(measure);
        if let Ok(watch) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
            watch.observe(&strip);
            observer.set_value(Some((watch, callback)));
        }
    });
    on_cleanup(stop_observing);

    let strip = Memo::new(move |_| {
        let at = position.get();
        let side = per_side.get();
        let first = at.saturating_sub(side);
        let mut chips = Vec::with_capacity(2 * side as usize + 1);
        let class = |position: u64| if position == at { "chip selected" } else if position > at { "chip future" } else { "chip" };
        if first == 0 {
            chips.push(Chip { position: 0, class: class(0), event_type: "start".to_owned(), stream: String::new(), title: "Before the first event".to_owned() });
        }
        // The range starts after its first argument.
        let events = session.with_lab(|lab| lab.events_between(first.saturating_sub(1), at + side));
        chips.extend(events.iter().map(|event| Chip {
            position: event.position,
            class: class(event.position),
            event_type: event.event_type.to_string(),
            stream: short_id(event.aggregate_id()).to_owned(),
            title: format!("#{} {} on {}", event.position, event.event_type, event.stream_id),
        }));
        Strip { at, first, chips }
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
            // The selected chip in the middle of the strip, the earlier ones to its left
            // and the later ones to its right: each side clips what it cannot show, so
            // the selection stays in the middle without scrolling. One listener for every
            // chip, whichever event it shows now.
            <div class="timeline-strip" node_ref=strip_box on:click=move |event| {
                if let Some(position) = chip_position(&event) {
                    playing.set(false);
                    session.seek(position);
                }
            }>
                <ol class="strip-side earlier" aria-label="Earlier events">
                    {move || (1..=per_side.get() as i64).rev().map(|back| view! { <ChipPlace strip=strip offset=-back/> }).collect_view()}
                </ol>
                <ol class="strip-side selected" aria-label="Selected event"><ChipPlace strip=strip offset=0/></ol>
                <ol class="strip-side later" aria-label="Later events">
                    {move || (1..=per_side.get() as i64).map(|ahead| view! { <ChipPlace strip=strip offset=ahead/> }).collect_view()}
                </ol>
            </div>
            <p class="hint">"← → step · Home / End jump · Space play · events after the selected one are dimmed: they have not happened yet"</p>
        </section>
    }
}

/// One place of the strip, `offset` events from the selection: its chip, or an
/// empty, hidden place without attributes where the log has no such position (near
/// its start or its head). The places are drawn once and each text and attribute
/// follows its chip on its own, so a jump across the log sets only what differs.
/// Position 0 is the start of the log, drawn as a chip of its own.
#[component]
fn ChipPlace(strip: Memo<Strip>, offset: i64) -> impl IntoView {
    let field = move |read: fn(&Chip) -> String| move || strip.with(|strip| strip.get(offset).map(read));
    let here = move || strip.with(|strip| strip.get(offset).is_some());
    let is_start = move || strip.with(|strip| strip.get(offset).map(|chip| chip.position == 0));
    view! {
        <li hidden=move || !here()>
            <button class=move || strip.with(|strip| strip.get(offset).map_or("chip", |chip| chip.class))
                data-testid=move || is_start().map(|start| if start { "timeline-start" } else { "timeline-event" })
                data-position=field(|chip| chip.position.to_string())
                data-event-type=move || strip.with(|strip| strip.get(offset).filter(|chip| chip.position > 0).map(|chip| chip.event_type.clone()))
                title=field(|chip| chip.title.clone())>
                <span class="chip-position">{field(|chip| chip.position.to_string())}</span>
                <span class="chip-type">{field(|chip| chip.event_type.clone())}</span>
                <span class="chip-stream">{field(|chip| chip.stream.clone())}</span>
            </button>
        </li>
    }
}

/// How many chips each side of the selection needs to fill its half of `strip`:
/// half its width over the narrowest a chip can be (its `min-width`) and the gap
/// between chips, both read from the style sheet.
fn chips_per_side(strip: &web_sys::HtmlElement) -> Option<u64> {
    let side = strip.query_selector(".strip-side").ok()??;
    let chip = strip.query_selector(".chip").ok()??;
    let pixels = |element: &web_sys::Element, property: &str| -> Option<f64> {
        let style = window().get_computed_style(element).ok()??;
        style.get_property_value(property).ok()?.trim_end_matches("px").parse().ok()
    };
    let narrowest = pixels(&chip, "min-width")? + pixels(&side, "column-gap").unwrap_or(0.0);
    let half = f64::from(strip.client_width()) / 2.0;
    (narrowest > 0.0 && half > 0.0).then(|| ((half / narrowest).ceil() as u64).clamp(1, MOST_PER_SIDE))
}

/// The position of the chip a click landed in, if it landed in one.
fn chip_position(event: &ev::MouseEvent) -> Option<u64> {
    let target = event.target()?.dyn_into::<web_sys::Element>().ok()?;
    let chip = target.closest(".chip[data-position]").ok()??;
    chip.get_attribute("data-position")?.parse().ok()
}
