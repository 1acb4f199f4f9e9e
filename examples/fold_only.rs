//! One fold of the 100k demo history into every read model, and nothing else around
//! it, to compare builds by what the fold alone costs:
//! `cargo run --release --example fold_only [runs] [checkpoints]` prints each run's
//! milliseconds; with `checkpoints`, the fold keeps a copy of the read models every
//! 1,000 events, as a load does for the timeline (each row changed after a copy is
//! copied first). `valgrind --tool=callgrind --collect-atstart=no
//! --toggle-collect='fold_only::fold_all*' target/release/examples/fold_only 1` counts
//! its instructions, which, unlike the time on this machine, do not vary from run to run.
use kiroku::domain::Event;
use kiroku::event_sourcing::log::EventLog;
use kiroku::event_sourcing::recorded::RecordedEvent;
use kiroku::lab::{demo_start, DemoHistory, CHECKPOINT_EVERY};
use kiroku::read_models::ReadModels;
use std::time::Instant;

#[inline(never)]
fn fold_all(events: &[RecordedEvent], typed: &[Event], checkpoints: bool) -> (ReadModels, Vec<ReadModels>) {
    let mut models = ReadModels::default();
    let mut copies = Vec::new();
    for (at, (recorded, event)) in events.iter().zip(typed).enumerate() {
        models.apply(recorded, event);
        if checkpoints && (at as u64 + 1) % CHECKPOINT_EVERY == 0 {
            copies.push(models.clone());
        }
    }
    (models, copies)
}

fn main() {
    // Through the log, as in the page: it gives each event its stream's number.
    let mut log = EventLog::new();
    log.append_all(DemoHistory::generate(2026, 100_000, demo_start())).expect("the demo history follows on");
    let events = log.all();
    let typed: Vec<Event> = events.iter().map(|event| Event::decode(event).expect("a demo event decodes")).collect();
    let runs: usize = std::env::args().nth(1).and_then(|arg| arg.parse().ok()).unwrap_or(15);
    let checkpoints = std::env::args().nth(2).is_some_and(|arg| arg == "checkpoints");
    for _ in 0..runs {
        let started = Instant::now();
        let folded = fold_all(events, &typed, checkpoints);
        println!("{:.1}", started.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(folded);
    }
}
