#![cfg(not(target_arch = "wasm32"))]
//! The store contract, run against the in-memory store. Every "open" is a new handle
//! on the same storage, so reopening sees the same log.

mod common;

use std::rc::Rc;

use futures::executor::block_on;

use kiroku::event_sourcing::memory_store::MemoryStore;
use kiroku::event_sourcing::recorded::{EventMetadata, NewEvent, StreamId};
use kiroku::event_sourcing::store::{AppendError, EventStore, ExpectedVersion};
use kiroku::event_sourcing::testing::store_contract;

use common::Shared;

/// An opener on one shared in-memory store: every call gives a new handle on it.
fn opener() -> impl Fn() -> std::future::Ready<Shared> {
    let storage = Rc::new(MemoryStore::new());
    move || std::future::ready(Shared(Rc::clone(&storage)))
}

#[test]
fn an_empty_store_reads_nothing() {
    block_on(store_contract::an_empty_store_reads_nothing(opener()));
}

#[test]
fn it_reads_back_appends_in_order() {
    block_on(store_contract::it_reads_back_appends_in_order(opener()));
}

#[test]
fn it_keeps_data_and_metadata_exactly() {
    block_on(store_contract::it_keeps_data_and_metadata_exactly(opener()));
}

#[test]
fn a_stale_expected_version_is_a_conflict_and_writes_nothing() {
    block_on(store_contract::a_stale_expected_version_is_a_conflict_and_writes_nothing(opener()));
}

#[test]
fn any_version_appends_without_a_check() {
    block_on(store_contract::any_version_appends_without_a_check(opener()));
}

#[test]
fn it_keeps_events_when_reopened() {
    block_on(store_contract::it_keeps_events_when_reopened(opener()));
}

#[test]
fn it_keeps_documents_when_reopened_and_clear_removes_them() {
    block_on(store_contract::it_keeps_documents_when_reopened_and_clear_removes_them(opener()));
}

#[test]
fn the_outbox_holds_each_event_until_it_is_marked_published() {
    block_on(store_contract::the_outbox_holds_each_event_until_it_is_marked_published(opener()));
}

#[test]
fn a_failed_outbox_write_leaves_neither_the_events_nor_the_messages() {
    let store = MemoryStore::new();
    block_on(store.append(&StreamId::new("Order", "a"), ExpectedVersion::Exact(0), vec![new_event("e1")])).unwrap();
    store.fail_next_outbox_write();
    let failed = block_on(store.append_with_outbox(&StreamId::new("Order", "a"), ExpectedVersion::Exact(1), vec![new_event("e2")]));
    assert!(matches!(failed, Err(AppendError::Storage(_))), "{failed:?}");
    assert_eq!(block_on(store.head_position()).unwrap(), 1, "no event");
    assert!(block_on(store.unpublished(10)).unwrap().is_empty(), "no message");
    let next = block_on(store.append_with_outbox(&StreamId::new("Order", "a"), ExpectedVersion::Exact(1), vec![new_event("e3")])).unwrap();
    assert_eq!(next[0].position, 2, "the next append takes the place the failed one did not");
    assert_eq!(block_on(store.unpublished(10)).unwrap().len(), 1);
}

fn new_event(id: &str) -> NewEvent {
    NewEvent {
        event_id: id.into(),
        event_type: "ItemAdded".into(),
        schema_version: 1,
        data: kiroku::event_sourcing::json_text::JsonText::empty(),
        metadata: EventMetadata {
            correlation_id: id.into(),
            causation_id: id.into(),
            recorded_at: chrono::DateTime::from_timestamp(0, 0).unwrap(),
            actor: "workshop-user".into(),
        },
    }
}

#[test]
fn replace_all_swaps_in_a_whole_log() {
    block_on(store_contract::replace_all_swaps_in_a_whole_log(opener()));
}

#[test]
fn a_long_log_reads_back_whole_from_any_position() {
    block_on(store_contract::a_long_log_reads_back_whole_from_any_position(opener()));
}

#[test]
fn a_read_shares_each_name_through_the_interner_it_is_given() {
    block_on(store_contract::a_read_shares_each_name_through_the_interner_it_is_given(opener()));
}

#[test]
fn clear_removes_every_event() {
    block_on(store_contract::clear_removes_every_event(opener()));
}

#[test]
fn the_contract_runs_on_a_store_that_already_holds_events() {
    // `fresh` clears what a previous run left behind: run the whole contract twice on one storage.
    let open = opener();
    block_on(async {
        store_contract::it_reads_back_appends_in_order(&open).await;
        store_contract::it_keeps_events_when_reopened(&open).await;
        store_contract::an_empty_store_reads_nothing(&open).await;
    });
}

#[test]
#[should_panic(expected = "a reopened store sees the same log")]
fn the_reopen_check_catches_a_store_that_forgets_its_events() {
    // An opener that gives a brand new, empty store each time must breach the contract.
    block_on(store_contract::it_keeps_events_when_reopened(|| std::future::ready(MemoryStore::new())));
}
