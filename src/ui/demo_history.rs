//! "Load demo history": replaces the log with a seeded, reproducible history (the
//! core's `DemoHistory`), made in slices between which the page paints a progress
//! bar, then saved and loaded in one step.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::session::{close_on_escape, next_task, use_session, Popover};
use crate::lab::{demo_start, DemoHistory, DEMO_EVENTS, DEMO_SEED};

/// Events made per slice: a few milliseconds of work between two paints.
const SLICE: usize = 2_500;

/// Where a load is.
#[derive(Clone, Debug, PartialEq)]
enum Progress {
    Idle,
    Making { done: usize, of: usize },
    Saving { of: usize },
    Done { events: usize },
    Failed(String),
}

#[component]
pub fn DemoHistoryButton() -> impl IntoView {
    let session = use_session();
    let size = RwSignal::new(DEMO_EVENTS);
    let seed = RwSignal::new(DEMO_SEED);
    let progress = RwSignal::new(Progress::Idle);
    let busy = move || matches!(progress.get(), Progress::Making { .. } | Progress::Saving { .. });
    let open = move || session.popover.get() == Popover::DemoHistory;

    let load = move |_| {
        if session.replacing_log.get_untracked() {
            return;
        }
        session.replacing_log.set(true);
        let (target, seed) = (size.get_untracked(), seed.get_untracked());
        spawn_local(async move {
            let mut history = DemoHistory::new(seed, target, demo_start());
            progress.set(Progress::Making { done: 0, of: target });
            next_task().await;
            while !history.step(SLICE) {
                progress.set(Progress::Making { done: history.generated(), of: target });
                next_task().await;
            }
            progress.set(Progress::Saving { of: history.generated() });
            next_task().await;
            match session.lab().replace_log(history.finish()).await {
                Ok(events) => {
                    progress.set(Progress::Done { events });
                    session.following.set(true);
                    session.log_changed();
                }
                Err(error) => progress.set(Progress::Failed(error.message)),
            }
            session.replacing_log.set(false);
        });
    };

    let close = move || {
        if !busy() && open() {
            session.popover.set(Popover::None);
        }
    };

    // Escape closes it wherever the focus is (the load button is disabled while it runs).
    close_on_escape(move || session.popover.get_untracked() == Popover::DemoHistory, close);

    view! {
        // While an import replaces the log, this waits: one replacement at a time, and its
        // popover would cover the import's.
        <button class="ghost" data-testid="demo-history" aria-expanded=move || open().to_string()
            on:click=move |_| session.popover.set(if open() { Popover::None } else { Popover::DemoHistory })
            disabled=move || session.replacing_log.get() && !busy() title="Fill the log with a realistic history">"Demo history"</button>
        <Show when=open>
            <div class="popover demo-history" role="dialog" aria-label="Load demo history" data-testid="demo-history-dialog">
                <h2>"Load demo history"</h2>
                <p>"Replaces this storage's whole log with a shop's orders, warehouse, catalogue and customer accounts, made by sending commands through the aggregates. The same seed always gives the same history."</p>
                <div class="demo-options">
                    <label>"Events"
                        <select data-testid="demo-size" prop:value=move || size.get().to_string()
                            on:change=move |event| size.set(event_target_value(&event).parse().unwrap_or(DEMO_EVENTS))>
                            {[1_000usize, 10_000, 100_000].into_iter().map(|n| view! {
                                <option value=n.to_string() selected=move || size.get() == n>{super::format::thousands(n as u64)}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>"Seed"
                        <input type="number" min="0" data-testid="demo-seed" prop:value=move || seed.get().to_string()
                            on:change=move |event| seed.set(event_target_value(&event).parse().unwrap_or(DEMO_SEED))/>
                    </label>
                </div>
                {move || {
                    let (value, max, text) = match progress.get() {
                        Progress::Idle => return None,
                        Progress::Making { done, of } => (done, of, format!("Making events: {} of {}", super::format::thousands(done as u64), super::format::thousands(of as u64))),
                        Progress::Saving { of } => (of, of, format!("Saving and projecting {} events…", super::format::thousands(of as u64))),
                        Progress::Done { events } => (events, events, format!("Loaded {} events.", super::format::thousands(events as u64))),
                        Progress::Failed(error) => (0, 1, format!("Nothing was changed: {error}")),
                    };
                    Some(view! {
                        <progress data-testid="demo-progress" max=max.to_string() value=value.to_string()></progress>
                        <p class="popover-status" role="status" data-testid="demo-status">{text}</p>
                    })
                }}
                <div class="popover-actions">
                    <button class="primary" data-testid="demo-load" on:click=load disabled=move || session.replacing_log.get()>"Replace the log"</button>
                    <button class="ghost" on:click=move |_| close() disabled=busy>"Close"</button>
                </div>
            </div>
        </Show>
    }
}
