#![cfg(not(target_arch = "wasm32"))]
//! The demo history: seeded and reproducible, valid (every event one the lab could
//! have recorded: it imports), realistic (orders, accounts, warehouse, catalogue,
//! over many days, by several people), and made in steps a page can show.

mod common;

use std::any::Any;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use chrono::{DateTime, Utc};

use futures::executor::block_on;
use serde_json::json;

use kiroku::event_sourcing::memory_store::MemoryStore;
use kiroku::lab::{demo_options, demo_start, DemoHistory, Environment, Lab, DEMO_EVENTS, DEMO_MAX_EVENTS, DEMO_SEED};

use common::TestEnv;

#[test]
fn the_same_seed_gives_the_same_history_and_another_seed_another() {
    let one = DemoHistory::generate(11, 2_000, demo_start());
    assert_eq!(one, DemoHistory::generate(11, 2_000, demo_start()));
    assert_ne!(one, DemoHistory::generate(12, 2_000, demo_start()));
}

#[test]
fn made_in_steps_it_is_the_same_history_with_progress_along_the_way() {
    let mut history = DemoHistory::new(11, 2_000, demo_start());
    let mut seen = Vec::new();
    while !history.step(300) {
        seen.push(history.generated());
    }
    assert!(seen.len() >= 5 && seen.windows(2).all(|pair| pair[0] < pair[1]), "{seen:?}");
    assert_eq!(history.generated(), history.target(), "exactly as many events as asked");
    assert_eq!(history.finish(), DemoHistory::generate(11, 2_000, demo_start()));
}

#[test]
fn a_history_has_exactly_as_many_events_as_asked() {
    for (seed, target) in [(1, 500), (2, 1_234), (3, 2_001), (4, 3_333), (5, 4_567), (42, 10_000)] {
        let events = DemoHistory::generate(seed, target, demo_start());
        assert_eq!(events.len(), target, "seed {seed}");
        assert!(events.iter().enumerate().all(|(at, event)| event.position == at as u64 + 1), "positions 1..={target}");
    }
}

#[test]
fn it_is_a_valid_log_the_lab_imports_with_every_kind_of_business() {
    let events = DemoHistory::generate(2026, 5_000, demo_start());
    let lab = Lab::new(MemoryStore::new(), Box::new(TestEnv::new()));
    let imported = block_on(lab.replace_log(events.clone())).expect("every event is valid");
    assert_eq!(imported, events.len());

    let mut per_type: BTreeMap<&str, usize> = BTreeMap::new();
    for event in &events {
        *per_type.entry(event.event_type.as_str()).or_default() += 1;
    }
    for kind in [
        "ProductCreated", "PriceUpdated", "StockReceived", "StockReserved", "StockReleased", "OrderCreated", "ItemAdded",
        "OrderConfirmed", "OrderShipped", "OrderCancelled", "AccountCreated", "MoneyDeposited", "MoneyWithdrawn",
    ] {
        assert!(per_type.get(kind).copied().unwrap_or(0) > 0, "no {kind} in {per_type:?}");
    }
    let actors: BTreeSet<&str> = events.iter().map(|event| event.metadata.actor.as_str()).collect();
    assert!(actors.len() >= 3, "{actors:?}");
    let days: BTreeSet<String> = events.iter().map(|event| event.metadata.recorded_at.date_naive().to_string()).collect();
    assert!(days.len() >= 3, "{days:?}");

    // The read models make sense of it: orders listed, balances never negative.
    let orders = lab.query(&json!({"query_type": "ListOrders", "filters": {}}));
    let orders = serde_json::to_value(orders).unwrap();
    let listed = orders["data"]["orders"].as_array().expect("a list of orders");
    assert!(listed.len() > 100, "{} orders", listed.len());
    let drafts = listed.iter().filter(|order| order["status"] == "draft").count();
    assert!(drafts <= 6, "a handful of open baskets, not {drafts}");
    assert!(listed.iter().filter(|order| order["status"] == "shipped").count() > listed.len() / 2);
    lab.with_head_models(|models| {
        let balances = serde_json::to_value(models.table("account_balances").unwrap()).unwrap();
        let rows = balances["rows"].as_array().unwrap();
        assert!(rows.len() >= 5);
        assert!(rows.iter().all(|row| row["cells"][2].as_i64().is_some_and(|balance| balance >= 0)), "{}", balances["rows"][0]);
    });
}

#[test]
fn the_lab_loads_a_demo_history_of_the_size_asked() {
    let lab = Lab::new(MemoryStore::new(), Box::new(TestEnv::new()));
    let imported = block_on(lab.load_demo(1, 1_000)).unwrap();
    assert_eq!(imported, 1_000);
    assert_eq!(lab.head(), imported as u64);
}

