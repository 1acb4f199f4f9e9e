#![cfg(not(target_arch = "wasm32"))]
//! Aggregate snapshots (seeds 000 §06, 002, 004): for every aggregate, a snapshot
//! taken after any event plus the events after it is the same state as a fold of
//! the whole stream; a snapshot of a stale schema is ignored; the lab takes them
//! every N events per stream type, saves them beside the log and loads with them.

mod common;

use std::collections::BTreeMap;

use futures::executor::block_on;
use serde_json::{json, Value};

use kiroku::domain::{AggregateState, Event};
use kiroku::event_sourcing::recorded::RecordedEvent;
use kiroku::event_sourcing::snapshot::{Snapshot, SnapshotPolicy, Snapshots, DEFAULT_INTERVAL};
use kiroku::event_sourcing::store::EventStore;
use kiroku::lab::{demo_start, DemoHistory, Lab};

use common::{accept, command, Shared, TestEnv};

/// Every stream of a log, typed, in version order.
fn streams_of(log: &[RecordedEvent]) -> BTreeMap<String, (String, Vec<Event>)> {
    let mut streams: BTreeMap<String, (String, Vec<Event>)> = BTreeMap::new();
    for recorded in log {
        let event = Event::decode(recorded).expect("a readable event");
        streams.entry(recorded.stream_id.to_string()).or_insert_with(|| (recorded.stream_type.to_string(), Vec::new())).1.push(event);
    }
    streams
}

/// A log with every aggregate in it: the demo history (orders, accounts, inventory,
/// products) and a lab's sagas (transfers both ways, an order → inventory cycle).
fn every_aggregate() -> Vec<RecordedEvent> {
    let mut log = DemoHistory::generate(7, 3_000, demo_start());
    let lab = Lab::new(Shared::default(), Box::new(TestEnv::new()));
    lab.set_fulfillment_enabled(true);
    accept(&lab, command("CreateAccount", "acc-1", json!({"owner": "John Doe", "initial_balance": 1000})));
    accept(&lab, command("CreateAccount", "acc-2", json!({"owner": "Jane Doe", "initial_balance": 0})));
    accept(&lab, command("TransferMoney", "acc-1", json!({"to_account": "acc-2", "amount": 300})));
    accept(&lab, command("TransferMoney", "acc-1", json!({"to_account": "acc-2", "amount": 5000})));
    accept(&lab, command("ReceiveStock", "tea", json!({"sku": "tea", "quantity": 5})));
    accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "Ann"})));
    accept(&lab, command("AddItem", "o-1", json!({"product_name": "tea", "quantity": 2, "unit_price_cents": 100})));
    accept(&lab, command("ConfirmOrder", "o-1", json!({})));
    log.extend(lab.events(&json!({})).unwrap());
    log
}

#[test]
fn the_log_used_here_has_every_aggregate() {
    let kinds: std::collections::BTreeSet<String> = streams_of(&every_aggregate()).into_values().map(|(kind, _)| kind).collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["Account", "Fulfillment", "Inventory", "Order", "Product", "Transfer"]
    );
}

#[test]
fn snapshot_plus_tail_equals_the_full_fold_for_every_aggregate_after_every_event() {
    for (stream_id, (stream_type, events)) in streams_of(&every_aggregate()) {
        let full = AggregateState::initial(&stream_type).unwrap().fold(&events).to_value();
        for taken_after in 0..=events.len() {
            let before = AggregateState::initial(&stream_type).unwrap().fold(&events[..taken_after]);
            let snapshot = before.snapshot(&stream_id, taken_after as u64, 0).expect("a state serializes");
            // Through JSON, as a saved snapshot is.
            let saved: Snapshot = serde_json::from_str(&serde_json::to_string(&snapshot).unwrap()).unwrap();
            let restored = AggregateState::restore(&saved).expect("a current snapshot restores");
            assert_eq!(
                restored.fold(&events[taken_after..]).to_value(),
                full,
                "{stream_id}: snapshot after {taken_after} of {} events, then the rest",
                events.len()
            );
        }
    }
}

#[test]
fn a_snapshot_of_a_stale_schema_is_ignored() {
    let state = AggregateState::initial("Account").unwrap();
    let mut snapshot = state.snapshot("Account-a", 0, 0).unwrap();
    assert!(AggregateState::restore(&snapshot).is_some());
    snapshot.schema_version += 1;
    assert_eq!(AggregateState::restore(&snapshot), None, "a schema the aggregate does not have");
    let mut other_type = state.snapshot("Account-a", 0, 0).unwrap();
    other_type.stream_type = "Order".into();
    other_type.state = json!({"owner": "x", "balance": 1}).into();
    assert_eq!(AggregateState::restore(&other_type), None, "an account's state is not an order's");
}

