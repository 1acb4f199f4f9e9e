//! One fold of the 100k demo history into every read model, and nothing else around
//! it, to compare builds by what the fold alone costs:
//! `cargo run --release --example fold_only [runs]` prints each run's milliseconds;
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='fold_only::fold_all*'
//! target/release/examples/fold_only 1` counts its instructions, which, unlike the
//! time on this machine, do not vary from run to run.
use kiroku::domain::Event;
use kiroku::event_sourcing::recorded::RecordedEvent;
use kiroku::lab::{demo_start, DemoHistory};
use kiroku::read_models::ReadModels;
use std::time::Instant;

#[inline(never)]
fn fold_all(events: &[RecordedEvent], typed: &[Event]) -> ReadModels {
    let mut models = ReadModels::default();
    for (recorded, event) in events.iter().zip(typed) {
        models.apply(recorded, event);
    }
    models
}

fn main() {
    let events = DemoHistory::generate(2026, 100_000, demo_start());
    let typed: Vec<Event> = events.iter().map(|event| Event::decode(event).expect("a demo event decodes")).collect();
    let runs: usize = std::env::args().nth(1).and_then(|arg| arg.parse().ok()).unwrap_or(15);
    for _ in 0..runs {
        let started = Instant::now();
        let models = fold_all(&events, &typed);
        println!("{:.1}", started.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(models);
    }
}
