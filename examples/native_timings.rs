//! Where the time goes in the pure core, natively: `cargo run --release --example native_timings [events]`.
//! (The browser figures come from `make bench`; these say which step to work on.)
// In the browser the page counts its own allocations (src/browser/heap.rs).
#![cfg_attr(target_arch = "wasm32", allow(dead_code))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use futures::executor::block_on;
use serde_json::json;

use kiroku::domain::Event;
use kiroku::event_sourcing::memory_store::MemoryStore;
use kiroku::event_sourcing::recorded::RecordedEvent;
use kiroku::lab::{demo_start, DemoHistory, Environment, Lab, CHECKPOINT_EVERY};
use kiroku::read_models::ReadModels;

/// Counts the bytes allocated and not yet freed: the memory the lab holds.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), global_allocator)]
static ALLOCATOR: Counting = Counting;

fn live_mb() -> f64 {
    LIVE.load(Ordering::Relaxed) as f64 / 1e6
}

struct Still;
impl Environment for Still {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        demo_start()
    }
    fn new_id(&self) -> String {
        "id".into()
    }
    fn monotonic_ms(&self) -> f64 {
        thread_local!(static START: Instant = Instant::now());
        START.with(|start| start.elapsed().as_secs_f64() * 1000.0)
    }
}

fn time<T>(label: &str, work: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = work();
    println!("{label:<44} {:>9.1} ms", started.elapsed().as_secs_f64() * 1000.0);
    out
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|arg| arg.parse().ok()).unwrap_or(100_000);
    let events = time("generate the demo history", || DemoHistory::generate(2026, n, demo_start()));
    let text = time("serialize to JSON", || serde_json::to_string(&events).unwrap());
    println!("{:<44} {:>9.1} MB", "JSON size", text.len() as f64 / 1e6);
    let before_parse = live_mb();
    let parsed: Vec<RecordedEvent> = time("parse JSON", || serde_json::from_str(&text).unwrap());
    println!("{:<44} {:>9.1} MB", "memory the recorded events hold", live_mb() - before_parse);
    let before_decode = live_mb();
    let typed: Vec<Event> = time("Event::decode every event", || parsed.iter().map(|e| Event::decode(e).unwrap()).collect());
    println!("{:<44} {:>9.1} MB", "memory the typed events hold", live_mb() - before_decode);
    let before_fold = live_mb();
    let models = time("fold into every read model", || {
        let mut models = ReadModels::default();
        for (recorded, event) in parsed.iter().zip(&typed) {
            models.apply(recorded, event);
        }
        models
    });
    println!("{:<44} {:>9.1} MB", "memory the read models hold", live_mb() - before_fold);
    // The same fold keeping a copy every `CHECKPOINT_EVERY` events (what taking the
    // timeline checkpoints during a load costs it).
    let with_copies = time(&format!("fold, a copy kept every {CHECKPOINT_EVERY} events"), || {
        let (mut models, mut copies) = (ReadModels::default(), Vec::new());
        for (at, (recorded, event)) in parsed.iter().zip(&typed).enumerate() {
            models.apply(recorded, event);
            if (at as u64 + 1) % CHECKPOINT_EVERY == 0 {
                copies.push(models.clone());
            }
        }
        copies
    });
    drop(with_copies);
    time("clone the read models at the head", || models.clone());
    let mut each = ReadModels::default();
    for lane in each.lanes_mut() {
        let name = lane.name().to_owned();
        time(&format!("  fold into {name}"), || {
            for (recorded, event) in parsed.iter().zip(&typed) {
                lane.deliver(recorded, event);
            }
        });
    }
    // What each read model holds at the head, and what a copy every `CHECKPOINT_EVERY`
    // events (a timeline checkpoint) adds to it.
    for index in 0..each.lanes_mut().len() {
        let before = live_mb();
        let mut alone = ReadModels::default();
        let mut copies = Vec::new();
        for (at, (recorded, event)) in parsed.iter().zip(&typed).enumerate() {
            alone.lanes_mut()[index].deliver(recorded, event);
            if (at as u64 + 1) % CHECKPOINT_EVERY == 0 {
                copies.push(alone.clone());
            }
        }
        let with_copies = live_mb() - before;
        drop(copies);
        let name = alone.lanes_mut()[index].name().to_owned();
        let head = live_mb() - before;
        println!("{:<44} {:>9.1} MB + {:.1} MB", format!("  {name} at the head + copies"), head, with_copies - head);
        drop(alone);
    }
    drop((text, typed, models, each));
    let before_lab = live_mb();
    let lab = Lab::new(MemoryStore::new(), Box::new(Still));
    time("lab.replace_log (check, store, project, checkpoints)", || block_on(lab.replace_log(parsed.clone())).unwrap());
    println!("{:<44} {:>9.1} MB", "memory the lab and its memory store hold", live_mb() - before_lab);
    let jumps: Vec<f64> = (0..std::env::var("JUMPS").ok().and_then(|n| n.parse().ok()).unwrap_or(20u64))
        .map(|i| {
            let started = Instant::now();
            let models = lab.read_models_at(n as u64 * (i % 20) / 20 + 777 + i);
            std::hint::black_box(models);
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    println!("{:<44} {:>9.2} ms (max {:.2})", "jump to a position (median of 20)", median(&jumps), jumps.iter().cloned().fold(0.0, f64::max));
    // The write model panel at a past position: the longest streams are the slow ones.
    let mut lengths: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for event in &parsed {
        *lengths.entry(event.stream_id.to_string()).or_default() += 1;
    }
    let mut longest: Vec<(String, usize)> = lengths.into_iter().collect();
    longest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let loads: Vec<f64> = longest
        .iter()
        .take(10)
        .flat_map(|(stream, _)| (1..=4u64).map(move |quarter| (stream.clone(), n as u64 * quarter / 4 - 333)))
        .map(|(stream, position)| {
            let started = Instant::now();
            std::hint::black_box(lab.aggregate_at(&stream, position));
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    println!(
        "{:<44} {:>9.2} ms (max {:.2}; longest stream {} events)",
        "write model of a long stream in the past",
        median(&loads),
        loads.iter().cloned().fold(0.0, f64::max),
        longest[0].1
    );
    for kind in [json!({"kind": "fold"}), json!({"kind": "jump", "position": n as u64 / 2 + 777}), json!({"kind": "memory"})] {
        println!("measure {kind}: {}", lab.measure(&kind).unwrap());
    }
    let account = json!({"command_type": "DepositMoney", "aggregate_id": "acct-0001", "data": {"amount": 100}});
    let answers: Vec<String> = time("20 commands", || (0..20).map(|_| serde_json::to_value(block_on(lab.send(&account))).unwrap()["status"].to_string()).collect());
    println!("answers: {}", answers.join(" "));
}
