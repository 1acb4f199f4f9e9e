#![cfg(target_arch = "wasm32")]
//! The transactional outbox in IndexedDB: events and outbox messages commit in one
//! transaction, so an aborted one leaves neither; a log stored before the outbox
//! existed (layout version 1) opens after the upgrade with every event; and stream
//! records live in buckets (layout 4), packed since layout 5, and a log of layout 4
//! opens after the upgrade; segments are compact since layout 6, and a log of layout
//! 5 (every text in every event) opens after the upgrade. A store lets go of its
//! database for a page that opens it in a newer layout or deletes it, and an open that
//! waits on an older page that does not let go says so.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use indexed_db_futures::KeyPath;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::IntoFuture;
use std::rc::Rc;

use kiroku::browser::indexed_db::{bucket_of, IndexedDbStore, LetGo, BUCKETS, SCHEMA_VERSION};
use kiroku::event_sourcing::recorded::{EventMetadata, NewEvent, StreamId};
use kiroku::event_sourcing::store::{AppendError, EventStore, ExpectedVersion};
use serde_json::json;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn event(id: &str, event_type: &str) -> NewEvent {
    NewEvent {
        event_id: id.into(),
        event_type: event_type.into(),
        schema_version: 1,
        data: json!({"customer_name": "山田太郎"}).into(),
        metadata: EventMetadata {
            correlation_id: id.into(),
            causation_id: id.into(),
            recorded_at: chrono::DateTime::from_timestamp(0, 0).unwrap(),
            actor: "workshop-user".into(),
        },
    }
}

/// An empty database in the layout of `version` (1 to 5), as an older page made it.
async fn database_of_layout(name: &str, version: u32) -> Database {
    Database::open(name)
        .with_version(version)
        .with_on_upgrade_needed(move |_, db| {
            db.create_object_store("segments").with_key_path(KeyPath::One("last")).build()?;
            db.create_object_store("streams").build()?;
            db.create_object_store("meta").build()?;
            if version >= 2 {
                db.create_object_store("outbox").build()?;
            }
            if version >= 4 {
                db.create_object_store("stream_buckets").build()?;
            }
            Ok(())
        })
        .await
        .unwrap()
}

/// The first event of an order stream as a JSON segment of layouts 1 and 2 holds it.
fn order_created(id: &str, stream: &str, position: u64, customer: &str) -> serde_json::Value {
    json!({
        "event_id": id, "stream_id": stream, "stream_type": "Order", "stream_version": 1, "position": position,
        "event_type": "OrderCreated", "schema_version": 1, "data": {"customer_name": customer},
        "metadata": {"correlation_id": "c", "causation_id": "c", "recorded_at": "2026-11-22T10:00:00.000Z", "actor": "workshop-user"}
    })
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
    let pending: Vec<String> = store.unpublished(10).await.unwrap().into_iter().map(|e| e.event_id.to_string()).collect();
    assert_eq!(pending, vec!["e1"], "and its outbox message was not kept either");
    // The stream still takes its next version: nothing half-written stands in the way.
    let next = store.append_with_outbox(&order, ExpectedVersion::Exact(1), vec![event("e3", "OrderConfirmed")]).await.unwrap();
    assert_eq!((next[0].position, next[0].stream_version), (2, 2));
}

