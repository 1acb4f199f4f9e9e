//! Test harnesses that read as specifications, used by native and browser tests alike.
//!
//! - [`given`]`(events).when(command).then(events)` / `.then_rejects(code)` for aggregates;
//! - [`store_contract`]: the one contract every event store must keep, run natively
//!   against the in-memory store and in headless Chrome against IndexedDB.

use std::fmt::Debug;

use super::aggregate::{Aggregate, Rejection};

/// Starts an aggregate specification from the events that already happened.
pub fn given<A: Aggregate>(history: Vec<A::Event>) -> Given<A> {
    Given { history }
}

pub struct Given<A: Aggregate> {
    history: Vec<A::Event>,
}

impl<A: Aggregate> Given<A> {
    /// Decides `command` on the state the history folds into.
    pub fn when(self, command: A::Command) -> Then<A> {
        let state = A::fold(&self.history);
        Then { outcome: A::decide(&state, &command) }
    }
}

pub struct Then<A: Aggregate> {
    outcome: Result<Vec<A::Event>, A::Rejection>,
}

impl<A: Aggregate> Then<A>
where
    A::Event: PartialEq + Debug,
{
    /// The command was accepted and recorded exactly these events.
    #[track_caller]
    pub fn then(self, expected: Vec<A::Event>) {
        match self.outcome {
            Ok(events) => assert_eq!(events, expected, "the command recorded other events"),
            Err(rejection) => panic!(
                "expected events {expected:?}, but the command was rejected: {} ({rejection})",
                rejection.code()
            ),
        }
    }

    /// The command was refused with this code; returns the message for further checks.
    #[track_caller]
    pub fn then_rejects(self, code: &str) -> String {
        match self.outcome {
            Ok(events) => panic!("expected a rejection `{code}`, but the command recorded {events:?}"),
            Err(rejection) => {
                assert_eq!(rejection.code(), code, "rejected, but for another reason: {rejection}");
                rejection.to_string()
            }
        }
    }
}

/// The store contract: each function takes an opener that gives a fresh handle on
/// the same storage (opening twice must see the same events), and panics on a breach.
pub mod store_contract {
    use std::future::Future;

    use chrono::{TimeZone, Utc};
    use serde_json::json;

    use crate::event_sourcing::recorded::{EventMetadata, NewEvent, StreamId};
    use crate::event_sourcing::shared_str::Interner;
    use crate::event_sourcing::store::{AppendError, EventStore, ExpectedVersion};

    fn event(id: &str, event_type: &str, data: serde_json::Value) -> NewEvent {
        NewEvent {
            event_id: id.into(),
            event_type: event_type.into(),
            schema_version: 1,
            data: data.into(),
            metadata: EventMetadata {
                correlation_id: format!("corr-{id}").into(),
                causation_id: format!("cause-{id}").into(),
                recorded_at: Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
                    + chrono::Duration::milliseconds(123),
                actor: "workshop-user".into(),
            },
        }
    }

    async fn fresh<S: EventStore, F: Future<Output = S>>(open: impl Fn() -> F) -> S {
        let store = open().await;
        store.clear().await.expect("clearing the store");
        store
    }

    fn order(id: &str) -> StreamId {
        StreamId::new("Order", id)
    }

    pub async fn an_empty_store_reads_nothing<S: EventStore, F: Future<Output = S>>(open: impl Fn() -> F) {
        let store = fresh(open).await;
        assert_eq!(store.head_position().await.unwrap(), 0);
        assert!(store.read_all(0).await.unwrap().is_empty());
        assert!(store.read_stream("Order-none").await.unwrap().is_empty());
    }