#[test]
fn a_snapshot_is_written_with_its_state_as_a_json_object_and_reads_back() {
    use kiroku::domain::account::AccountEvent;
    let state = AggregateState::initial("Account")
        .unwrap()
        .evolve(&Event::Account(AccountEvent::AccountCreated { owner: "山田太郎".into(), initial_balance: 500 }))
        .evolve(&Event::Account(AccountEvent::MoneyDeposited { amount: 250, balance_after: 750, description: None }));
    let snapshot = state.snapshot("Account-acc-1", 2, 2).unwrap();
    let written: Value = serde_json::to_value(&snapshot).unwrap();
    assert_eq!(written["state"], state.to_value(), "the state is the object itself, not a string holding it");
    let back: Snapshot = serde_json::from_str(&serde_json::to_string(&snapshot).unwrap()).unwrap();
    assert_eq!(back, snapshot);
    assert_eq!(AggregateState::restore(&back), Some(state));
}

#[test]
fn the_policy_is_every_100_by_default_and_set_per_stream_type() {
    let mut policy = SnapshotPolicy::default();
    assert_eq!(DEFAULT_INTERVAL, 100);
    assert!(policy.is_due("Order", 100) && policy.is_due("Order", 200) && !policy.is_due("Order", 99));
    policy.set_interval("Account", 7);
    assert!(policy.is_due("Account", 14) && !policy.is_due("Account", 100) && policy.is_due("Order", 100));
    policy.set_interval("Account", 0);
    assert_eq!(policy.interval("Account"), 1, "at least every event");
    let mut snapshots = Snapshots::with_policy(policy);
    let state = AggregateState::initial("Account").unwrap();
    assert!(snapshots.keep(state.snapshot("Account-a", 14, 30).unwrap()));
    assert!(!snapshots.keep(state.snapshot("Account-a", 7, 20).unwrap()), "an older one does not replace a newer");
    assert_eq!(snapshots.latest("Account-a").unwrap().stream_version, 14);
    assert!(snapshots.at_or_before("Account-a", 29).is_none());
}

/// A lab on `store` with one account of `deposits + 1` events.
fn account_with(store: &Shared, deposits: usize, every: Option<u64>) -> Lab<Shared> {
    let lab = Lab::new(store.clone(), Box::new(TestEnv::new()));
    block_on(lab.load()).unwrap();
    if let Some(every) = every {
        lab.set_snapshot_interval("Account", every);
    }
    accept(&lab, command("CreateAccount", "long", json!({"owner": "Kenji", "initial_balance": 0})));
    for _ in 0..deposits {
        accept(&lab, command("DepositMoney", "long", json!({"amount": 1})));
    }
    lab
}

fn replay(lab: &Lab<Shared>, use_snapshot: bool) -> Value {
    serde_json::to_value(lab.replay(&json!({"stream_id": "Account-long", "use_snapshot": use_snapshot})).unwrap()).unwrap()
}

#[test]
fn the_lab_loads_a_stream_from_its_latest_snapshot_at_every_interval() {
    for every in [1, 2, 3, 7, 10, 50, 100] {
        let lab = account_with(&Shared::default(), 120, Some(every));
        let with = replay(&lab, true);
        let without = replay(&lab, false);
        assert_eq!(with["state"], without["state"], "every {every}");
        assert_eq!(with["state"]["balance"], 120);
        assert_eq!(with["stream_version"], 121);
        assert_eq!(with["from_snapshot"], true, "every {every}");
        assert_eq!(with["events_replayed"], 121 % every, "every {every}: only the events after the snapshot");
        assert_eq!((without["from_snapshot"].clone(), without["events_replayed"].clone()), (json!(false), json!(121)));
        // A command is decided on the snapshot plus the tail: the balance is right.
        accept(&lab, command("WithdrawMoney", "long", json!({"amount": 120})));
        let refused = common::send(&lab, command("WithdrawMoney", "long", json!({"amount": 1})));
        assert_eq!(refused["error"]["code"], "insufficient_funds", "{refused}");
    }
}

#[test]
fn a_position_before_the_latest_snapshot_is_replayed_from_the_start_and_says_why() {
    let lab = account_with(&Shared::default(), 150, None);
    let early = lab.replay(&json!({"stream_id": "Account-long", "to_position": 50})).unwrap();
    assert!(!early.from_snapshot);
    assert_eq!((early.stream_version, early.events_replayed), (50, 50));
    assert_eq!(lab.snapshot_of("Account-long").unwrap().stream_version, 100);
    // The write model's view says why: the stream's only snapshot is later.
    let view = lab.aggregate_at("Account-long", 50).unwrap();
    assert_eq!((view.snapshot_version, view.snapshot_after, view.events_replayed), (None, Some(100), 50));
    let at_head = lab.aggregate_at("Account-long", lab.head()).unwrap();
    assert_eq!((at_head.snapshot_version, at_head.snapshot_after, at_head.events_replayed), (Some(100), None, 51));
}