#[wasm_bindgen_test]
async fn a_log_stored_in_layout_version_1_opens_after_the_upgrade() {
    let name = "kiroku-layout-v1";
    // The layout of version 1: segments, stream heads, the log head; no outbox.
    let old = database_of_layout(name, 1).await;
    let recorded = json!([order_created("e1", "Order-a", 1, "山田太郎"), order_created("b1", "Order-b", 2, "佐藤花子")]);
    {
        let tx = old.transaction(["segments", "streams", "meta"]).with_mode(TransactionMode::Readwrite).build().unwrap();
        tx.object_store("segments").unwrap().put(json!({"first": 1, "last": 2, "events": recorded.to_string()})).serde().unwrap();
        for stream_id in ["Order-a", "Order-b"] {
            tx.object_store("streams").unwrap().put(json!({"version": 1, "segments": [2]})).with_key(stream_id).without_key_type().serde().unwrap();
        }
        tx.object_store("meta").unwrap().put(2u64).with_key("head").without_key_type().serde().unwrap();
        tx.commit().await.unwrap();
    }
    old.close();

    let store = IndexedDbStore::open(name).await.unwrap();
    let events = store.read_all(0).await.unwrap();
    assert_eq!(events.len(), 2, "the old log is still there");
    assert_eq!(events[0].data.to_value()["customer_name"], "山田太郎");
    assert!(store.unpublished(10).await.unwrap().is_empty(), "the new outbox starts empty");
    let next = store
        .append_with_outbox(&StreamId::new("Order", "a"), ExpectedVersion::Exact(1), vec![event("e2", "OrderConfirmed")])
        .await
        .unwrap();
    assert_eq!(next[0].position, 3, "the upgraded log goes on where it was");
    assert_eq!(store.unpublished(10).await.unwrap().len(), 1);
    // The old JSON segment and the new packed one read as one log and one stream.
    let read = store.read_all(0).await.unwrap();
    assert!(read[0].stream_id.is_same_copy(&read[2].stream_id), "the old segment's events share the read's names");
    assert!(read[0].metadata.actor.is_same_copy(&read[1].metadata.actor));
    let all: Vec<String> = read.into_iter().map(|e| e.event_id.to_string()).collect();
    assert_eq!(all, ["e1", "b1", "e2"]);
    let ids = |events: Vec<kiroku::event_sourcing::recorded::RecordedEvent>| events.into_iter().map(|e| e.event_id.to_string()).collect::<Vec<_>>();
    assert_eq!(ids(store.read_stream("Order-a").await.unwrap()), ["e1", "e2"]);
    assert_eq!(ids(store.read_stream("Order-b").await.unwrap()), ["b1"], "a stream not written since the upgrade reads from its old record");
    let conflict = store.append(&StreamId::new("Order", "b"), ExpectedVersion::Exact(0), vec![event("b2", "OrderConfirmed")]).await;
    assert_eq!(conflict, Err(AppendError::Conflict { expected: 0, actual: 1 }), "and its old record still holds its version");
    let raw = Database::open(name).await.unwrap();
    {
        let tx = raw.transaction(["segments", "streams", "stream_buckets"]).build().unwrap();
        let new: Option<RawSegment> = tx.object_store("segments").unwrap().get(3u64).serde().unwrap().await.unwrap();
        let new = new.expect("the new segment is stored under its last position");
        assert!(new.compact.is_some_and(|bytes| !bytes.is_empty()), "new segments are compact");
        assert!(new.packed.is_none() && new.events.is_none(), "not JSON, nor packed as layouts 3 to 5 did");
        // The stream written after the upgrade moved into its bucket; the other stayed.
        let old_a: Option<RawStreamRecord> = tx.object_store("streams").unwrap().get("Order-a").serde().unwrap().await.unwrap();
        let old_b: Option<RawStreamRecord> = tx.object_store("streams").unwrap().get("Order-b").serde().unwrap().await.unwrap();
        assert_eq!((old_a, old_b), (None, Some(RawStreamRecord { version: 1, segments: vec![2] })));
        let bucket: Option<serde_bytes::ByteBuf> =
            tx.object_store("stream_buckets").unwrap().get(bucket_of("Order-a")).serde().unwrap().await.unwrap();
        assert_eq!(unpack(bucket.unwrap())["Order-a"], RawStreamRecord { version: 2, segments: vec![2, 3] });
    }
    raw.close();
    store.clear().await.unwrap();
}

