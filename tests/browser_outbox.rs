#![cfg(target_arch = "wasm32")]
//! The transactional outbox in IndexedDB: events and outbox messages commit in one
//! transaction, so an aborted one leaves neither; and a log stored before the outbox
//! existed (layout version 1) opens after the upgrade with every event.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use indexed_db_futures::KeyPath;
use kiroku::browser::indexed_db::IndexedDbStore;
use kiroku::event_sourcing::recorded::{EventMetadata, NewEvent, StreamId};
use kiroku::event_sourcing::store::{AppendError, EventStore, ExpectedVersion};
use serde_json::json;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn event(id: &str, event_type: &str) -> NewEvent {
    NewEvent {
        event_id: id.to_owned(),
        event_type: event_type.to_owned(),
        schema_version: 1,
        data: json!({"customer_name": "山田太郎"}),
        metadata: EventMetadata {
            correlation_id: id.to_owned(),
            causation_id: id.to_owned(),
            recorded_at: chrono::DateTime::from_timestamp(0, 0).unwrap(),
            actor: "workshop-user".to_owned(),
        },
    }
}

#[wasm_bindgen_test]
async fn an_aborted_outbox_append_leaves_neither_events_nor_messages() {
    let store = IndexedDbStore::open("kiroku-outbox-abort").await.unwrap();
    store.clear().await.unwrap();
    let order = StreamId::new("Order", "a");
    store.append_with_outbox(&order, ExpectedVersion::Exact(0), vec![event("e1", "OrderCreated")]).await.unwrap();
    store.abort_next_outbox_append();
    let aborted = store.append_with_outbox(&order, ExpectedVersion::Exact(1), vec![event("e2", "OrderConfirmed")]).await;
    assert!(matches!(aborted, Err(AppendError::Storage(_))), "{aborted:?}");
    assert_eq!(store.head_position().await.unwrap(), 1, "the aborted event is not in the log");
    assert_eq!(store.read_stream("Order-a").await.unwrap().len(), 1, "nor in its stream");
    let pending: Vec<String> = store.unpublished(10).await.unwrap().into_iter().map(|e| e.event_id).collect();
    assert_eq!(pending, vec!["e1"], "and its outbox message was not kept either");
    // The stream still takes its next version: nothing half-written stands in the way.
    let next = store.append_with_outbox(&order, ExpectedVersion::Exact(1), vec![event("e3", "OrderConfirmed")]).await.unwrap();
    assert_eq!((next[0].position, next[0].stream_version), (2, 2));
}

#[wasm_bindgen_test]
async fn a_log_stored_in_layout_version_1_opens_after_the_upgrade() {
    let name = "kiroku-layout-v1";
    // The layout of version 1: segments, stream heads, the log head; no outbox.
    let old = Database::open(name)
        .with_version(1u32)
        .with_on_upgrade_needed(|_, db| {
            db.create_object_store("segments").with_key_path(KeyPath::One("last")).build()?;
            db.create_object_store("streams").build()?;
            db.create_object_store("meta").build()?;
            Ok(())
        })
        .await
        .unwrap();
    let recorded = json!([{
        "event_id": "e1", "stream_id": "Order-a", "stream_type": "Order", "stream_version": 1, "position": 1,
        "event_type": "OrderCreated", "schema_version": 1, "data": {"customer_name": "山田太郎"},
        "metadata": {"correlation_id": "c", "causation_id": "c", "recorded_at": "2026-11-22T10:00:00.000Z", "actor": "workshop-user"}
    }]);
    {
        let tx = old.transaction(["segments", "streams", "meta"]).with_mode(TransactionMode::Readwrite).build().unwrap();
        tx.object_store("segments").unwrap().put(json!({"first": 1, "last": 1, "events": recorded.to_string()})).serde().unwrap();
        tx.object_store("streams").unwrap().put(json!({"version": 1, "segments": [1]})).with_key("Order-a").without_key_type().serde().unwrap();
        tx.object_store("meta").unwrap().put(1u64).with_key("head").without_key_type().serde().unwrap();
        tx.commit().await.unwrap();
    }
    old.close();

    let store = IndexedDbStore::open(name).await.unwrap();
    let events = store.read_all(0).await.unwrap();
    assert_eq!(events.len(), 1, "the old log is still there");
    assert_eq!(events[0].data["customer_name"], "山田太郎");
    assert!(store.unpublished(10).await.unwrap().is_empty(), "the new outbox starts empty");
    let next = store
        .append_with_outbox(&StreamId::new("Order", "a"), ExpectedVersion::Exact(1), vec![event("e2", "OrderConfirmed")])
        .await
        .unwrap();
    assert_eq!(next[0].position, 2, "the upgraded log goes on where it was");
    assert_eq!(store.unpublished(10).await.unwrap().len(), 1);
    // The old JSON segment and the new packed one read as one log and one stream.
    let both: Vec<String> = store.read_all(0).await.unwrap().into_iter().map(|e| e.event_id).collect();
    assert_eq!(both, ["e1", "e2"]);
    assert_eq!(store.read_stream("Order-a").await.unwrap().len(), 2);
    let raw = Database::open(name).await.unwrap();
    {
        let tx = raw.transaction(["segments"]).build().unwrap();
        let new: Option<RawSegment> = tx.object_store("segments").unwrap().get(2u64).serde().unwrap().await.unwrap();
        let new = new.expect("the new segment is stored under its last position");
        assert!(new.packed.is_some_and(|bytes| !bytes.is_empty()) && new.events.is_none(), "new segments are packed, not JSON");
    }
    raw.close();
    store.clear().await.unwrap();
}

/// A segment record as stored, to see which layout wrote it.
#[derive(serde::Deserialize)]
struct RawSegment {
    packed: Option<serde_bytes::ByteBuf>,
    events: Option<String>,
}
