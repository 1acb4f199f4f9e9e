#![cfg(target_arch = "wasm32")]
//! The store contract, in headless Chrome, against IndexedDB: the same specification
//! the in-memory store keeps natively, plus what only a shared database can show.
//!
//! Each test opens its own database, so the tests cannot see each other's events.
//! Run: `wasm-pack test --headless --chrome -- --test browser_store_contract`.

use std::cell::Cell;
use std::rc::Rc;

use chrono::{TimeZone, Utc};
use serde_json::json;
use wasm_bindgen_test::*;

use kiroku::browser::broadcast::LogChanges;
use kiroku::browser::indexed_db::IndexedDbStore;
use kiroku::event_sourcing::recorded::{EventMetadata, NewEvent, StreamId};
use kiroku::event_sourcing::store::{AppendError, EventStore, ExpectedVersion};
use kiroku::event_sourcing::testing::store_contract;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn an_empty_store_reads_nothing() {
    store_contract::an_empty_store_reads_nothing(|| async {
        IndexedDbStore::open("kiroku-contract-empty").await.unwrap()
    })
    .await;
}

#[wasm_bindgen_test]
async fn it_reads_back_appends_in_order() {
    store_contract::it_reads_back_appends_in_order(|| async {
        IndexedDbStore::open("kiroku-contract-in-order").await.unwrap()
    })
    .await;
}