#[wasm_bindgen_test]
async fn an_import_keeps_its_stream_records_in_a_few_buckets() {
    let name = "kiroku-buckets";
    let store = IndexedDbStore::open(name).await.unwrap();
    store.clear().await.unwrap();
    // 3,000 events over 600 streams, as a source store records them.
    let source = kiroku::event_sourcing::memory_store::MemoryStore::new();
    for at in 0..3000u32 {
        let stream = StreamId::new("Order", &format!("o-{}", at % 600));
        let version = u64::from(at / 600);
        source.append(&stream, ExpectedVersion::Exact(version), vec![event(&format!("e{at}"), "ItemAdded")]).await.unwrap();
    }
    let log = source.read_all(0).await.unwrap();
    store.replace_all(&log).await.unwrap();

    let raw = Database::open(name).await.unwrap();
    {
        let tx = raw.transaction(["streams", "stream_buckets"]).build().unwrap();
        let buckets = tx.object_store("stream_buckets").unwrap().count().await.unwrap();
        assert!(buckets <= BUCKETS && buckets > 0, "{buckets} bucket records for 600 streams");
        assert_eq!(tx.object_store("streams").unwrap().count().await.unwrap(), 0, "no record per stream");
    }
    raw.close();
    for stream in ["Order-o-0", "Order-o-321", "Order-o-599"] {
        let events = store.read_stream(stream).await.unwrap();
        assert_eq!(events.iter().map(|e| e.stream_version).collect::<Vec<_>>(), [1, 2, 3, 4, 5], "{stream}");
    }
    let next = store.append(&StreamId::new("Order", "o-321"), ExpectedVersion::Exact(5), vec![event("n", "OrderConfirmed")]).await.unwrap();
    assert_eq!((next[0].position, next[0].stream_version), (3001, 6));
    let stale = store.append(&StreamId::new("Order", "o-322"), ExpectedVersion::Exact(4), vec![event("m", "OrderConfirmed")]).await;
    assert_eq!(stale, Err(AppendError::Conflict { expected: 4, actual: 5 }));
    store.clear().await.unwrap();
}

/// A stream record as stored.
#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq, Clone)]
struct RawStreamRecord {
    version: u64,
    segments: Vec<u64>,
}

/// A segment record as stored, to see which layout wrote it.
#[derive(serde::Deserialize)]
struct RawSegment {
    compact: Option<serde_bytes::ByteBuf>,
    packed: Option<serde_bytes::ByteBuf>,
    events: Option<String>,
}

/// A bucket as layout 5 stores it: postcard bytes of stream id → record.
fn unpack(bytes: serde_bytes::ByteBuf) -> BTreeMap<String, RawStreamRecord> {
    postcard::from_bytes(&bytes).expect("a packed bucket")
}