    pub async fn it_reads_back_appends_in_order<S: EventStore, F: Future<Output = S>>(open: impl Fn() -> F) {
        let store = fresh(open).await;
        let a = order("a");
        let b = order("b");
        let first = store
            .append(&a, ExpectedVersion::Exact(0), vec![event("e1", "OrderCreated", json!({})), event("e2", "ItemAdded", json!({"quantity": 1}))])
            .await
            .unwrap();
        assert_eq!(
            first.iter().map(|e| (e.position, e.stream_version)).collect::<Vec<_>>(),
            vec![(1, 1), (2, 2)],
            "the append answers with positions and versions"
        );
        store.append(&b, ExpectedVersion::Exact(0), vec![event("e3", "OrderCreated", json!({}))]).await.unwrap();
        store.append(&a, ExpectedVersion::Exact(2), vec![event("e4", "OrderConfirmed", json!({}))]).await.unwrap();

        let all = store.read_all(0).await.unwrap();
        let summary: Vec<(u64, String, &str, u64)> = all
            .iter()
            .map(|e| (e.position, e.event_id.to_string(), e.stream_id.as_str(), e.stream_version))
            .collect();
        let expected = [(1, "e1", "Order-a", 1), (2, "e2", "Order-a", 2), (3, "e3", "Order-b", 1), (4, "e4", "Order-a", 3)];
        assert_eq!(summary, expected.map(|(position, id, stream, version)| (position, id.to_owned(), stream, version)));
        let stream_a = store.read_stream("Order-a").await.unwrap();
        assert_eq!(stream_a.iter().map(|e| e.stream_version).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(stream_a.iter().map(|e| e.event_id.to_string()).collect::<Vec<_>>(), vec!["e1", "e2", "e4"]);
        let tail = store.read_all(2).await.unwrap();
        assert_eq!(tail.iter().map(|e| e.position).collect::<Vec<_>>(), vec![3, 4], "read_all reads after a position");
        assert_eq!(store.head_position().await.unwrap(), 4);
    }

    pub async fn it_keeps_data_and_metadata_exactly<S: EventStore, F: Future<Output = S>>(open: impl Fn() -> F) {
        let store = fresh(open).await;
        let data = json!({"product_name": "ノートPC", "quantity": 1, "unit_price_cents": 120000, "tags": ["新品", {"nested": null}]});
        let written = store
            .append(&order("j"), ExpectedVersion::Exact(0), vec![event("e1", "ItemAdded", data.clone())])
            .await
            .unwrap();
        let read = store.read_all(0).await.unwrap();
        assert_eq!(read, written, "what is read is exactly what was recorded");
        assert_eq!(read[0].data.to_value(), data);
        assert_eq!(
            serde_json::to_value(&read[0].metadata).unwrap()["recorded_at"],
            json!("2026-11-22T10:00:00.123Z")
        );
    }

    pub async fn a_stale_expected_version_is_a_conflict_and_writes_nothing<S: EventStore, F: Future<Output = S>>(
        open: impl Fn() -> F,
    ) {
        let store = fresh(open).await;
        let a = order("a");
        store.append(&a, ExpectedVersion::Exact(0), vec![event("e1", "OrderCreated", json!({}))]).await.unwrap();
        let stale = store
            .append(&a, ExpectedVersion::Exact(0), vec![event("e2", "OrderCreated", json!({})), event("e3", "ItemAdded", json!({}))])
            .await;
        assert_eq!(stale, Err(AppendError::Conflict { expected: 0, actual: 1 }));
        let ahead = store.append(&a, ExpectedVersion::Exact(5), vec![event("e4", "ItemAdded", json!({}))]).await;
        assert_eq!(ahead, Err(AppendError::Conflict { expected: 5, actual: 1 }));
        assert_eq!(store.head_position().await.unwrap(), 1, "nothing was written");
        assert_eq!(store.read_all(0).await.unwrap().len(), 1);
        assert_eq!(store.read_stream("Order-a").await.unwrap().len(), 1);
        // The stream still accepts the right version afterwards.
        let next = store.append(&a, ExpectedVersion::Exact(1), vec![event("e5", "ItemAdded", json!({}))]).await.unwrap();
        assert_eq!((next[0].position, next[0].stream_version), (2, 2));
    }

    pub async fn any_version_appends_without_a_check<S: EventStore, F: Future<Output = S>>(open: impl Fn() -> F) {
        let store = fresh(open).await;
        let a = order("a");
        store.append(&a, ExpectedVersion::Any, vec![event("e1", "OrderCreated", json!({}))]).await.unwrap();
        let second = store.append(&a, ExpectedVersion::Any, vec![event("e2", "ItemAdded", json!({}))]).await.unwrap();
        assert_eq!(second[0].stream_version, 2);
    }

    pub async fn it_keeps_events_when_reopened<S: EventStore, F: Future<Output = S>>(open: impl Fn() -> F) {
        let written = {
            let store = fresh(&open).await;
            store.append(&order("a"), ExpectedVersion::Exact(0), vec![event("e1", "OrderCreated", json!({"customer_name": "山田太郎"}))]).await.unwrap();
            store.append(&order("a"), ExpectedVersion::Exact(1), vec![event("e2", "ItemAdded", json!({"quantity": 2}))]).await.unwrap();
            store.read_all(0).await.unwrap()
        };
        let reopened = open().await;
        assert_eq!(reopened.read_all(0).await.unwrap(), written, "a reopened store sees the same log");
        assert_eq!(reopened.head_position().await.unwrap(), 2);
        let conflict = reopened.append(&order("a"), ExpectedVersion::Exact(1), vec![event("e3", "ItemAdded", json!({}))]).await;
        assert_eq!(conflict, Err(AppendError::Conflict { expected: 1, actual: 2 }), "stream versions survive reopening");
    }

    pub async fn the_outbox_holds_each_event_until_it_is_marked_published<S: EventStore, F: Future<Output = S>>(
        open: impl Fn() -> F,
    ) {
        {
            let store = fresh(&open).await;
            store.append(&order("a"), ExpectedVersion::Exact(0), vec![event("e1", "OrderCreated", json!({}))]).await.unwrap();
            let written = store
                .append_with_outbox(&order("a"), ExpectedVersion::Exact(1), vec![event("e2", "ItemAdded", json!({"quantity": 1})), event("e3", "ItemAdded", json!({}))])
                .await
                .unwrap();
            assert_eq!(written.iter().map(|e| e.position).collect::<Vec<_>>(), vec![2, 3], "an outbox append is an append");
            let stale = store.append_with_outbox(&order("a"), ExpectedVersion::Exact(1), vec![event("e4", "ItemAdded", json!({}))]).await;
            assert_eq!(stale, Err(AppendError::Conflict { expected: 1, actual: 3 }));
            let pending = store.unpublished(10).await.unwrap();
            assert_eq!(pending, written, "exactly the outbox appends' events wait, as recorded, oldest first");
            assert_eq!(store.unpublished(1).await.unwrap().len(), 1, "at most `limit`");
        }
        let reopened = open().await;
        assert_eq!(reopened.unpublished(10).await.unwrap().len(), 2, "the outbox survives reopening");
        reopened.mark_published(&["e2".to_owned(), "unknown".to_owned()]).await.unwrap();
        let left: Vec<String> = reopened.unpublished(10).await.unwrap().into_iter().map(|e| e.event_id.to_string()).collect();
        assert_eq!(left, vec!["e3"]);
        assert_eq!(reopened.read_all(0).await.unwrap().len(), 3, "publishing takes nothing out of the log");
    }

    pub async fn replace_all_swaps_in_a_whole_log<S: EventStore, F: Future<Output = S>>(open: impl Fn() -> F) {
        let imported = {
            let source = fresh(&open).await;
            for at in 0..5u64 {
                let stream = order(if at % 2 == 0 { "a" } else { "b" });
                let version = source.read_stream(&stream.id).await.unwrap().len() as u64;
                source.append(&stream, ExpectedVersion::Exact(version), vec![event(&format!("i{at}"), "ItemAdded", json!({"n": at}))]).await.unwrap();
            }
            let log = source.read_all(0).await.unwrap();
            source.clear().await.unwrap();
            source.append_with_outbox(&order("old"), ExpectedVersion::Exact(0), vec![event("old", "OrderCreated", json!({}))]).await.unwrap();
            source.save_document("projections", "old state").await.unwrap();
            source.replace_all(&log).await.unwrap();
            log
        };
        let store = open().await;
        assert_eq!(store.read_all(0).await.unwrap(), imported, "the imported log, exactly");
        assert_eq!(store.head_position().await.unwrap(), 5);
        assert_eq!(store.read_stream("Order-a").await.unwrap().len(), 3);
        assert!(store.read_stream("Order-old").await.unwrap().is_empty(), "nothing of the old log is left");
        assert!(store.unpublished(10).await.unwrap().is_empty(), "nor of its outbox");
        assert_eq!(store.load_document("projections").await.unwrap(), None, "nor of its documents");
        let next = store.append(&order("b"), ExpectedVersion::Exact(2), vec![event("n1", "ItemAdded", json!({}))]).await.unwrap();
        assert_eq!((next[0].position, next[0].stream_version), (6, 3), "the imported log goes on where it ends");
        assert_eq!(store.append(&order("a"), ExpectedVersion::Exact(2), vec![event("n2", "ItemAdded", json!({}))]).await, Err(AppendError::Conflict { expected: 2, actual: 3 }));
    }

    /// A log longer than any one read of the store (IndexedDB reads 8,192 positions
    /// at a time): read whole, and after positions on and around the edges of a read.
    pub async fn a_long_log_reads_back_whole_from_any_position<S: EventStore, F: Future<Output = S>>(open: impl Fn() -> F) {
        const EVENTS: u64 = 20_000;
        let streams = [order("a"), order("b"), order("c")];
        let mut versions = [0u64; 3];
        let log: Vec<_> = (1..=EVENTS)
            .map(|position| {
                let which = (position % 3) as usize;
                versions[which] += 1;
                let new = event(&format!("long-{position}"), "ItemAdded", json!({"n": position}));
                new.record(&streams[which], versions[which], position)
            })
            .collect();
        let store = fresh(open).await;
        store.replace_all(&log).await.unwrap();
        assert_eq!(store.read_all(0).await.unwrap(), log, "the whole log, in order");
        for after in [1, 8_191, 8_192, 8_193, 16_383, 16_384, 19_999, 20_000, 25_000] {
            let tail = store.read_all(after).await.unwrap();
            let expected: Vec<u64> = (after + 1..=EVENTS).collect();
            assert_eq!(tail.iter().map(|event| event.position).collect::<Vec<_>>(), expected, "after {after}");
        }
        assert_eq!(store.read_stream("Order-b").await.unwrap().len(), versions[1] as usize);
    }

    /// A read sharing names hands out the interner's copy of each stream id and type,
    /// event type and actor (one copy for the whole read, across the store's
    /// segments), and copies the interner held before the read: an empty log keeps
    /// that interner as its own.
    pub async fn a_read_shares_each_name_through_the_interner_it_is_given<S: EventStore, F: Future<Output = S>>(
        open: impl Fn() -> F,
    ) {
        let streams = [order("a"), order("b"), StreamId::new("Account", "c")];
        let mut versions = [0u64; 3];
        let log: Vec<_> = (1..=2_500u64)
            .map(|position| {
                let which = (position % 3) as usize;
                versions[which] += 1;
                let mut new = event(&format!("named-{position}"), ["ItemAdded", "OrderPlaced"][(position % 2) as usize], json!({}));
                new.metadata.actor = ["ada", "grace"][(position % 5 == 0) as usize].into();
                new.record(&streams[which], versions[which], position)
            })
            .collect();
        let store = fresh(open).await;
        store.replace_all(&log).await.unwrap();
        let mut names = Interner::default();
        let held_before = names.shared("Order-a");
        let read = store.read_all_sharing(0, &mut names).await.unwrap();
        assert_eq!(read, log, "the same events as a plain read");
        for event in &read {
            for name in [&event.stream_id, &event.stream_type, &event.event_type, &event.metadata.actor] {
                assert!(names.shared(name).is_same_copy(name), "event {}: {name} is the interner's copy", event.position);
            }
        }
        let order_a = read.iter().find(|event| event.stream_id == "Order-a").unwrap();
        assert!(order_a.stream_id.is_same_copy(&held_before), "a name the interner held before the read keeps its copy");
        let tail = store.read_all_sharing(2_000, &mut Interner::default()).await.unwrap();
        assert_eq!(tail, log[2_000..], "a read after a position shares too");
    }

    pub async fn it_keeps_documents_when_reopened_and_clear_removes_them<S: EventStore, F: Future<Output = S>>(
        open: impl Fn() -> F,
    ) {
        {
            let store = fresh(&open).await;
            assert_eq!(store.load_document("projections").await.unwrap(), None, "nothing saved yet");
            store.save_document("projections", r#"{"lanes": ["ノート"]}"#).await.unwrap();
            store.save_document("projections", r#"{"lanes": ["replaced"]}"#).await.unwrap();
            store.save_document("other", "x").await.unwrap();
        }
        let reopened = open().await;
        assert_eq!(reopened.load_document("projections").await.unwrap().as_deref(), Some(r#"{"lanes": ["replaced"]}"#));
        assert_eq!(reopened.load_document("other").await.unwrap().as_deref(), Some("x"));
        assert_eq!(reopened.head_position().await.unwrap(), 0, "a document is not an event");
        reopened.clear().await.unwrap();
        assert_eq!(reopened.load_document("projections").await.unwrap(), None, "clear removes documents");
    }

    pub async fn clear_removes_every_event<S: EventStore, F: Future<Output = S>>(open: impl Fn() -> F) {
        let store = fresh(&open).await;
        store.append(&order("a"), ExpectedVersion::Exact(0), vec![event("e1", "OrderCreated", json!({}))]).await.unwrap();
        store.clear().await.unwrap();
        assert_eq!(store.head_position().await.unwrap(), 0);
        assert!(store.read_all(0).await.unwrap().is_empty());
        let again = store.append(&order("a"), ExpectedVersion::Exact(0), vec![event("e2", "OrderCreated", json!({}))]).await.unwrap();
        assert_eq!((again[0].position, again[0].stream_version), (1, 1), "a cleared store starts again at 1");
    }
}