#[test]
fn snapshots_are_saved_beside_the_log_and_used_after_a_reload() {
    let store = Shared::default();
    let lab = account_with(&store, 250, None);
    block_on(lab.persist_if_changed()).unwrap();
    let saved: Value = serde_json::from_str(&block_on(store.load_document("snapshots")).unwrap().unwrap()).unwrap();
    assert_eq!(saved["by_stream"]["Account-long"]["stream_version"], 200, "{saved}");

    // The reloaded lab uses the saved snapshot (its state is what was saved, even
    // where it differs from a replay: proof that it was read, not recomputed).
    let mut planted = saved.clone();
    planted["by_stream"]["Account-long"]["state"]["owner"] = json!("from the saved snapshot");
    block_on(store.save_document("snapshots", &planted.to_string())).unwrap();
    let reloaded = Lab::new(store.clone(), Box::new(TestEnv::new()));
    block_on(reloaded.load()).unwrap();
    assert_eq!(replay(&reloaded, true)["state"]["owner"], "from the saved snapshot");
    assert_eq!(replay(&reloaded, false)["state"]["owner"], "Kenji");
}

#[test]
fn a_saved_snapshot_of_a_stale_schema_is_discarded_on_load_and_taken_again() {
    let store = Shared::default();
    let lab = account_with(&store, 250, None);
    block_on(lab.persist_if_changed()).unwrap();
    let mut saved: Value = serde_json::from_str(&block_on(store.load_document("snapshots")).unwrap().unwrap()).unwrap();
    saved["by_stream"]["Account-long"]["schema_version"] = json!(99);
    saved["by_stream"]["Account-long"]["state"]["owner"] = json!("stale");
    block_on(store.save_document("snapshots", &saved.to_string())).unwrap();

    let reloaded = Lab::new(store.clone(), Box::new(TestEnv::new()));
    block_on(reloaded.load()).unwrap();
    let snapshot = reloaded.snapshot_of("Account-long").expect("taken again from the log");
    assert_eq!((snapshot.schema_version, snapshot.stream_version), (1, 200));
    assert_eq!(replay(&reloaded, true)["state"]["owner"], "Kenji");
}

#[test]
fn a_saved_snapshot_of_another_log_is_discarded() {
    let store = Shared::default();
    let lab = account_with(&store, 120, None);
    block_on(lab.persist_if_changed()).unwrap();
    let mut saved: Value = serde_json::from_str(&block_on(store.load_document("snapshots")).unwrap().unwrap()).unwrap();
    saved["by_stream"]["Account-long"]["position"] = json!(5000);
    block_on(store.save_document("snapshots", &saved.to_string())).unwrap();
    let reloaded = Lab::new(store.clone(), Box::new(TestEnv::new()));
    block_on(reloaded.load()).unwrap();
    assert_eq!(reloaded.snapshot_of("Account-long").unwrap().position, 100, "taken again where version 100 is");
}

#[test]
fn the_interval_is_kept_with_the_snapshots() {
    let store = Shared::default();
    let lab = account_with(&store, 30, Some(10));
    block_on(lab.persist_if_changed()).unwrap();
    let reloaded = Lab::new(store.clone(), Box::new(TestEnv::new()));
    block_on(reloaded.load()).unwrap();
    assert_eq!(reloaded.snapshot_policy().interval("Account"), 10);
    assert_eq!(reloaded.snapshot_of("Account-long").unwrap().stream_version, 30);
}

/// The snapshot a stream should keep, from its events alone: the state after its last
/// multiple of `every` events.
fn expected_snapshot(stream_id: &str, log: &[RecordedEvent], every: u64) -> Option<Snapshot> {
    let events: Vec<&RecordedEvent> = log.iter().filter(|event| event.stream_id == stream_id).collect();
    let version = events.len() as u64 / every * every;
    let last = events.get(version.checked_sub(1)? as usize)?;
    let state = events[..version as usize]
        .iter()
        .fold(AggregateState::initial(&last.stream_type).unwrap(), |state, event| state.evolve(&Event::decode(event).unwrap()));
    state.snapshot(stream_id, version, last.position)
}

#[test]
fn a_whole_log_imported_at_once_keeps_each_streams_last_due_snapshot() {
    // The demo history: orders, accounts, inventory and products, one valid log.
    let log = DemoHistory::generate(7, 3_000, demo_start());
    let intervals = [("Order", 3), ("Account", 7), ("Inventory", 50), ("Product", 2)];
    let lab = Lab::new(Shared::default(), Box::new(TestEnv::new()));
    block_on(lab.load()).unwrap();
    for (stream_type, every) in intervals {
        lab.set_snapshot_interval(stream_type, every);
    }
    let file = json!({"format": "kiroku-event-log", "version": 1, "events": log}).to_string();
    block_on(lab.import_log(file)).unwrap();
    let mut taken = 0;
    for (stream_id, (stream_type, _)) in streams_of(&log) {
        let every = intervals.iter().find(|(kind, _)| *kind == stream_type).unwrap().1;
        let expected = expected_snapshot(&stream_id, &log, every);
        taken += usize::from(expected.is_some());
        assert_eq!(lab.snapshot_of(&stream_id), expected, "{stream_id}");
    }
    assert!(taken > 100, "most streams are long enough for a snapshot ({taken})");
}
