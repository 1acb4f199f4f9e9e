#![cfg(not(target_arch = "wasm32"))]
//! Importing an export file (CONTRACT §4): validated whole before anything is
//! written; a bad file changes nothing.

mod common;

use common::*;
use futures::executor::block_on;
use kiroku::event_sourcing::memory_store::MemoryStore;
use kiroku::lab::Lab;
use serde_json::{json, Value};

fn story(lab: &Lab<MemoryStore>) {
    accept(lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    accept(lab, command("AddItem", "o-1", json!({"product_name": "ノートPC", "quantity": 1, "unit_price_cents": 120000})));
    accept(lab, command("CreateAccount", "acc-1", json!({"owner": "John Doe", "initial_balance": 1000})));
    accept(lab, command("ConfirmOrder", "o-1", json!({})));
}

fn export(lab: &Lab<MemoryStore>) -> Value {
    serde_json::from_str(&lab.export_log()).unwrap()
}

/// A lab that went through [`story`], its export, and an empty lab to import into.
fn exported_story() -> (Lab<MemoryStore>, Value, Lab<MemoryStore>) {
    let source = new_lab();
    story(&source);
    let file = export(&source);
    (source, file, new_lab())
}

fn import(lab: &Lab<MemoryStore>, file: &Value) -> Result<usize, String> {
    block_on(lab.import_log(file.to_string())).map_err(|error| format!("{}: {}", error.code, error.message))
}

#[test]
fn an_exported_log_imports_into_another_lab_exactly() {
    let (source, file, target) = exported_story();
    accept(&target, command("CreateOrder", "other", json!({"customer_name": "佐藤花子"})));
    assert_eq!(import(&target, &file), Ok(4));
    assert_eq!(target.export_log().len(), source.export_log().len());
    assert_eq!(to_json(&target.events(&json!({})).unwrap()), file["events"], "the same events, positions, versions, metadata");
    assert_eq!(query(&target, json!({"query_type": "GetOrder", "filters": {"order_id": "o-1"}}))["data"]["summary"]["status"], "confirmed");
    assert_eq!(query(&target, json!({"query_type": "GetOrder", "filters": {"order_id": "other"}}))["data"], Value::Null, "the old log is gone");
    // The imported log goes on.
    let next = accept(&target, command("ShipOrder", "o-1", json!({})));
    assert_eq!((next["events"][0]["position"].as_u64(), next["events"][0]["stream_version"].as_u64()), (Some(5), Some(4)));
}

#[test]
fn a_file_written_out_with_spaces_and_new_lines_imports_the_same_events() {
    let (_, file, target) = exported_story();
    let pretty = serde_json::to_string_pretty(&file).unwrap();
    assert_eq!(block_on(target.import_log(pretty)).map_err(|error| error.message), Ok(4));
    assert_eq!(to_json(&target.events(&json!({})).unwrap()), file["events"]);
    assert_eq!(query(&target, json!({"query_type": "GetOrder", "filters": {"order_id": "o-1"}}))["data"]["summary"]["status"], "confirmed");
}

#[test]
fn a_bad_file_is_refused_with_where_it_is_wrong_and_changes_nothing() {
    let (_, good, target) = exported_story();
    accept(&target, command("CreateOrder", "keep", json!({"customer_name": "佐藤花子"})));
    let before = to_json(&target.events(&json!({})).unwrap());

    let mut cases: Vec<(Value, &str)> = Vec::new();
    cases.push((json!("not an object"), "not an export file"));
    cases.push((json!({"format": "other", "version": 1, "exported_at": "x", "events": []}), "format"));
    cases.push((json!({"format": "kiroku-event-log", "version": 2, "exported_at": "x", "events": []}), "version 2"));
    let mut gap = good.clone();
    gap["events"].as_array_mut().unwrap().remove(1);
    cases.push((gap, "position"));
    let mut version = good.clone();
    version["events"][1]["stream_version"] = json!(5);
    cases.push((version, "version 5"));
    let mut unknown = good.clone();
    unknown["events"][2]["event_type"] = json!("AccountExploded");
    cases.push((unknown, "event 3"));
    let mut twice = good.clone();
    twice["events"][3]["event_id"] = twice["events"][0]["event_id"].clone();
    cases.push((twice, "appears twice"));
    let mut wrong_stream = good.clone();
    wrong_stream["events"][0]["stream_type"] = json!("Account");
    cases.push((wrong_stream, "is not of type"));

    for (file, says) in cases {
        let refused = import(&target, &file).expect_err("a bad file is refused");
        assert!(refused.starts_with("invalid_export"), "{refused}");
        assert!(refused.contains(says), "`{refused}` says where: {says}");
        assert_eq!(to_json(&target.events(&json!({})).unwrap()), before, "nothing changed");
    }
    assert_eq!(query(&target, json!({"query_type": "GetOrder", "filters": {"order_id": "keep"}}))["data"]["summary"]["customer_name"], "佐藤花子");
}
