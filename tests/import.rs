#![cfg(not(target_arch = "wasm32"))]
//! Importing an export file (CONTRACT §4): validated whole before anything is
//! written; a bad file changes nothing.

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::*;
use futures::executor::block_on;
use kiroku::event_sourcing::memory_store::MemoryStore;
use kiroku::event_sourcing::recorded::{NewEvent, RecordedEvent, StreamId};
use kiroku::event_sourcing::store::{AppendError, EventStore, ExpectedVersion, StoreError};
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

fn import<S: EventStore>(lab: &Lab<S>, file: &Value) -> Result<usize, String> {
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
fn an_export_file_holds_one_event_per_line() {
    let (source, file, empty) = exported_story();
    let text = source.export_log();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + 4 + 1, "the file's fields, a line per event, the end");
    assert!(lines[0].starts_with(r#"{"format":"kiroku-event-log","version":1,"exported_at":""#), "{}", lines[0]);
    assert!(lines[0].ends_with(r#"","events":["#), "{}", lines[0]);
    for (line, event) in lines[1..5].iter().zip(file["events"].as_array().unwrap()) {
        let line = line.strip_suffix(',').unwrap_or(line);
        assert_eq!(&serde_json::from_str::<Value>(line).unwrap(), event, "each line is one whole event");
    }
    assert_eq!(lines[5], "]}");
    assert!(text.ends_with("]}\n"), "and the file ends with a new line");
    let nothing = empty.export_log();
    assert!(nothing.starts_with(r#"{"format":"#) && nothing.ends_with("\"events\":[]}\n") && nothing.lines().count() == 1, "{nothing}");
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

#[test]
fn a_file_is_imported_from_its_bytes_as_from_its_text() {
    let (source, _, from_text) = exported_story();
    let from_bytes = new_lab();
    let text = source.export_log();
    assert_eq!(block_on(from_text.import_log(text.clone())).map_err(|error| error.message), Ok(4));
    assert_eq!(block_on(from_bytes.import_log(text.into_bytes())).map_err(|error| error.message), Ok(4));
    assert_eq!(from_bytes.export_log().len(), from_text.export_log().len());
    assert_eq!(to_json(&from_bytes.events(&json!({})).unwrap()), to_json(&from_text.events(&json!({})).unwrap()));
}

#[test]
fn a_file_that_is_not_utf8_text_is_refused_and_changes_nothing() {
    let (source, _, target) = exported_story();
    accept(&target, command("CreateOrder", "keep", json!({"customer_name": "佐藤花子"})));
    let before = to_json(&target.events(&json!({})).unwrap());
    // The file saved in another encoding: 山田太郎 in Shift JIS is not UTF-8.
    let mut bytes = source.export_log().into_bytes();
    let name = "山田太郎".as_bytes();
    let at = bytes.windows(name.len()).position(|window| window == name).unwrap();
    bytes.splice(at..at + name.len(), [0x8e, 0x52, 0x93, 0x63, 0x91, 0xbe, 0x98, 0x59]);

    let refused = block_on(target.import_log(bytes)).map_err(|error| (error.code, error.message)).unwrap_err();
    assert_eq!(refused.0, "invalid_export");
    assert_eq!(refused.1, "not an export file: line 2 is not UTF-8 text (was the file saved in another encoding?)", "the first event's line");
    assert_eq!(to_json(&target.events(&json!({})).unwrap()), before, "nothing changed");
}

/// An in-memory store whose whole-log replaces fail when told to, as IndexedDB's do
/// when the disk is full: nothing of them is written.
#[derive(Clone, Default)]
struct FullDisk {
    storage: Rc<MemoryStore>,
    full: Rc<Cell<bool>>,
}

impl EventStore for FullDisk {
    async fn append(&self, stream: &StreamId, expected: ExpectedVersion, events: Vec<NewEvent>) -> Result<Vec<RecordedEvent>, AppendError> {
        self.storage.append(stream, expected, events).await
    }

    async fn read_stream(&self, stream_id: &str) -> Result<Vec<RecordedEvent>, StoreError> {
        self.storage.read_stream(stream_id).await
    }

    async fn read_all(&self, after_position: u64) -> Result<Vec<RecordedEvent>, StoreError> {
        self.storage.read_all(after_position).await
    }

    async fn head_position(&self) -> Result<u64, StoreError> {
        self.storage.head_position().await
    }

    async fn clear(&self) -> Result<(), StoreError> {
        self.storage.clear().await
    }

    async fn append_with_outbox(&self, stream: &StreamId, expected: ExpectedVersion, events: Vec<NewEvent>) -> Result<Vec<RecordedEvent>, AppendError> {
        self.storage.append_with_outbox(stream, expected, events).await
    }

    async fn unpublished(&self, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.storage.unpublished(limit).await
    }

    async fn mark_published(&self, event_ids: &[String]) -> Result<(), StoreError> {
        self.storage.mark_published(event_ids).await
    }

    async fn replace_all(&self, events: &[RecordedEvent]) -> Result<(), StoreError> {
        if self.full.get() {
            return Err(StoreError("QuotaExceededError: the disk is full".to_owned()));
        }
        self.storage.replace_all(events).await
    }

    async fn load_document(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.storage.load_document(key).await
    }

    async fn save_document(&self, key: &str, text: &str) -> Result<(), StoreError> {
        self.storage.save_document(key, text).await
    }
}

#[test]
fn an_import_the_store_fails_to_write_leaves_the_lab_as_it_was() {
    let disk = FullDisk::default();
    let lab = Lab::new(disk.clone(), Box::new(TestEnv::new()));
    accept(&lab, command("CreateOrder", "keep", json!({"customer_name": "佐藤花子"})));
    lab.set_cache_enabled(false);
    let (events, order) = (to_json(&lab.events(&json!({})).unwrap()), json!({"query_type": "GetOrder", "filters": {"order_id": "keep"}}));
    let answer = query(&lab, order.clone());
    let (_, file, _) = exported_story();

    disk.full.set(true);
    let refused = block_on(lab.import_log(file.to_string())).map_err(|error| (error.code, error.message));
    assert_eq!(refused, Err(("storage_failed".to_owned(), "QuotaExceededError: the disk is full".to_owned())));
    assert_eq!(to_json(&lab.events(&json!({})).unwrap()), events, "the working copy holds the old log");
    assert_eq!(query(&lab, order.clone()), answer, "and its read models");
    assert!(!lab.cache_enabled(), "the query cache keeps its settings");

    disk.full.set(false);
    let next = accept(&lab, command("AddItem", "keep", json!({"product_name": "ペン", "quantity": 2, "unit_price_cents": 300})));
    assert_eq!((next["events"][0]["position"].as_u64(), next["events"][0]["stream_version"].as_u64()), (Some(2), Some(2)), "the old log goes on");
    assert_eq!(block_on(disk.read_all(0)).unwrap().len(), 2);
    assert_eq!(import(&lab, &file), Ok(4), "the same file imports once the store writes again");
    assert_eq!(query(&lab, order)["data"], Value::Null);
}