#[wasm_bindgen_test]
async fn a_log_stored_in_layout_version_4_opens_after_the_upgrade_and_packs_a_bucket_when_it_writes_it() {
    let name = "kiroku-layout-v4";
    // Two streams in one bucket, and a third in another.
    let a = "Order-a";
    let same_bucket = (0..)
        .map(|n| format!("Order-x{n}"))
        .find(|id| bucket_of(id) == bucket_of(a))
        .expect("another stream in the bucket of Order-a");
    let other = (0..).map(|n| format!("Order-y{n}")).find(|id| bucket_of(id) != bucket_of(a)).unwrap();
    let old = database_of_layout(name, 4).await;
    let customer = "山田太郎";
    let events = json!([order_created("e1", a, 1, customer), order_created("e2", &same_bucket, 2, customer), order_created("e3", &other, 3, customer)]);
    let record = RawStreamRecord { version: 1, segments: vec![3] };
    {
        let tx = old.transaction(["segments", "stream_buckets", "meta"]).with_mode(TransactionMode::Readwrite).build().unwrap();
        tx.object_store("segments").unwrap().put(json!({"first": 1, "last": 3, "events": events.to_string()})).serde().unwrap();
        // Layout 4's buckets: stream id → record, as serde writes a map.
        let shared: BTreeMap<String, RawStreamRecord> = [(a.to_owned(), record.clone()), (same_bucket.clone(), record.clone())].into();
        let alone: BTreeMap<String, RawStreamRecord> = [(other.clone(), record.clone())].into();
        let buckets = tx.object_store("stream_buckets").unwrap();
        buckets.put(&shared).with_key(bucket_of(a)).without_key_type().serde().unwrap();
        buckets.put(&alone).with_key(bucket_of(&other)).without_key_type().serde().unwrap();
        tx.object_store("meta").unwrap().put(3u64).with_key("head").without_key_type().serde().unwrap();
        tx.commit().await.unwrap();
    }
    old.close();

    let store = IndexedDbStore::open(name).await.unwrap();
    let ids = |events: Vec<kiroku::event_sourcing::recorded::RecordedEvent>| events.into_iter().map(|e| e.event_id.to_string()).collect::<Vec<_>>();
    assert_eq!(ids(store.read_all(0).await.unwrap()), ["e1", "e2", "e3"], "the old log is still there");
    assert_eq!(ids(store.read_stream(&other).await.unwrap()), ["e3"], "a stream reads from its layout 4 bucket");
    let stale = store.append(&StreamId::new("Order", "a"), ExpectedVersion::Exact(0), vec![event("n0", "OrderConfirmed")]).await;
    assert_eq!(stale, Err(AppendError::Conflict { expected: 0, actual: 1 }), "the layout 4 bucket holds the stream's version");
    let next = store.append(&StreamId::new("Order", "a"), ExpectedVersion::Exact(1), vec![event("n1", "OrderConfirmed")]).await.unwrap();
    assert_eq!((next[0].position, next[0].stream_version), (4, 2));
    assert_eq!(ids(store.read_stream(a).await.unwrap()), ["e1", "n1"]);
    assert_eq!(ids(store.read_stream(&same_bucket).await.unwrap()), ["e2"], "the other stream of the repacked bucket keeps its record");
    let conflict = store.append(&StreamId::new("Order", &same_bucket["Order-".len()..]), ExpectedVersion::Exact(0), vec![event("n2", "OrderConfirmed")]).await;
    assert_eq!(conflict, Err(AppendError::Conflict { expected: 0, actual: 1 }));

    let raw = Database::open(name).await.unwrap();
    {
        let tx = raw.transaction(["stream_buckets"]).build().unwrap();
        let buckets = tx.object_store("stream_buckets").unwrap();
        let written: Option<serde_bytes::ByteBuf> = buckets.get(bucket_of(a)).serde().unwrap().await.unwrap();
        let written = unpack(written.expect("the written bucket is packed"));
        assert_eq!(written[a], RawStreamRecord { version: 2, segments: vec![3, 4] });
        assert_eq!(written[&same_bucket], record);
        let untouched: Option<BTreeMap<String, RawStreamRecord>> = buckets.get(bucket_of(&other)).serde().unwrap().await.unwrap();
        assert_eq!(untouched.expect("a bucket not written since stays as it was")[&other], record);
    }
    raw.close();
    store.clear().await.unwrap();
}

/// One event as a segment of layouts 3 to 5 packed it with postcard: every text in
/// every event, the time in milliseconds.
#[derive(serde::Serialize)]
struct Layout5Event<'a> {
    event_id: &'a str,
    stream_id: &'a str,
    stream_type: &'a str,
    stream_version: u64,
    position: u64,
    event_type: &'a str,
    schema_version: u32,
    data: &'a str,
    correlation_id: &'a str,
    causation_id: &'a str,
    recorded_at_ms: i64,
    actor: &'a str,
    checksum: Option<&'a str>,
}

/// A segment record of layouts 3 to 5.
#[derive(serde::Serialize)]
struct Layout5Segment {
    first: u64,
    last: u64,
    packed: serde_bytes::ByteBuf,
}

