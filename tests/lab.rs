#![cfg(not(target_arch = "wasm32"))]
//! The lab through its JSON envelopes, exactly as CONTRACT §2 and §3 shape them.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use futures::executor::block_on;
use serde_json::{json, Value};

use kiroku::event_sourcing::json_text::JsonText;
use kiroku::event_sourcing::memory_store::MemoryStore;
use kiroku::event_sourcing::recorded::{EventMetadata, NewEvent, RecordedEvent, StreamId};
use kiroku::event_sourcing::store::{AppendError, EventStore, ExpectedVersion, StoreError};
use kiroku::lab::{CaughtUp, Lab};

use common::{accept, command, new_lab, query, send, start_time, Shared, TestEnv};

fn item(product_name: &str, quantity: u32, unit_price_cents: i64) -> Value {
    json!({"product_name": product_name, "quantity": quantity, "unit_price_cents": unit_price_cents})
}

/// Three orders, seven events:
/// 1 create o-1 · 2 add ノートPC to o-1 · 3 create o-2 · 4 add 2 マウス to o-1 ·
/// 5 confirm o-1 · 6 create o-3 · 7 add 3 USBケーブル to o-3.
fn seeded() -> Lab<MemoryStore> {
    let lab = new_lab();
    accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    accept(&lab, command("AddItem", "o-1", item("ノートPC", 1, 120000)));
    accept(&lab, command("CreateOrder", "o-2", json!({"customer_name": "佐藤花子"})));
    accept(&lab, command("AddItem", "o-1", item("マウス", 2, 3000)));
    accept(&lab, command("ConfirmOrder", "o-1", json!({})));
    accept(&lab, command("CreateOrder", "o-3", json!({"customer_name": "Suzuki Ichiro"})));
    accept(&lab, command("AddItem", "o-3", item("USBケーブル", 3, 500)));
    assert_eq!(lab.head(), 7);
    lab
}

fn all_events<S: EventStore>(lab: &Lab<S>) -> Value {
    serde_json::to_value(lab.events(&json!({})).expect("the whole log")).unwrap()
}

fn positions(events: &Value) -> Vec<u64> {
    events.as_array().expect("a list of events").iter().map(|event| event["position"].as_u64().unwrap()).collect()
}

fn order_ids(answer: &Value) -> Vec<&str> {
    answer["data"]["orders"]
        .as_array()
        .unwrap_or_else(|| panic!("a list of orders: {answer}"))
        .iter()
        .map(|row| row["order_id"].as_str().unwrap())
        .collect()
}

#[track_caller]
fn assert_invalid(result: &Value, code: &str) {
    assert_eq!(result["status"], "invalid", "{result}");
    assert_eq!(result["error"]["code"], code, "{result}");
    assert!(!result["error"]["message"].as_str().unwrap_or("").trim().is_empty(), "a message for people: {result}");
}

// ---- accepted -----------------------------------------------------------------