#[test]
fn the_console_asks_for_a_demo_history_by_size_and_seed_each_optional() {
    assert_eq!(demo_options(&json!(null)).unwrap(), (DEMO_SEED, DEMO_EVENTS));
    assert_eq!(demo_options(&json!({})).unwrap(), (DEMO_SEED, DEMO_EVENTS));
    assert_eq!(demo_options(&json!({ "events": 1000 })).unwrap(), (DEMO_SEED, 1000));
    assert_eq!(demo_options(&json!({ "seed": 42, "events": null })).unwrap(), (42, DEMO_EVENTS));
    assert_eq!(demo_options(&json!({ "events": 0, "seed": 0 })).unwrap(), (0, 0));
    assert_eq!(demo_options(&json!({ "events": DEMO_MAX_EVENTS })).unwrap(), (DEMO_SEED, DEMO_MAX_EVENTS));
}

// Asked for something else, the console refuses and says why, rather than replacing
// the log with a history nobody asked for (or, asked for 10^12 events, running the
// page out of memory).
#[test]
fn a_demo_history_too_long_or_not_a_whole_number_is_refused_with_the_reason() {
    let refused = |input: serde_json::Value| {
        let error = demo_options(&input).expect_err(&input.to_string());
        assert_eq!(error.code, "invalid_demo", "{input}");
        error.message
    };
    assert_eq!(refused(json!({ "events": DEMO_MAX_EVENTS + 1 })), "a demo history has at most 1000000 events, not 1000001");
    assert_eq!(refused(json!({ "events": 1e12 })), "events must be a whole number from 0, not 1000000000000.0");
    assert_eq!(refused(json!({ "events": 1_000_000_000_000u64 })), "a demo history has at most 1000000 events, not 1000000000000");
    assert_eq!(refused(json!({ "events": -5 })), "events must be a whole number from 0, not -5");
    assert_eq!(refused(json!({ "events": 2.5 })), "events must be a whole number from 0, not 2.5");
    assert_eq!(refused(json!({ "events": "1000" })), "events must be a whole number from 0, not \"1000\"");
    assert_eq!(refused(json!({ "seed": -1 })), "seed must be a whole number from 0, not -1");
    assert_eq!(refused(json!(1000)), "pass {events, seed} (both optional), not 1000");
    assert_eq!(refused(json!([1000, 42])), "pass {events, seed} (both optional), not [1000,42]");
}

/// [`TestEnv`] that keeps what the lab hands it to free, to count it and free it later.
struct Keeping {
    ids: TestEnv,
    kept: Rc<RefCell<Vec<Box<dyn Any>>>>,
}

impl Environment for Keeping {
    fn now(&self) -> DateTime<Utc> {
        self.ids.now()
    }

    fn new_id(&self) -> String {
        self.ids.new_id()
    }

    fn release(&self, garbage: Box<dyn Any>) {
        self.kept.borrow_mut().push(garbage);
    }
}

#[test]
fn a_log_replaced_or_cleared_is_handed_to_the_environment_to_free_and_the_lab_goes_on_without_it() {
    let kept = Rc::new(RefCell::new(Vec::new()));
    let lab = Lab::new(MemoryStore::new(), Box::new(Keeping { ids: TestEnv::new(), kept: kept.clone() }));
    block_on(lab.load_demo(1, 600)).unwrap();
    let first = lab.export_log();
    let events_of = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap()["events"].clone();
    let handed = kept.borrow().len();

    // Another history replaces the loaded one: the loaded one's state is handed over.
    block_on(lab.load_demo(2, 400)).unwrap();
    assert_eq!(kept.borrow().len(), handed + 1, "the replaced state goes to Environment::release");
    assert_eq!(lab.head(), 400);

    // Importing a file over it: the same.
    assert_eq!(block_on(lab.import_log(first.clone())).map_err(|error| error.message), Ok(600));
    assert_eq!(kept.borrow().len(), handed + 2);
    assert_eq!(events_of(&lab.export_log()), events_of(&first), "the lab holds exactly the imported log");

    // Clearing: the same, and the lab is empty.
    block_on(lab.reset()).unwrap();
    assert_eq!(kept.borrow().len(), handed + 3);
    assert_eq!(lab.head(), 0);

    // Freeing what was handed over later changes nothing in the lab.
    kept.borrow_mut().clear();
    assert_eq!(lab.head(), 0);
    assert_eq!(block_on(lab.import_log(first.clone())).map_err(|error| error.message), Ok(600));
    assert_eq!(events_of(&lab.export_log()), events_of(&first));
}