#[wasm_bindgen_test]
async fn a_log_stored_in_layout_version_5_opens_after_the_upgrade_and_new_segments_are_compact() {
    let name = "kiroku-layout-v5";
    let uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";
    let old_event = |id: &'static str, stream: &'static str, position: u64| Layout5Event {
        event_id: id,
        stream_id: stream,
        stream_type: "Order",
        stream_version: 1,
        position,
        event_type: "OrderCreated",
        schema_version: 1,
        data: r#"{"customer_name":"山田太郎"}"#,
        correlation_id: "c-1",
        causation_id: "c-1",
        recorded_at_ms: 1_795_000_000_000,
        actor: "workshop-user",
        checksum: None,
    };
    let old = database_of_layout(name, 5).await;
    {
        // A sequence, as layout 5 wrote its `Vec` (an array would be written without its length).
        let packed = postcard::to_allocvec(&vec![old_event(uuid, "Order-a", 1), old_event("b1", "Order-b", 2)]).unwrap();
        let tx = old.transaction(["segments", "stream_buckets", "meta"]).with_mode(TransactionMode::Readwrite).build().unwrap();
        tx.object_store("segments").unwrap().put(Layout5Segment { first: 1, last: 2, packed: packed.into() }).serde().unwrap();
        // Layout 5's buckets: postcard bytes of stream id → record.
        let mut buckets: BTreeMap<u32, BTreeMap<String, RawStreamRecord>> = BTreeMap::new();
        for stream in ["Order-a", "Order-b"] {
            buckets.entry(bucket_of(stream)).or_default().insert(stream.to_owned(), RawStreamRecord { version: 1, segments: vec![2] });
        }
        for (number, bucket) in buckets {
            let bytes = serde_bytes::ByteBuf::from(postcard::to_allocvec(&bucket).unwrap());
            tx.object_store("stream_buckets").unwrap().put(bytes).with_key(number).without_key_type().serde().unwrap();
        }
        tx.object_store("meta").unwrap().put(2u64).with_key("head").without_key_type().serde().unwrap();
        tx.commit().await.unwrap();
    }
    old.close();

    let store = IndexedDbStore::open(name).await.unwrap();
    let events = store.read_all(0).await.unwrap();
    assert_eq!(events.len(), 2, "the old log is still there");
    assert_eq!((events[0].event_id.to_string(), events[1].event_id.to_string()), (uuid.to_owned(), "b1".to_owned()));
    assert_eq!(events[0].data.to_value()["customer_name"], "山田太郎");
    assert_eq!(events[1].metadata.recorded_at.timestamp_millis(), 1_795_000_000_000);
    let next = store.append(&StreamId::new("Order", "a"), ExpectedVersion::Exact(1), vec![event("e2", "OrderConfirmed"), event("e3", "ItemAdded")]).await.unwrap();
    assert_eq!((next[0].position, next[1].position), (3, 4), "the upgraded log goes on where it was");

    let raw = Database::open(name).await.unwrap();
    {
        let tx = raw.transaction(["segments"]).build().unwrap();
        let new: Option<RawSegment> = tx.object_store("segments").unwrap().get(4u64).serde().unwrap().await.unwrap();
        let new = new.expect("the new segment is stored under its last position");
        assert!(new.packed.is_none() && new.events.is_none(), "new segments are not packed as layout 5 did");
        let compact = new.compact.expect("new segments are compact");
        // Written once, not once per event: the stream id, its type, the actor.
        let text = |needle: &str| compact.windows(needle.len()).filter(|window| *window == needle.as_bytes()).count();
        assert_eq!((text("Order-a"), text("workshop-user")), (1, 1), "each repeated text is in the segment once");
    }
    raw.close();

    // The old segment and the compact ones read as one log and one stream, every field kept.
    store.append(&StreamId::new("Order", "a"), ExpectedVersion::Exact(3), vec![event("e4", "OrderConfirmed")]).await.unwrap();
    let all = store.read_all(0).await.unwrap();
    let ids: Vec<String> = all.iter().map(|e| e.event_id.to_string()).collect();
    assert_eq!(ids, [uuid, "b1", "e2", "e3", "e4"]);
    let (e2, e3) = (&all[2], &all[3]);
    assert_eq!((e2.stream_id.as_str(), e2.stream_type.as_str(), e2.event_type.as_str(), e2.stream_version), ("Order-a", "Order", "OrderConfirmed", 2));
    assert_eq!((e3.event_type.as_str(), e3.stream_version, e3.metadata.actor.as_str()), ("ItemAdded", 3, "workshop-user"));
    assert_eq!((e3.metadata.correlation_id.as_str(), e3.metadata.causation_id.as_str()), ("e3", "e3"));
    assert_eq!(e3.data.to_value()["customer_name"], "山田太郎");
    let e4 = &all[4];
    assert!(e2.stream_id.is_same_copy(&e4.stream_id), "a read keeps one copy of each name, across segments");
    assert!(e2.event_type.is_same_copy(&e4.event_type) && e3.metadata.actor.is_same_copy(&e4.metadata.actor));
    let stream = store.read_stream("Order-a").await.unwrap();
    assert_eq!(stream.iter().map(|e| e.event_id.to_string()).collect::<Vec<_>>(), [uuid, "e2", "e3", "e4"]);
    assert!(stream[1].stream_type.is_same_copy(&stream[3].stream_type), "so does reading a stream");
    let (old_a, old_b) = (&all[0], &all[1]);
    assert!(old_a.stream_id.is_same_copy(&e2.stream_id), "the old segment's events share the read's names too");
    assert!(old_b.metadata.actor.is_same_copy(&e3.metadata.actor) && old_a.event_type.is_same_copy(&old_b.event_type));
    let (correlation, causation) = (&old_a.metadata.correlation_id, &old_b.metadata.causation_id);
    assert!(correlation.is_same_copy(&old_b.metadata.correlation_id) && causation.is_same_copy(correlation), "and one copy of each id per segment");
    store.clear().await.unwrap();
}