#[test]
fn an_accepted_command_answers_with_the_stream_version_and_the_event_as_recorded() {
    let lab = new_lab();
    let mut result = send(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    let event_id = result["events"][0]["event_id"].take();
    assert_eq!(
        result,
        json!({
            "status": "accepted",
            "stream_version": 1,
            "events": [{
                "event_id": null,
                "stream_id": "Order-o-1",
                "stream_type": "Order",
                "stream_version": 1,
                "position": 1,
                "event_type": "OrderCreated",
                "schema_version": 1,
                "data": {"customer_name": "山田太郎"},
                "metadata": {
                    "correlation_id": "id-1",
                    "causation_id": "id-1",
                    "recorded_at": "2026-11-22T10:00:00.000Z",
                    "actor": "workshop-user"
                }
            }]
        })
    );
    let event_id = event_id.as_str().expect("an event id");
    assert!(event_id.starts_with("id-"), "the event id comes from the environment: {event_id}");
    assert_ne!(event_id, "id-1", "the event's id is not the command's id");
    assert_eq!(lab.head(), 1);
}

#[test]
fn positions_run_across_streams_and_versions_within_each_stream() {
    let lab = new_lab();
    let placed = |result: Value| {
        let event = &result["events"][0];
        (result["stream_version"].as_u64().unwrap(), event["stream_id"].as_str().unwrap().to_owned(), event["stream_version"].as_u64().unwrap(), event["position"].as_u64().unwrap(), event["event_type"].as_str().unwrap().to_owned())
    };
    let a = placed(accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"}))));
    let b = placed(accept(&lab, command("CreateOrder", "o-2", json!({"customer_name": "佐藤花子"}))));
    let c = placed(accept(&lab, command("AddItem", "o-1", item("ノートPC", 1, 120000))));
    let d = placed(accept(&lab, command("RemoveItem", "o-1", json!({"product_name": "ノートPC"}))));
    assert_eq!(
        vec![a, b, c, d],
        vec![
            (1, "Order-o-1".to_owned(), 1, 1, "OrderCreated".to_owned()),
            (1, "Order-o-2".to_owned(), 1, 2, "OrderCreated".to_owned()),
            (2, "Order-o-1".to_owned(), 2, 3, "ItemAdded".to_owned()),
            (3, "Order-o-1".to_owned(), 3, 4, "ItemRemoved".to_owned()),
        ]
    );
    // ItemRemoved carries what was removed.
    assert_eq!(all_events(&lab)[3]["data"], item("ノートPC", 1, 120000));
}

#[test]
fn every_command_gets_its_own_command_id_and_a_later_time_from_the_environment() {
    let lab = new_lab();
    let first = accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    let second = accept(&lab, command("AddItem", "o-1", item("ノートPC", 1, 120000)));
    let (m1, m2) = (&first["events"][0]["metadata"], &second["events"][0]["metadata"]);
    assert_eq!(m1["recorded_at"], "2026-11-22T10:00:00.000Z");
    assert_eq!(m2["correlation_id"], m2["causation_id"]);
    assert_ne!(m1["correlation_id"], m2["correlation_id"], "each command starts its own conversation");
    let ids: Vec<&Value> = vec![&m1["correlation_id"], &first["events"][0]["event_id"], &m2["correlation_id"], &second["events"][0]["event_id"]];
    let mut unique: Vec<&str> = ids.iter().map(|id| id.as_str().unwrap()).collect();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 4, "command and event ids are all distinct: {ids:?}");
    let t1 = chrono::DateTime::parse_from_rfc3339(m1["recorded_at"].as_str().unwrap()).unwrap();
    let t2 = chrono::DateTime::parse_from_rfc3339(m2["recorded_at"].as_str().unwrap()).unwrap();
    assert!(t2 > t1, "the second command is recorded later ({t1} then {t2})");
    assert!(t1 >= start_time());
}

#[test]
fn metadata_given_by_the_sender_is_kept() {
    let lab = new_lab();
    let result = accept(
        &lab,
        json!({
            "command_type": "CreateOrder",
            "aggregate_id": "o-1",
            "data": {"customer_name": "山田太郎"},
            "metadata": {"correlation_id": "conv-42", "causation_id": "msg-41", "actor": "alice"}
        }),
    );
    let metadata = &result["events"][0]["metadata"];
    assert_eq!(metadata["correlation_id"], "conv-42");
    assert_eq!(metadata["causation_id"], "msg-41");
    assert_eq!(metadata["actor"], "alice");
    assert_eq!(metadata["recorded_at"], "2026-11-22T10:00:00.000Z", "recorded_at always comes from the environment");
    assert_eq!(all_events(&lab)[0]["metadata"], *metadata, "and it is what the log holds");
}

#[test]
fn metadata_the_sender_leaves_out_is_filled_in() {
    let lab = new_lab();
    let result = accept(
        &lab,
        json!({
            "command_type": "CreateOrder",
            "aggregate_id": "o-1",
            "data": {"customer_name": "山田太郎"},
            "metadata": {"correlation_id": "conv-42"}
        }),
    );
    let metadata = &result["events"][0]["metadata"];
    assert_eq!(metadata["correlation_id"], "conv-42");
    assert_eq!(metadata["causation_id"], "id-1", "caused by the command, whose id the lab chose");
    assert_eq!(metadata["actor"], "workshop-user");
}

#[test]
fn a_command_without_data_is_read_as_empty_data() {
    let lab = new_lab();
    accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    accept(&lab, command("AddItem", "o-1", item("ノートPC", 1, 120000)));
    let result = send(&lab, json!({"command_type": "ConfirmOrder", "aggregate_id": "o-1"}));
    assert_eq!(result["status"], "accepted", "{result}");
    assert_eq!(result["events"][0]["data"], json!({}));
}

// ---- rejected -----------------------------------------------------------------

#[test]
fn confirming_an_empty_order_is_rejected_and_writes_nothing() {
    let lab = new_lab();
    accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    let before = all_events(&lab);
    let result = send(&lab, command("ConfirmOrder", "o-1", json!({})));
    assert_eq!(result["status"], "rejected", "{result}");
    assert_eq!(result["error"]["code"], "empty_order");
    assert!(result["error"]["message"].as_str().is_some_and(|message| message.len() > 10));
    assert_eq!(result.as_object().unwrap().len(), 2, "only status and error: {result}");
    assert_eq!(lab.head(), 1, "the head did not move");
    assert_eq!(all_events(&lab), before);
    // The stream's version did not move either.
    let next = accept(&lab, command("AddItem", "o-1", item("ノートPC", 1, 120000)));
    assert_eq!((next["stream_version"].as_u64(), next["events"][0]["position"].as_u64()), (Some(2), Some(2)));
}

#[test]
fn creating_twice_and_acting_on_nothing_are_rejected_with_their_codes() {
    let lab = new_lab();
    accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    let again = send(&lab, command("CreateOrder", "o-1", json!({"customer_name": "佐藤花子"})));
    assert_eq!((again["status"].as_str(), again["error"]["code"].as_str()), (Some("rejected"), Some("already_exists")));
    let nothing = send(&lab, command("AddItem", "o-404", item("ノートPC", 1, 120000)));
    assert_eq!((nothing["status"].as_str(), nothing["error"]["code"].as_str()), (Some("rejected"), Some("not_found")));
    assert_eq!(lab.head(), 1);
}

// ---- expected_version ---------------------------------------------------------

#[test]
fn a_stale_expected_version_is_a_conflict_and_writes_nothing() {
    let lab = new_lab();
    accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    accept(&lab, command("AddItem", "o-1", item("ノートPC", 1, 120000)));
    let mut envelope = command("AddItem", "o-1", item("マウス", 1, 3000));
    envelope["expected_version"] = json!(1);
    assert_eq!(send(&lab, envelope.clone()), json!({"status": "conflict", "expected_version": 1, "actual_version": 2}));
    envelope["expected_version"] = json!(7);
    assert_eq!(send(&lab, envelope.clone()), json!({"status": "conflict", "expected_version": 7, "actual_version": 2}));
    assert_eq!(lab.head(), 2, "nothing was written");
    envelope["expected_version"] = json!(2);
    let result = accept(&lab, envelope);
    assert_eq!(result["stream_version"], 3);
}

#[test]
fn expected_version_zero_means_the_stream_must_not_exist_yet() {
    let lab = new_lab();
    let mut envelope = command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"}));
    envelope["expected_version"] = json!(0);
    accept(&lab, envelope.clone());
    assert_eq!(send(&lab, envelope), json!({"status": "conflict", "expected_version": 0, "actual_version": 1}));
    assert_eq!(lab.head(), 1);
}

// ---- invalid envelopes --------------------------------------------------------

#[test]
fn malformed_envelopes_are_invalid_with_a_code_and_write_nothing() {
    let lab = new_lab();
    accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    let cases = vec![
        (json!("CreateOrder o-1"), "malformed_envelope", "not an object"),
        (json!([{"command_type": "CreateOrder"}]), "malformed_envelope", "an array"),
        (json!(null), "malformed_envelope", "null"),
        (json!({"aggregate_id": "o-1", "data": {}}), "malformed_envelope", "missing command_type"),
        (json!({"command_type": 5, "aggregate_id": "o-1"}), "malformed_envelope", "command_type not a string"),
        (json!({"command_type": "", "aggregate_id": "o-1"}), "malformed_envelope", "empty command_type"),
        (json!({"command_type": "AddItem", "data": item("ノートPC", 1, 1)}), "malformed_envelope", "missing aggregate_id"),
        (command("AddItem", "", item("ノートPC", 1, 1)), "malformed_envelope", "empty aggregate_id"),
        (command("AddItem", "   ", item("ノートPC", 1, 1)), "malformed_envelope", "blank aggregate_id"),
        (command("AddItem", &"x".repeat(129), item("ノートPC", 1, 1)), "invalid_aggregate_id", "129 characters"),
        (command("PayOrder", "o-1", json!({})), "unknown_command", "unknown command"),
        (command("addItem", "o-1", item("ノートPC", 1, 1)), "unknown_command", "command types are case sensitive"),
        (command("AddItem", "o-1", json!("ノートPC")), "malformed_envelope", "data not an object"),
        (command("AddItem", "o-1", json!({"product_name": "ノートPC", "quantity": "two", "unit_price_cents": 1})), "invalid_data", "quantity \"two\""),
        (command("AddItem", "o-1", json!({"product_name": "ノートPC", "quantity": -1, "unit_price_cents": 1})), "invalid_data", "negative quantity"),
        (command("AddItem", "o-1", json!({"product_name": "ノートPC", "quantity": 1})), "invalid_data", "missing unit_price_cents"),
        (command("AddItem", "o-1", json!({"product_name": "ノートPC", "quantity": 1, "unit_price_cents": 1.5})), "invalid_data", "price not an integer"),
        (command("CreateOrder", "o-2", json!({})), "invalid_data", "missing customer_name"),
        (json!({"command_type": "ConfirmOrder", "aggregate_id": "o-1", "expected_version": -1}), "malformed_envelope", "expected_version -1"),
        (json!({"command_type": "ConfirmOrder", "aggregate_id": "o-1", "expected_version": "1"}), "malformed_envelope", "expected_version a string"),
        (json!({"command_type": "ConfirmOrder", "aggregate_id": "o-1", "expected_version": 1.5}), "malformed_envelope", "expected_version a fraction"),
        (json!({"command_type": "ConfirmOrder", "aggregate_id": "o-1", "metadata": "alice"}), "malformed_envelope", "metadata not an object"),
        (json!({"command_type": "ConfirmOrder", "aggregate_id": "o-1", "metadata": {"actor": 5}}), "malformed_envelope", "actor not a string"),
    ];
    for (envelope, code, what) in cases {
        let result = send(&lab, envelope.clone());
        assert_eq!(result["status"], "invalid", "{what}: {envelope} → {result}");
        assert_eq!(result["error"]["code"], code, "{what}: {envelope} → {result}");
        assert!(!result["error"]["message"].as_str().unwrap_or("").is_empty(), "{what}: a message");
    }
    assert_eq!(lab.head(), 1, "no invalid envelope wrote anything");
}

#[test]
fn an_aggregate_id_of_128_characters_is_accepted_and_129_is_not() {
    let lab = new_lab();
    let id_128 = "a".repeat(128);
    let result = accept(&lab, command("CreateOrder", &id_128, json!({"customer_name": "山田太郎"})));
    assert_eq!(result["events"][0]["stream_id"], format!("Order-{id_128}"));
    assert_invalid(&send(&lab, command("CreateOrder", &"a".repeat(129), json!({"customer_name": "山田太郎"}))), "invalid_aggregate_id");
    // Characters, not bytes: 128 kana (384 bytes in UTF-8) are accepted.
    let kana_128 = "あ".repeat(128);
    accept(&lab, command("CreateOrder", &kana_128, json!({"customer_name": "山田太郎"})));
    assert_invalid(&send(&lab, command("CreateOrder", &"あ".repeat(129), json!({"customer_name": "山田太郎"}))), "invalid_aggregate_id");
    assert_eq!(lab.head(), 2);
}

// ---- queries ------------------------------------------------------------------

#[test]
fn list_orders_lists_every_order_in_creation_order_at_the_head() {
    let lab = seeded();
    let answer = query(&lab, json!({"query_type": "ListOrders", "filters": {}}));
    assert_eq!(answer["status"], "ok");
    assert_eq!(answer["position"], 7);
    assert_eq!(order_ids(&answer), vec!["o-1", "o-2", "o-3"]);
    let first = &answer["data"]["orders"][0];
    assert_eq!(
        (&first["customer_name"], &first["status"], &first["total_cents"], &first["item_count"]),
        (&json!("山田太郎"), &json!("confirmed"), &json!(126000), &json!(3))
    );
    // Filters may be left out altogether.
    assert_eq!(uncached(&lab, json!({"query_type": "ListOrders"})), uncached(&lab, json!({"query_type": "ListOrders", "filters": {}})));
}

#[test]
fn list_orders_filters_by_status() {
    let lab = seeded();
    assert_eq!(order_ids(&query(&lab, json!({"query_type": "ListOrders", "filters": {"status": "confirmed"}}))), vec!["o-1"]);
    assert_eq!(order_ids(&query(&lab, json!({"query_type": "ListOrders", "filters": {"status": "draft"}}))), vec!["o-2", "o-3"]);
    assert!(order_ids(&query(&lab, json!({"query_type": "ListOrders", "filters": {"status": "shipped"}}))).is_empty());
    assert_invalid(&query(&lab, json!({"query_type": "ListOrders", "filters": {"status": "lost"}})), "invalid_data");
}

#[test]
fn list_orders_filters_by_a_part_of_the_customer_name_ignoring_case() {
    let lab = seeded();
    let by_name = |name: &str| query(&lab, json!({"query_type": "ListOrders", "filters": {"customer_name": name}}));
    assert_eq!(order_ids(&by_name("suzuki")), vec!["o-3"]);
    assert_eq!(order_ids(&by_name("ICHI")), vec!["o-3"]);
    assert_eq!(order_ids(&by_name("田")), vec!["o-1"]);
    assert_eq!(order_ids(&by_name("花")), vec!["o-2"]);
    assert!(order_ids(&by_name("nobody")).is_empty());
    let both = query(&lab, json!({"query_type": "ListOrders", "filters": {"customer_name": "田", "status": "draft"}}));
    assert!(order_ids(&both).is_empty(), "both filters apply: {both}");
}

/// A query's answer without the cache's hit-or-miss mark (tests/query_cache.rs checks that).
fn uncached<S: kiroku::event_sourcing::store::EventStore>(lab: &Lab<S>, envelope: Value) -> Value {
    let mut answer = query(lab, envelope);
    if let Some(fields) = answer.as_object_mut() {
        fields.remove("cache");
    }
    answer
}

#[test]
fn get_order_answers_with_the_summary_and_the_details() {
    let lab = seeded();
    let confirmed_at = all_events(&lab)[4]["metadata"]["recorded_at"].clone();
    let answer = uncached(&lab, json!({"query_type": "GetOrder", "filters": {"order_id": "o-1"}}));
    assert_eq!(
        answer,
        json!({
            "status": "ok",
            "position": 7,
            "data": {
                "summary": {
                    "order_id": "o-1",
                    "customer_name": "山田太郎",
                    "status": "confirmed",
                    "total_cents": 126000,
                    "item_count": 3,
                    "updated_at": confirmed_at
                },
                "details": {
                    "order_id": "o-1",
                    "customer_name": "山田太郎",
                    "status": "confirmed",
                    "items": [
                        {"product_name": "ノートPC", "quantity": 1, "unit_price_cents": 120000},
                        {"product_name": "マウス", "quantity": 2, "unit_price_cents": 3000}
                    ],
                    "total_cents": 126000
                }
            }
        })
    );
}

#[test]
fn get_order_of_an_unknown_id_answers_null() {
    let lab = seeded();
    assert_eq!(
        uncached(&lab, json!({"query_type": "GetOrder", "filters": {"order_id": "o-404"}})),
        json!({"status": "ok", "position": 7, "data": null})
    );
}

#[test]
fn a_query_as_of_a_position_answers_as_the_read_models_were_then() {
    let lab = seeded();
    let get = |as_of: u64| uncached(&lab, json!({"query_type": "GetOrder", "filters": {"order_id": "o-1"}, "as_of": as_of}));
    let before_confirming = get(4);
    assert_eq!(before_confirming["position"], 4);
    assert_eq!(before_confirming["data"]["summary"]["status"], "draft");
    assert_eq!(before_confirming["data"]["details"]["items"].as_array().unwrap().len(), 2);
    assert_eq!(get(5)["data"]["summary"]["status"], "confirmed");
    let just_created = get(1);
    assert_eq!(just_created["data"]["details"]["items"], json!([]));
    assert_eq!(just_created["data"]["summary"]["total_cents"], 0);
    assert_eq!(get(0), json!({"status": "ok", "position": 0, "data": null}), "nothing existed at position 0");
    let listed = query(&lab, json!({"query_type": "ListOrders", "as_of": 3}));
    assert_eq!(order_ids(&listed), vec!["o-1", "o-2"]);
    assert_eq!(get(7), uncached(&lab, json!({"query_type": "GetOrder", "filters": {"order_id": "o-1"}})), "as_of the head is the head");
    // Time travel does not move the head.
    assert_eq!(lab.head(), 7);
    assert_eq!(query(&lab, json!({"query_type": "ListOrders"}))["position"], 7);
}

#[test]
fn a_query_as_of_a_position_past_the_head_is_out_of_range() {
    let lab = seeded();
    assert_invalid(&query(&lab, json!({"query_type": "ListOrders", "as_of": 8})), "position_out_of_range");
    assert_invalid(&query(&new_lab(), json!({"query_type": "ListOrders", "as_of": 1})), "position_out_of_range");
    assert_eq!(uncached(&new_lab(), json!({"query_type": "ListOrders", "as_of": 0})), json!({"status": "ok", "position": 0, "data": {"orders": []}}));
}

#[test]
fn malformed_queries_are_invalid() {
    let lab = seeded();
    assert_invalid(&query(&lab, json!({"query_type": "GetAccountBalances", "filters": {}})), "unknown_query");
    assert_invalid(&query(&lab, json!({"query_type": "ListOrders", "filters": {"colour": "red"}})), "invalid_data");
    assert_invalid(&query(&lab, json!({"query_type": "GetOrder", "filters": {}})), "invalid_data");
    assert_invalid(&query(&lab, json!({"query_type": "GetOrder", "filters": {"order_id": "o-1", "extra": 1}})), "invalid_data");
    assert_invalid(&query(&lab, json!({"filters": {}})), "malformed_envelope");
    assert_invalid(&query(&lab, json!("ListOrders")), "malformed_envelope");
    assert_invalid(&query(&lab, json!({"query_type": "ListOrders", "filters": []})), "malformed_envelope");
    assert_invalid(&query(&lab, json!({"query_type": "ListOrders", "as_of": -1})), "malformed_envelope");
    assert_invalid(&query(&lab, json!({"query_type": "ListOrders", "projection": 3})), "malformed_envelope");
}

// ---- events() -----------------------------------------------------------------

#[test]
fn events_lists_the_whole_log_in_position_order() {
    let lab = seeded();
    let events = all_events(&lab);
    assert_eq!(positions(&events), vec![1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(events[4]["event_type"], "OrderConfirmed");
    assert_eq!(events[4]["stream_id"], "Order-o-1");
    assert_eq!(events[4]["stream_version"], 4);
}

#[test]
fn events_filter_by_stream() {
    let lab = seeded();
    let events = serde_json::to_value(lab.events(&json!({"stream_id": "Order-o-1"})).unwrap()).unwrap();
    assert_eq!(positions(&events), vec![1, 2, 4, 5]);
    let versions: Vec<u64> = events.as_array().unwrap().iter().map(|event| event["stream_version"].as_u64().unwrap()).collect();
    assert_eq!(versions, vec![1, 2, 3, 4]);
    assert!(lab.events(&json!({"stream_id": "Order-o-404"})).unwrap().is_empty());
    assert!(lab.events(&json!({"stream_id": "o-1"})).unwrap().is_empty(), "a stream id is <StreamType>-<aggregate id>");
}

#[test]
fn events_filter_by_position_range_inclusive() {
    let lab = seeded();
    let between = |filter: Value| positions(&serde_json::to_value(lab.events(&filter).unwrap()).unwrap());
    assert_eq!(between(json!({"from_position": 3, "to_position": 5})), vec![3, 4, 5]);
    assert_eq!(between(json!({"from_position": 6})), vec![6, 7]);
    assert_eq!(between(json!({"to_position": 2})), vec![1, 2]);
    assert_eq!(between(json!({"from_position": 0, "to_position": 1})), vec![1]);
    assert_eq!(between(json!({"from_position": 8})), Vec::<u64>::new());
    assert_eq!(between(json!({"from_position": 5, "to_position": 3})), Vec::<u64>::new());
    assert_eq!(between(json!({"stream_id": "Order-o-1", "from_position": 2, "to_position": 4})), vec![2, 4]);
}

#[test]
fn events_filter_by_recorded_time_inclusive() {
    let lab = seeded();
    let events = all_events(&lab);
    let at = |position: usize| events[position - 1]["metadata"]["recorded_at"].as_str().unwrap().to_owned();
    let between = |filter: Value| positions(&serde_json::to_value(lab.events(&filter).unwrap()).unwrap());
    assert_eq!(between(json!({"from_time": at(2), "to_time": at(4)})), vec![2, 3, 4]);
    assert_eq!(between(json!({"from_time": at(6)})), vec![6, 7]);
    assert_eq!(between(json!({"to_time": at(1)})), vec![1]);
    assert_eq!(between(json!({"to_time": "2026-11-22T09:59:59Z"})), Vec::<u64>::new(), "nothing before the environment's start");
    // Any RFC 3339 offset reads as the same instant.
    assert_eq!(between(json!({"from_time": "2026-11-22T19:00:00+09:00", "to_time": at(1)})), vec![1]);
    assert_eq!(between(json!({"stream_id": "Order-o-3", "from_time": at(1)})), vec![6, 7]);
}

#[test]
fn events_refuse_an_unknown_filter_or_a_time_that_is_not_rfc_3339() {
    let lab = seeded();
    assert_eq!(lab.events(&json!({"stream": "Order-o-1"})).unwrap_err().code, "invalid_data");
    assert_eq!(lab.events(&json!({"from_time": "yesterday"})).unwrap_err().code, "invalid_data");
    assert_eq!(lab.events(&json!({"from_position": -1})).unwrap_err().code, "invalid_data");
}

// ---- replay() and aggregate_at() ----------------------------------------------

#[test]
fn replay_folds_a_stream_into_its_state() {
    let lab = seeded();
    let replay = serde_json::to_value(lab.replay(&json!({"stream_id": "Order-o-1"})).unwrap()).unwrap();
    assert_eq!(
        replay,
        json!({
            "state": {
                "customer_name": "山田太郎",
                "status": "confirmed",
                "items": [
                    {"product_name": "ノートPC", "quantity": 1, "unit_price_cents": 120000},
                    {"product_name": "マウス", "quantity": 2, "unit_price_cents": 3000}
                ]
            },
            "stream_version": 4,
            "events_replayed": 4,
            "from_snapshot": false
        })
    );
}

#[test]
fn replay_up_to_a_position_stops_there() {
    let lab = seeded();
    let replay = serde_json::to_value(lab.replay(&json!({"stream_id": "Order-o-1", "to_position": 3})).unwrap()).unwrap();
    assert_eq!(replay["stream_version"], 2);
    assert_eq!(replay["events_replayed"], 2);
    assert_eq!(replay["state"]["status"], "draft");
    assert_eq!(replay["state"]["items"], json!([{"product_name": "ノートPC", "quantity": 1, "unit_price_cents": 120000}]));
    let before = serde_json::to_value(lab.replay(&json!({"stream_id": "Order-o-3", "to_position": 5})).unwrap()).unwrap();
    assert_eq!((&before["state"], &before["stream_version"]), (&Value::Null, &json!(0)), "o-3 did not exist yet");
    // use_snapshot is accepted already.
    assert!(lab.replay(&json!({"stream_id": "Order-o-1", "use_snapshot": true})).is_ok());
}

#[test]
fn replay_of_an_unknown_stream_is_not_found() {
    let lab = seeded();
    assert_eq!(lab.replay(&json!({"stream_id": "Order-o-404"})).unwrap_err().code, "not_found");
    assert_eq!(lab.replay(&json!({})).unwrap_err().code, "invalid_data");
    assert_eq!(lab.replay(&json!({"stream_id": "Order-o-1", "to": 3})).unwrap_err().code, "invalid_data");
}

#[test]
fn aggregate_at_a_position_before_creation_has_no_state() {
    let lab = seeded();
    let view = lab.aggregate_at("Order-o-3", 5).expect("the stream exists in the log");
    assert_eq!(
        serde_json::to_value(&view).unwrap(),
        json!({"stream_id": "Order-o-3", "stream_type": "Order", "stream_version": 0, "state": null, "snapshot_version": null, "events_replayed": 0, "snapshot_after": null})
    );
    let created = serde_json::to_value(lab.aggregate_at("Order-o-3", 6).unwrap()).unwrap();
    assert_eq!(created["stream_version"], 1);
    assert_eq!(created["state"], json!({"customer_name": "Suzuki Ichiro", "status": "draft", "items": []}));
    let at_head = serde_json::to_value(lab.aggregate_at("Order-o-1", 7).unwrap()).unwrap();
    assert_eq!((&at_head["stream_version"], &at_head["state"]["status"]), (&json!(4), &json!("confirmed")));
    assert!(lab.aggregate_at("Order-o-404", 7).is_none());
}

#[test]
fn event_at_and_events_between_read_the_working_copy() {
    let lab = seeded();
    assert_eq!(lab.event_at(5).map(|event| event.event_type), Some("OrderConfirmed".into()));
    assert!(lab.event_at(0).is_none());
    assert!(lab.event_at(8).is_none());
    let between: Vec<u64> = lab.events_between(2, 4).iter().map(|event| event.position).collect();
    assert_eq!(between, vec![3, 4]);
}

// ---- reset() ------------------------------------------------------------------

#[test]
fn reset_empties_the_log_the_store_and_every_read_model() {
    let storage = Rc::new(MemoryStore::new());
    let lab = Lab::new(Shared(Rc::clone(&storage)), Box::new(TestEnv::new()));
    accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    accept(&lab, command("AddItem", "o-1", item("ノートPC", 1, 120000)));
    block_on(lab.reset()).unwrap();
    assert_eq!(lab.head(), 0);
    assert_eq!(all_events(&lab), json!([]));
    assert_eq!(block_on(storage.head_position()).unwrap(), 0, "the store itself is empty");
    assert_eq!(uncached(&lab, json!({"query_type": "ListOrders"})), json!({"status": "ok", "position": 0, "data": {"orders": []}}));
    assert_eq!(query(&lab, json!({"query_type": "GetOrder", "filters": {"order_id": "o-1"}}))["data"], Value::Null);
    assert!(lab.replay(&json!({"stream_id": "Order-o-1"})).is_err());
    // The same order can be created again, from position 1.
    let again = accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "佐藤花子"})));
    assert_eq!((again["stream_version"].as_u64(), again["events"][0]["position"].as_u64()), (Some(1), Some(1)));
    assert_eq!(lab.read_models_at(1).order_summary.model.orders.get("o-1").unwrap().customer_name, "佐藤花子");
}

