#![cfg(not(target_arch = "wasm32"))]
//! The projection engine's state survives a reload: a second lab on the same
//! storage (the page opened again) finds every projector where it was left.

mod common;

use std::rc::Rc;

use common::*;
use futures::executor::block_on;
use kiroku::event_sourcing::memory_store::MemoryStore;
use kiroku::event_sourcing::projection_engine::{Fault, FaultMode};
use kiroku::event_sourcing::store::EventStore;
use kiroku::lab::{Lab, PROJECTIONS_DOCUMENT};
use serde_json::{json, Value};

fn open(storage: &Rc<MemoryStore>, prefix: &str) -> Lab<Shared> {
    let lab = Lab::new(Shared(Rc::clone(storage)), Box::new(TestEnv::with_prefix(prefix)));
    block_on(lab.load()).expect("the log loads");
    lab
}

fn item(product: &str, quantity: u32, price: i64) -> Value {
    json!({"product_name": product, "quantity": quantity, "unit_price_cents": price})
}

fn every_item_added() -> Option<Fault> {
    Some(Fault { event_type: Some("ItemAdded".into()), mode: FaultMode::Always, seen: 0 })
}

fn status_of(lab: &Lab<Shared>, name: &str) -> Value {
    let status = serde_json::to_value(lab.projection_status()).unwrap();
    status["projectors"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap().clone()
}

fn total(lab: &Lab<Shared>) -> Value {
    query(lab, json!({"query_type": "GetOrder", "filters": {"order_id": "o-1"}}))["data"]["summary"]["total_cents"].clone()
}

#[test]
fn a_reload_finds_a_failed_projector_stopped_where_it_was_with_its_fault_and_retry_time() {
    let storage = Rc::new(MemoryStore::new());
    let before = open(&storage, "a-");
    accept(&before, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    before.set_fault("order_summary", every_item_added());
    accept(&before, command("AddItem", "o-1", item("ノートPC", 1, 120000)));
    accept(&before, command("AddItem", "o-1", item("マウス", 1, 3000)));
    assert!(block_on(before.persist_if_changed()).unwrap(), "the engine's state changed, so it is saved");
    assert!(!block_on(before.persist_if_changed()).unwrap(), "nothing new: nothing saved");
    let saved = status_of(&before, "order_summary");

    let after = open(&storage, "b-");
    let restored = status_of(&after, "order_summary");
    assert_eq!(restored, saved, "checkpoint, lag, health (with the retry time), fault and counts come back");
    assert_eq!(restored["health"]["state"], "retrying");
    assert_eq!(restored["position"], 1);
    assert_eq!(total(&after), json!(0), "the stopped projector's read model is as it was: nothing added");
    assert_eq!(status_of(&after, "order_details")["lag"], 0, "the others are caught up");

    after.set_fault("order_summary", None);
    after.retry_projector("order_summary").unwrap();
    assert_eq!(total(&after), json!(123000), "once fixed, it catches up");
}

#[test]
fn a_reload_keeps_a_skipped_event_out_of_the_read_model() {
    let storage = Rc::new(MemoryStore::new());
    let before = open(&storage, "a-");
    accept(&before, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    before.set_fault("order_summary", every_item_added());
    accept(&before, command("AddItem", "o-1", item("ノートPC", 1, 120000)));
    before.set_fault("order_summary", None);
    before.skip_projector("order_summary").unwrap();
    accept(&before, command("AddItem", "o-1", item("マウス", 1, 3000)));
    assert_eq!(total(&before), json!(3000), "the skipped laptop is not in the total");
    block_on(before.persist_if_changed()).unwrap();

    let after = open(&storage, "b-");
    assert_eq!(total(&after), json!(3000), "after a reload the skipped event is still out");
    assert_eq!(status_of(&after, "order_summary"), status_of(&before, "order_summary"));
    assert_eq!(status_of(&after, "order_summary")["dead_letters"][0]["resolution"], "skipped");
}

#[test]
fn events_written_after_the_save_are_projected_on_load() {
    let storage = Rc::new(MemoryStore::new());
    let before = open(&storage, "a-");
    accept(&before, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    block_on(before.persist_if_changed()).unwrap();
    // Another tab writes without saving the engine's state.
    let other = open(&storage, "c-");
    accept(&other, command("AddItem", "o-1", item("ノートPC", 1, 120000)));
    let after = open(&storage, "b-");
    assert_eq!(total(&after), json!(120000));
    assert_eq!(status_of(&after, "order_summary")["lag"], 0);
}

#[test]
fn projectors_saved_long_before_the_head_are_brought_back_there_and_caught_up() {
    let storage = Rc::new(MemoryStore::new());
    let before = open(&storage, "a-");
    block_on(before.load_demo(3, 1_500)).unwrap();
    block_on(before.persist_if_changed()).unwrap();
    // Another tab writes many events without saving the engine's state.
    let other = open(&storage, "c-");
    accept(&other, command("CreateAccount", "late", json!({"owner": "Mika", "initial_balance": 0})));
    for _ in 0..40 {
        accept(&other, command("DepositMoney", "late", json!({"amount": 1})));
    }
    let after = open(&storage, "b-");
    let head = after.head();
    let log = log_of(&after);
    assert_eq!(
        serde_json::to_value(after.read_models_at(head).tables()).unwrap(),
        serde_json::to_value(fresh_fold(&log, head).tables()).unwrap()
    );
    assert_eq!(status_of(&after, "account_balances")["lag"], 0);
    assert_eq!(status_of(&after, "order_summary")["lag"], 0);
}

#[test]
fn an_unreadable_saved_state_is_a_fresh_start_not_a_failure() {
    let storage = Rc::new(MemoryStore::new());
    let before = open(&storage, "a-");
    accept(&before, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    accept(&before, command("AddItem", "o-1", item("ノートPC", 1, 120000)));
    block_on(storage.save_document(PROJECTIONS_DOCUMENT, "{ not the engine's state")).unwrap();
    let after = open(&storage, "b-");
    assert_eq!(total(&after), json!(120000), "every projector rebuilt from the log");
    assert_eq!(status_of(&after, "order_summary")["health"]["state"], "running");
}