/// Resolves after `ms` milliseconds: what another page does meanwhile has happened.
async fn after(ms: i32) {
    let later = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(later).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_store_lets_go_of_its_database_when_another_page_opens_it_in_a_newer_layout_or_deletes_it() {
    let name = "kiroku-let-go";
    let told: Rc<RefCell<Vec<LetGo>>> = Rc::default();
    let tell = |told: &Rc<RefCell<Vec<LetGo>>>| -> Rc<dyn Fn(LetGo)> {
        let told = told.clone();
        Rc::new(move |why| told.borrow_mut().push(why))
    };
    let store = IndexedDbStore::open(name).await.unwrap();
    store.on_let_go(tell(&told));
    store.append(&StreamId::new("Order", "a"), ExpectedVersion::Exact(0), vec![event("e1", "OrderCreated")]).await.unwrap();

    // A newer page's open would wait for ever on a connection that stays open.
    let newer = Database::open(name).with_version(SCHEMA_VERSION + 1).with_on_upgrade_needed(|_, _| Ok(()));
    let newer = futures::future::select(Box::pin(newer.into_future()), Box::pin(after(2_000))).await;
    let futures::future::Either::Left((newer, _)) = newer else { panic!("the newer page's open waited on this store") };
    let newer = newer.unwrap();
    assert_eq!(*told.borrow(), [LetGo::Upgraded(SCHEMA_VERSION + 1)], "the store says why it let go");
    let error = store.head_position().await.expect_err("it reads nothing once it let go");
    assert!(error.0.contains("let go of its storage (a newer Kiroku in another tab upgraded it): reload"), "and says why: {}", error.0);
    newer.close();

    // A store on the newer layout's database that is then deleted lets go too.
    Database::delete_by_name(name).unwrap().await.unwrap();
    let told_again: Rc<RefCell<Vec<LetGo>>> = Rc::default();
    let store = IndexedDbStore::open(name).await.unwrap();
    store.on_let_go(tell(&told_again));
    let deleted = futures::future::select(Box::pin(Database::delete_by_name(name).unwrap().into_future()), Box::pin(after(2_000))).await;
    assert!(matches!(deleted, futures::future::Either::Left((Ok(_), _))), "the deletion waited on this store");
    assert_eq!(*told_again.borrow(), [LetGo::Deleted]);
    let error = store.append(&StreamId::new("Order", "b"), ExpectedVersion::Any, vec![event("b1", "OrderCreated")]).await.expect_err("nor writes");
    assert!(matches!(&error, AppendError::Storage(error) if error.0.contains("(it is being deleted)")), "{error:?}");
}

#[wasm_bindgen_test]
async fn an_open_that_waits_on_an_older_page_says_so_and_goes_on_once_it_closes() {
    let name = "kiroku-open-waits";
    let _ = Database::delete_by_name(name).unwrap().await;
    // An older page (layout 5) that does not let go when asked.
    let old = database_of_layout(name, 5).await;
    let waiting = Rc::new(Cell::new(false));
    let opening = {
        let waiting = waiting.clone();
        IndexedDbStore::open_waiting(name, move || waiting.set(true))
    };
    let opening = futures::future::select(Box::pin(opening), Box::pin(after(500))).await;
    let futures::future::Either::Right((_, opening)) = opening else { panic!("the open did not wait for the older page") };
    assert!(waiting.get(), "the open says it waits");
    old.close();
    let store = opening.await.expect("the open goes on once the older page closed");
    assert_eq!(store.head_position().await.unwrap(), 0);
    store.clear().await.unwrap();
}