// ---- a lab that loads a store written before --------------------------------------

#[test]
fn a_new_lab_on_a_store_that_holds_events_catches_up_with_them() {
    let storage = Rc::new(MemoryStore::new());
    let first = Lab::new(Shared(Rc::clone(&storage)), Box::new(TestEnv::new()));
    accept(&first, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    accept(&first, command("AddItem", "o-1", item("ノートPC", 1, 120000)));
    let second = Lab::new(Shared(Rc::clone(&storage)), Box::new(TestEnv::with_prefix("b-")));
    assert_eq!(second.head(), 0, "nothing is loaded before catching up");
    assert_eq!(block_on(second.catch_up()).unwrap(), CaughtUp::Appended(2));
    assert_eq!(second.head(), 2);
    assert_eq!(all_events(&second), all_events(&first));
    assert_eq!(
        query(&second, json!({"query_type": "GetOrder", "filters": {"order_id": "o-1"}})),
        query(&first, json!({"query_type": "GetOrder", "filters": {"order_id": "o-1"}}))
    );
    assert_eq!(block_on(second.catch_up()).unwrap(), CaughtUp::Nothing, "nothing new the second time");
}

// ---- two tabs on one store ----------------------------------------------------

fn two_tabs() -> (Rc<MemoryStore>, Lab<Shared>, Lab<Shared>) {
    let storage = Rc::new(MemoryStore::new());
    let a = Lab::new(Shared(Rc::clone(&storage)), Box::new(TestEnv::with_prefix("a-")));
    let b = Lab::new(Shared(Rc::clone(&storage)), Box::new(TestEnv::with_prefix("b-")));
    accept(&a, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    block_on(a.catch_up()).unwrap();
    block_on(b.catch_up()).unwrap();
    assert_eq!((a.head(), b.head()), (1, 1), "both tabs loaded");
    (storage, a, b)
}

#[test]
fn a_second_tab_with_a_stale_working_copy_catches_up_before_deciding() {
    let (storage, a, b) = two_tabs();
    accept(&a, command("AddItem", "o-1", item("ノートPC", 1, 120000)));
    assert_eq!(b.head(), 1, "tab B has not seen tab A's item yet");
    let result = send(&b, command("AddItem", "o-1", item("マウス", 2, 3000)));
    assert_eq!(result["status"], "accepted", "{result}");
    assert_eq!(result["stream_version"], 3);
    assert_eq!(result["events"][0]["position"], 3);
    assert_eq!(b.head(), 3);
    let state = serde_json::to_value(b.replay(&json!({"stream_id": "Order-o-1"})).unwrap()).unwrap();
    assert_eq!(
        state["state"]["items"],
        json!([
            {"product_name": "ノートPC", "quantity": 1, "unit_price_cents": 120000},
            {"product_name": "マウス", "quantity": 2, "unit_price_cents": 3000}
        ])
    );
    let stored = block_on(storage.read_all(0)).unwrap();
    assert_eq!(stored.iter().map(|event| (event.position, event.stream_version)).collect::<Vec<_>>(), vec![(1, 1), (2, 2), (3, 3)]);
    // Tab A sees tab B's item once it catches up, and both tabs agree.
    block_on(a.catch_up()).unwrap();
    assert_eq!(all_events(&a), all_events(&b));
    assert_eq!(
        serde_json::to_value(a.read_models_at(3)).unwrap(),
        serde_json::to_value(b.read_models_at(3)).unwrap()
    );
}

#[test]
fn a_second_tab_that_decides_on_what_the_first_tab_changed_sees_the_change() {
    let (_storage, a, b) = two_tabs();
    accept(&a, command("AddItem", "o-1", item("ノートPC", 1, 120000)));
    accept(&a, command("ConfirmOrder", "o-1", json!({})));
    // Tab B still shows a draft, but the order is confirmed: its AddItem is refused.
    let result = send(&b, command("AddItem", "o-1", item("マウス", 1, 3000)));
    assert_eq!(result["error"]["code"], "order_not_editable", "{result}");
    assert_eq!(b.head(), 3);
}

#[test]
fn a_second_tab_that_sends_the_version_it_saw_gets_a_conflict_and_writes_nothing() {
    let (storage, a, b) = two_tabs();
    accept(&a, command("AddItem", "o-1", item("ノートPC", 1, 120000)));
    let mut envelope = command("AddItem", "o-1", item("マウス", 1, 3000));
    envelope["expected_version"] = json!(1);
    assert_eq!(send(&b, envelope), json!({"status": "conflict", "expected_version": 1, "actual_version": 2}));
    assert_eq!(block_on(storage.head_position()).unwrap(), 2, "nothing was written");
    assert_eq!(b.head(), 2, "tab B has caught up, so it can try again knowing more");
}

/// A store where another writer slips an event in just before the lab's append.
struct Interloper {
    storage: Rc<MemoryStore>,
    slip_in: Rc<RefCell<Option<(StreamId, NewEvent)>>>,
    /// How many times the lab read the log from the store.
    reads: Rc<std::cell::Cell<usize>>,
    /// A position the store's reads of the log leave out (a damaged log).
    gap: Rc<std::cell::Cell<Option<u64>>>,
}

/// A lab whose store has an [`Interloper`] in front of it, with order `o-1` created:
/// the store behind it, the lab, and the interloper's handles.
struct Race {
    storage: Rc<MemoryStore>,
    lab: Lab<Interloper>,
    slip_in: Rc<RefCell<Option<(StreamId, NewEvent)>>>,
    reads: Rc<std::cell::Cell<usize>>,
    gap: Rc<std::cell::Cell<Option<u64>>>,
}

fn race() -> Race {
    let storage = Rc::new(MemoryStore::new());
    let interloper = Interloper { storage: Rc::clone(&storage), slip_in: Rc::default(), reads: Rc::default(), gap: Rc::default() };
    let (slip_in, reads, gap) = (Rc::clone(&interloper.slip_in), Rc::clone(&interloper.reads), Rc::clone(&interloper.gap));
    let lab = Lab::new(interloper, Box::new(TestEnv::new()));
    accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    Race { storage, lab, slip_in, reads, gap }
}

impl Interloper {

    /// The other writer's event, if one is waiting to slip in.
    async fn slip(&self) -> Result<(), AppendError> {
        let slipped = self.slip_in.borrow_mut().take();
        if let Some((other_stream, event)) = slipped {
            self.storage.append(&other_stream, ExpectedVersion::Any, vec![event]).await?;
        }
        Ok(())
    }
}

impl EventStore for Interloper {
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<Vec<RecordedEvent>, AppendError> {
        self.slip().await?;
        self.storage.append(stream, expected, events).await
    }

    async fn read_stream(&self, stream_id: &str) -> Result<Vec<RecordedEvent>, StoreError> {
        self.storage.read_stream(stream_id).await
    }

    async fn read_all(&self, after_position: u64) -> Result<Vec<RecordedEvent>, StoreError> {
        self.reads.set(self.reads.get() + 1);
        let mut events = self.storage.read_all(after_position).await?;
        events.retain(|event| Some(event.position) != self.gap.get());
        Ok(events)
    }

    async fn head_position(&self) -> Result<u64, StoreError> {
        self.storage.head_position().await
    }

    async fn clear(&self) -> Result<(), StoreError> {
        self.storage.clear().await
    }

    async fn load_document(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.storage.load_document(key).await
    }

    async fn append_with_outbox(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<Vec<RecordedEvent>, AppendError> {
        self.slip().await?;
        self.storage.append_with_outbox(stream, expected, events).await
    }

    async fn unpublished(&self, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.storage.unpublished(limit).await
    }

    async fn mark_published(&self, event_ids: &[String]) -> Result<(), StoreError> {
        self.storage.mark_published(event_ids).await
    }

    async fn replace_all(&self, events: &[RecordedEvent]) -> Result<(), StoreError> {
        self.storage.replace_all(events).await
    }

    async fn save_document(&self, key: &str, text: &str) -> Result<(), StoreError> {
        self.storage.save_document(key, text).await
    }
}

fn other_writers_item(product_name: &str) -> NewEvent {
    NewEvent {
        event_id: format!("other-{product_name}").into(),
        event_type: "ItemAdded".into(),
        schema_version: 1,
        data: item(product_name, 1, 500).into(),
        metadata: EventMetadata {
            correlation_id: "other".into(),
            causation_id: "other".into(),
            recorded_at: start_time(),
            actor: "another-tab".into(),
        },
    }
}

#[test]
fn a_write_that_races_the_append_is_caught_up_with_and_the_command_decided_again() {
    let Race { storage, lab, slip_in, .. } = race();
    *slip_in.borrow_mut() = Some((StreamId::new("Order", "o-1"), other_writers_item("ケーブル")));
    // Decided on version 1, refused by the store (version 2 now), decided again on version 2.
    let result = accept(&lab, command("AddItem", "o-1", item("マウス", 1, 3000)));
    assert_eq!((result["stream_version"].as_u64(), result["events"][0]["position"].as_u64()), (Some(3), Some(3)));
    let stored = block_on(storage.read_all(0)).unwrap();
    assert_eq!(stored.iter().map(|event| event.data.to_value()["product_name"].clone()).collect::<Vec<_>>(), vec![Value::Null, json!("ケーブル"), json!("マウス")]);
    assert_eq!(lab.head(), 3, "the lab caught up with the other writer");
    assert_eq!(lab.event_at(2).unwrap().metadata.actor, "another-tab");
}

#[test]
fn a_command_on_a_working_copy_that_is_current_is_one_append_and_no_read() {
    let Race { lab, reads, .. } = race();
    accept(&lab, command("AddItem", "o-1", item("マウス", 1, 3000)));
    assert_eq!(reads.get(), 0, "the working copy held everything the store held");
    // A refusal may come from a stale copy: the lab reads the store before answering it.
    let refused = send(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    assert_eq!(refused["error"]["code"], "already_exists", "{refused}");
    assert_eq!(reads.get(), 1);
}

#[test]
fn a_write_that_races_an_append_with_an_expected_version_is_a_conflict_and_the_lab_catches_up() {
    let Race { storage, lab, slip_in, .. } = race();
    *slip_in.borrow_mut() = Some((StreamId::new("Order", "o-1"), other_writers_item("ケーブル")));
    let mut add = command("AddItem", "o-1", item("マウス", 1, 3000));
    add["expected_version"] = json!(1);
    let result = send(&lab, add.clone());
    assert_eq!(result, json!({"status": "conflict", "expected_version": 1, "actual_version": 2}));
    let stored = block_on(storage.read_all(0)).unwrap();
    assert_eq!(stored.len(), 2, "only the other writer's event was written");
    assert_eq!(stored[1].data.to_value()["product_name"], "ケーブル");
    assert_eq!(lab.head(), 2, "the lab caught up with the other writer");
    // Trying again with the version now current succeeds on top of it.
    add["expected_version"] = json!(2);
    let retry = accept(&lab, add);
    assert_eq!((retry["stream_version"].as_u64(), retry["events"][0]["position"].as_u64()), (Some(3), Some(3)));
}

#[test]
fn a_write_to_another_stream_that_lands_before_the_append_is_taken_in_order() {
    let Race { lab, slip_in, .. } = race();
    accept(&lab, command("CreateOrder", "o-2", json!({"customer_name": "佐藤花子"})));
    *slip_in.borrow_mut() = Some((StreamId::new("Order", "o-2"), other_writers_item("ケーブル")));
    let result = accept(&lab, command("AddItem", "o-1", item("マウス", 1, 3000)));
    assert_eq!(result["events"][0]["position"], 4, "the other writer's event took position 3");
    assert_eq!(lab.head(), 4, "the lab holds both events");
    assert_eq!(positions(&all_events(&lab)), vec![1, 2, 3, 4]);
    let o2 = query(&lab, json!({"query_type": "GetOrder", "filters": {"order_id": "o-2"}}));
    assert_eq!(o2["data"]["summary"]["total_cents"], 500, "the read models saw the other writer's item");
}

#[test]
fn a_tab_notices_that_another_tab_reset_the_store() {
    let (storage, a, b) = two_tabs();
    accept(&a, command("AddItem", "o-1", item("ノートPC", 1, 120000)));
    block_on(b.catch_up()).unwrap();
    assert_eq!(b.head(), 2);
    block_on(a.reset()).unwrap();
    assert_eq!(block_on(storage.head_position()).unwrap(), 0);
    // Tab B creates an order: the store records it at position 1 ...
    let result = accept(&b, command("CreateOrder", "o-9", json!({"customer_name": "佐藤花子"})));
    assert_eq!(result["events"][0]["position"], 1);
    // ... and tab B's working copy must be the store's log: o-9 alone, at position 1.
    assert_eq!(b.head(), 1, "tab B still holds the log that tab A cleared");
    assert_eq!(positions(&all_events(&b)), vec![1]);
    assert_eq!(query(&b, json!({"query_type": "GetOrder", "filters": {"order_id": "o-9"}}))["data"]["summary"]["customer_name"], "佐藤花子");
    assert_eq!(query(&b, json!({"query_type": "GetOrder", "filters": {"order_id": "o-1"}}))["data"], Value::Null);
}

// A page redraws when its tab's catch-up changed anything: a log cleared in another
// tab brings no event, yet every panel changes.
#[test]
fn a_catch_up_says_whether_events_followed_or_the_log_was_another_one() {
    let (_storage, a, b) = two_tabs();
    assert_eq!(block_on(b.catch_up()).unwrap(), CaughtUp::Nothing);
    accept(&a, command("AddItem", "o-1", item("ノートPC", 1, 120000)));
    assert_eq!(block_on(b.catch_up()).unwrap(), CaughtUp::Appended(1));
    block_on(a.reset()).unwrap();
    assert_eq!(block_on(b.catch_up()).unwrap(), CaughtUp::Reloaded(0), "cleared: nothing arrived, and the copy changed");
    assert_eq!(b.head(), 0);
    assert_eq!(query(&b, json!({"query_type": "GetOrder", "filters": {"order_id": "o-1"}}))["data"], Value::Null);
    assert_eq!(block_on(b.catch_up()).unwrap(), CaughtUp::Nothing);
    // From an empty copy, any log only follows it.
    accept(&a, command("CreateOrder", "o-2", json!({"customer_name": "佐藤花子"})));
    assert_eq!(block_on(b.catch_up()).unwrap(), CaughtUp::Appended(1));
    block_on(a.load_demo(3, 1_000)).unwrap();
    assert_eq!(block_on(b.catch_up()).unwrap(), CaughtUp::Reloaded(1_000), "replaced by a longer log");
    assert_eq!(all_events(&b), all_events(&a));
    // The page's catch-up, in its turn with commands, says the same.
    accept(&a, command("CreateOrder", "o-3", json!({"customer_name": "鈴木一郎"})));
    assert_eq!(block_on(b.catch_up_in_turn()).unwrap(), CaughtUp::Appended(1));
    assert_eq!(block_on(b.catch_up_in_turn()).unwrap(), CaughtUp::Nothing);
}

// A refusal decided on a stale copy is decided again once the copy has caught up,
// also when catching up found the log cleared (and so no event arrived).
#[test]
fn a_command_refused_on_a_copy_whose_log_was_cleared_elsewhere_is_decided_again() {
    let (_storage, a, b) = two_tabs();
    accept(&a, command("AddItem", "o-1", item("ノートPC", 1, 120000)));
    accept(&a, command("ConfirmOrder", "o-1", json!({})));
    block_on(b.catch_up()).unwrap();
    block_on(a.reset()).unwrap();
    // Tab B still holds o-1 confirmed; in the store there is no o-1 at all.
    let result = send(&b, command("AddItem", "o-1", item("マウス", 1, 3000)));
    assert_ne!(result["error"]["code"], "order_not_editable", "decided on the stale copy: {result}");
    assert_eq!(b.head(), 0, "tab B reloaded the cleared log");
    let fresh = Lab::new(MemoryStore::new(), Box::new(TestEnv::new()));
    let on_an_empty_log = send(&fresh, command("AddItem", "o-1", item("マウス", 1, 3000)));
    assert_eq!(result, on_an_empty_log, "the answer is the one an empty log gives");
}

#[test]
fn a_tab_reloads_when_the_store_was_reset_and_has_grown_past_its_head() {
    let (storage, a, b) = two_tabs();
    accept(&a, command("AddItem", "o-1", item("ノートPC", 1, 120000)));
    block_on(b.catch_up()).unwrap();
    assert_eq!(b.head(), 2);
    block_on(a.reset()).unwrap();
    accept(&a, command("CreateOrder", "o-7", json!({"customer_name": "鈴木一郎"})));
    accept(&a, command("AddItem", "o-7", item("マウス", 2, 3000)));
    accept(&a, command("ConfirmOrder", "o-7", json!({})));
    // Positions 3.. now exist again, but they follow a different log.
    block_on(b.catch_up()).unwrap();
    let store_ids: Vec<String> = block_on(storage.read_all(0)).unwrap().into_iter().map(|e| e.event_id.to_string()).collect();
    let b_ids: Vec<String> = b.events_between(0, b.head()).into_iter().map(|e| e.event_id.to_string()).collect();
    assert_eq!(b_ids, store_ids, "tab B's working copy is the store's new log");
    assert_eq!(query(&b, json!({"query_type": "GetOrder", "filters": {"order_id": "o-1"}}))["data"], Value::Null);
    assert_eq!(query(&b, json!({"query_type": "GetOrder", "filters": {"order_id": "o-7"}}))["data"]["summary"]["status"], "confirmed");
}

#[test]
fn a_gap_in_what_the_store_reads_stops_a_catch_up_with_the_working_copy_whole() {
    let Race { storage, lab, gap, .. } = race();
    // Another tab writes three events; the lab's reads of the log leave out the second.
    for product in ["ケーブル", "マウス", "ノートPC"] {
        block_on(storage.append(&StreamId::new("Order", "o-1"), ExpectedVersion::Any, vec![other_writers_item(product)])).unwrap();
    }
    gap.set(Some(3));
    assert!(block_on(lab.catch_up()).is_err(), "position 4 cannot follow position 2");
    assert_eq!(lab.head(), 2, "the event before the gap is in");
    gap.set(None);
    assert_eq!(block_on(lab.catch_up()).unwrap(), CaughtUp::Appended(2), "once the store reads whole, the rest comes in");
    // The log and the typed events it is folded from still go together.
    assert_eq!(lab.head(), 4);
    let log = common::log_of(&lab);
    let tables = |models: &kiroku::read_models::ReadModels| serde_json::to_value(models.tables()).unwrap();
    for position in 1..=4 {
        assert_eq!(tables(&lab.read_models_at(position)), tables(&common::fresh_fold(&log, position)), "at {position}");
    }
}

// ---- a store's text is checked when its typed event is read ---------------------

#[test]
fn a_stored_event_whose_data_is_not_json_stops_the_load_whatever_its_type() {
    // A store hands back an event's data unchecked (`JsonText::from_stored`): reading
    // the typed event is what refuses it, for every type of event a history holds.
    let demo = Lab::new(MemoryStore::new(), Box::new(TestEnv::new()));
    block_on(demo.load_demo(7, 3000)).expect("a demo history loads");
    let mut types: Vec<RecordedEvent> = demo.events_between(0, demo.head());
    types.sort_by(|a, b| a.event_type.cmp(&b.event_type));
    types.dedup_by(|a, b| a.event_type == b.event_type);
    assert!(types.len() >= 12, "orders, accounts and stock: {} types", types.len());
    for mut event in types {
        event.position = 1;
        event.stream_version = 1;
        event.data = JsonText::from_stored(format!("{{\"broken\": {}", event.data.json()));
        let storage = MemoryStore::new();
        block_on(storage.replace_all(std::slice::from_ref(&event))).unwrap();
        let lab = Lab::new(storage, Box::new(TestEnv::new()));
        let error = block_on(lab.load()).expect_err(&format!("{} with broken data loads", event.event_type));
        assert!(error.0.contains("position 1 cannot be read"), "{}: {}", event.event_type, error.0);
        assert_eq!(lab.head(), 0, "nothing of it is kept");
    }
}