#[wasm_bindgen_test]
async fn it_keeps_data_and_metadata_exactly() {
    store_contract::it_keeps_data_and_metadata_exactly(|| async {
        IndexedDbStore::open("kiroku-contract-exactly").await.unwrap()
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_stale_expected_version_is_a_conflict_and_writes_nothing() {
    store_contract::a_stale_expected_version_is_a_conflict_and_writes_nothing(|| async {
        IndexedDbStore::open("kiroku-contract-stale").await.unwrap()
    })
    .await;
}

#[wasm_bindgen_test]
async fn any_version_appends_without_a_check() {
    store_contract::any_version_appends_without_a_check(|| async {
        IndexedDbStore::open("kiroku-contract-any").await.unwrap()
    })
    .await;
}

#[wasm_bindgen_test]
async fn it_keeps_events_when_reopened() {
    store_contract::it_keeps_events_when_reopened(|| async {
        IndexedDbStore::open("kiroku-contract-reopened").await.unwrap()
    })
    .await;
}

#[wasm_bindgen_test]
async fn it_keeps_documents_when_reopened_and_clear_removes_them() {
    store_contract::it_keeps_documents_when_reopened_and_clear_removes_them(|| async {
        IndexedDbStore::open("kiroku-contract-documents").await.unwrap()
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_outbox_holds_each_event_until_it_is_marked_published() {
    store_contract::the_outbox_holds_each_event_until_it_is_marked_published(|| async {
        IndexedDbStore::open("kiroku-contract-outbox").await.unwrap()
    })
    .await;
}

#[wasm_bindgen_test]
async fn replace_all_swaps_in_a_whole_log() {
    store_contract::replace_all_swaps_in_a_whole_log(|| async {
        IndexedDbStore::open("kiroku-contract-replace").await.unwrap()
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_long_log_reads_back_whole_from_any_position() {
    store_contract::a_long_log_reads_back_whole_from_any_position(|| async {
        IndexedDbStore::open("kiroku-contract-long").await.unwrap()
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_read_shares_each_name_through_the_interner_it_is_given() {
    store_contract::a_read_shares_each_name_through_the_interner_it_is_given(|| async {
        IndexedDbStore::open("kiroku-contract-names").await.unwrap()
    })
    .await;
}

#[wasm_bindgen_test]
async fn clear_removes_every_event() {
    store_contract::clear_removes_every_event(|| async {
        IndexedDbStore::open("kiroku-contract-clear").await.unwrap()
    })
    .await;
}

fn event(id: &str) -> NewEvent {
    NewEvent {
        event_id: id.into(),
        event_type: "ItemAdded".into(),
        schema_version: 1,
        data: json!({"quantity": 1}).into(),
        metadata: EventMetadata {
            correlation_id: format!("corr-{id}").into(),
            causation_id: format!("cause-{id}").into(),
            recorded_at: Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap(),
            actor: "workshop-user".into(),
        },
    }
}

/// Two handles on one database are two tabs: both saw version 1 and both append
/// on it at the same time. IndexedDB runs their transactions one after the other,
/// so the second one reads version 2 and is refused, as a UNIQUE(stream, version)
/// constraint would refuse it.
#[wasm_bindgen_test]
async fn two_tabs_appending_on_the_same_version_conflict() {
    let name = "kiroku-two-tabs";
    let tab_a = IndexedDbStore::open(name).await.unwrap();
    let tab_b = IndexedDbStore::open(name).await.unwrap();
    tab_a.clear().await.unwrap();
    let order = StreamId::new("Order", "1");
    tab_a.append(&order, ExpectedVersion::Exact(0), vec![event("e1")]).await.unwrap();

    for tab in [&tab_a, &tab_b] {
        let stream = tab.read_stream("Order-1").await.unwrap();
        assert_eq!(stream.last().map(|event| event.stream_version), Some(1), "both tabs see version 1");
    }

    let (a, b) = futures::future::join(
        tab_a.append(&order, ExpectedVersion::Exact(1), vec![event("e2")]),
        tab_b.append(&order, ExpectedVersion::Exact(1), vec![event("e3")]),
    )
    .await;
    let conflict = Err(AppendError::Conflict { expected: 1, actual: 2 });
    match (&a, &b) {
        (Ok(written), other) | (other, Ok(written)) => {
            assert_eq!(other, &conflict, "the other tab is refused");
            assert_eq!((written[0].stream_version, written[0].position), (2, 2));
        }
        _ => panic!("exactly one tab must succeed, got {a:?} and {b:?}"),
    }

    for tab in [&tab_a, &tab_b] {
        let log = tab.read_all(0).await.unwrap();
        assert_eq!(log.len(), 2, "the log holds exactly 2 events");
        assert_eq!(tab.head_position().await.unwrap(), 2);
        assert_eq!(tab.read_stream("Order-1").await.unwrap().len(), 2);
    }
}

/// The store says when the log changed (the page tells its other tabs with it): after
/// each committed append, replacement and clear; not after a refused append, nor
/// after saving a document.
#[wasm_bindgen_test]
async fn each_committed_change_of_the_log_and_nothing_else_is_announced() {
    let store = IndexedDbStore::open("kiroku-announced").await.unwrap();
    store.clear().await.unwrap();
    let announced = Rc::new(Cell::new(0));
    let count = announced.clone();
    store.on_log_written(Rc::new(move || count.set(count.get() + 1)));

    let order = StreamId::new("Order", "1");
    let first = store.append(&order, ExpectedVersion::Exact(0), vec![event("e1")]).await.unwrap();
    assert_eq!(announced.get(), 1, "an append");
    store.append_with_outbox(&order, ExpectedVersion::Exact(1), vec![event("e2")]).await.unwrap();
    assert_eq!(announced.get(), 2, "an append with its outbox messages");
    let refused = store.append(&order, ExpectedVersion::Exact(1), vec![event("e3")]).await;
    assert_eq!(refused, Err(AppendError::Conflict { expected: 1, actual: 2 }));
    assert_eq!(announced.get(), 2, "a refused append wrote nothing to tell");
    store.save_document("projections", "{}").await.unwrap();
    assert_eq!(announced.get(), 2, "a document is not the log");
    store.replace_all(&first).await.unwrap();
    assert_eq!(announced.get(), 3, "a replacement");
    store.clear().await.unwrap();
    assert_eq!(announced.get(), 4, "a clear");
}

/// What a tab announces, the other tabs on the database hear, and it does not; the
/// changes of one task (a burst of commands) are told once.
#[wasm_bindgen_test]
async fn a_change_announced_by_one_tab_is_heard_by_the_others_not_by_itself() {
    let heard = |count: &Rc<Cell<u32>>| -> Rc<dyn Fn()> {
        let count = count.clone();
        Rc::new(move || count.set(count.get() + 1))
    };
    let (a, b, elsewhere) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
    let tab_a = LogChanges::connect("kiroku-log-changes", heard(&a)).unwrap();
    let _tab_b = LogChanges::connect("kiroku-log-changes", heard(&b)).unwrap();
    let _other_database = LogChanges::connect("kiroku-log-changes-other", heard(&elsewhere)).unwrap();
    // Messages are told, and arrive, in later tasks.
    let later = || async {
        let later = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 100).unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(later).await.unwrap();
    };
    tab_a.announce();
    tab_a.announce();
    tab_a.announce();
    later().await;
    assert_eq!((a.get(), b.get(), elsewhere.get()), (0, 1, 0), "three changes in one task, told once");
    tab_a.announce();
    later().await;
    assert_eq!((a.get(), b.get(), elsewhere.get()), (0, 2, 0), "a change in a later task, told again");
}
