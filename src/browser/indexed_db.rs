//! The IndexedDB event store: the log as the browser keeps it, shared by every tab
//! of the same origin that opens the same database.
//!
//! Layout (schema version [`SCHEMA_VERSION`]):
//! - `segments`: one record per append, keyed by the position of its last event:
//!   `{ first, last, compact }`, where `compact` is the events packed with postcard (a
//!   `Uint8Array`; each event's data is JSON text inside it, and each text that events
//!   repeat is written once, in a table the events point into). IndexedDB costs about
//!   the same per record whatever its size, and crossing from JS into wasm costs per
//!   string, so events are stored packed and decoded in one go. Older segments are
//!   still read as they are, beside new compact ones: layouts 3 to 5 stored
//!   `{ first, last, packed }` (every text in every event), layouts 1 and 2
//!   `{ first, last, events }` (one JSON string of `Vec<RecordedEvent>`).
//! - `stream_buckets` (since version 4): bucket number → `{ stream id → { version,
//!   segments } }`: each stream's version and the keys of the segments that hold its
//!   events, so reading a stream reads only those segments. A stream's bucket is
//!   [`bucket_of`] its id, one of [`BUCKETS`]: an import writes a few hundred records
//!   instead of one per stream (about 10,000 at 100k events, ~50 µs each). Since
//!   version 5 a bucket is packed with postcard (a `Uint8Array`): as a JS object of
//!   ~40 records it cost ~0.3 ms to build and clone, ~70 ms for an import's 256. A
//!   bucket of layout 4 is read as it is and packed on its next write.
//! - `streams`: stream id → `{ version, segments }`, one record per stream, as layouts
//!   1 to 3 kept them: still read, and moved into the stream's bucket on its next append.
//! - `outbox` (since version 2): position → an event not yet published, as one JSON
//!   string; written in the same transaction as the event, deleted once published.
//! - `meta`: `"head"` → the position of the last event; `"document:<key>"` → a small
//!   document kept beside the log (the projection engine's state), as a string.
//!
//! An append is one readwrite transaction over these stores: it reads the head and
//! the stream's version, checks the expected version, then writes. IndexedDB
//! runs overlapping readwrite transactions one after the other, even across tabs,
//! so a stale writer reads the new version and gets a conflict, as a
//! `UNIQUE(stream, version)` constraint would give it.
//!
//! Another page that opens the database in a newer layout (a newer Kiroku) waits until
//! every open connection closes; so does a deletion. A store closes its connection as
//! soon as it is asked (`versionchange`) and says why ([`LetGo`]); a store whose own
//! open waits on a page that does not close says so ([`IndexedDbStore::open_waiting`]).
//!
//! `indexed_db_futures` transactions roll back when dropped without `commit()`:
//! every early return (`?`, a conflict) leaves the database as it was. Read-only
//! transactions are simply dropped once read: rolling back a read changes nothing.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;

use indexed_db_futures::database::Database;
use indexed_db_futures::error::{DomException, Error as IdbError, OpenDbError};
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use indexed_db_futures::KeyPath;
use serde::{Deserialize, Serialize};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::event_sourcing::json_text::JsonText;
use crate::event_sourcing::event_id::{EventId, IdForm};
use crate::event_sourcing::recorded::{EventMetadata, NewEvent, RecordedEvent, StreamId};
use crate::event_sourcing::shared_str::{Interner, SharedStr};
use crate::event_sourcing::store::{check_expected, place, AppendError, EventStore, ExpectedVersion, StoreError};

/// The version of the database layout. A migration bumps it and adds a step to [`upgrade`].
pub const SCHEMA_VERSION: u32 = 6;

const SEGMENTS: &str = "segments";
/// Layouts 1 to 3: stream id → its record. Read, and emptied as streams move to buckets.
const STREAMS: &str = "streams";
/// Version 4: bucket number → the records of the streams in it (packed since version 5).
const STREAM_BUCKETS: &str = "stream_buckets";
/// How many buckets the stream records are spread over.
pub const BUCKETS: u32 = 256;
const META: &str = "meta";
/// Version 2: the transactional outbox, position → the event as one JSON string.
const OUTBOX: &str = "outbox";
/// The key, in `meta`, of the position of the last event.
const HEAD: &str = "head";

/// How many events an import packs into one segment record.
pub const IMPORT_SEGMENT: usize = 1000;

/// How many positions a load asks IndexedDB for at a time: the next span is read
/// while one is decoded (about 8 import segments; a log of single-command appends
/// reads 8,192 records at once).
const READ_SPAN: u64 = 8192;

/// The `meta` key of a document.
fn document_key(key: &str) -> String {
    format!("document:{key}")
}

/// The events of one append (or of one chunk of an import), in position order.
#[derive(Serialize, Deserialize)]
struct Segment {
    /// The position of the first event.
    first: u64,
    /// The position of the last event: the record's key.
    last: u64,
    /// The events packed with postcard, each repeated text once ([`Compact`]; a
    /// `Uint8Array` in the record), since layout 6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    compact: Option<serde_bytes::ByteBuf>,
    /// The events packed with postcard, each text in every event ([`Packed`]), as
    /// layouts 3 to 5 stored them: still read, no longer written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    packed: Option<serde_bytes::ByteBuf>,
    /// The events as one JSON string of `Vec<RecordedEvent>`, as layouts 1 and 2 stored
    /// them: still read, no longer written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    events: Option<String>,
}

impl Segment {
    fn pack(events: &[RecordedEvent]) -> Result<Segment, StoreError> {
        let (first, last) = (events.first().map_or(0, |event| event.position), events.last().map_or(0, |event| event.position));
        let bytes = postcard::to_allocvec(&Compact::of(events))
            .map_err(|error| StoreError(format!("could not encode the events: {error}")))?;
        Ok(Segment { first, last, compact: Some(serde_bytes::ByteBuf::from(bytes)), packed: None, events: None })
    }

    /// Adds the segment's events that `keep` takes to `out`, the names they repeat
    /// shared through `names`: one copy of each for the whole read, not one per event.
    fn decode_into(
        &self,
        names: &mut Interner,
        out: &mut Vec<RecordedEvent>,
        keep: impl Fn(&RecordedEvent) -> bool,
    ) -> Result<(), StoreError> {
        let unreadable = |error: String| StoreError(format!("the events at positions {}–{} are unreadable: {error}", self.first, self.last));
        match (&self.compact, &self.packed, &self.events) {
            (Some(bytes), _, _) => {
                let compact: Compact = postcard::from_bytes(bytes).map_err(|error| unreadable(error.to_string()))?;
                compact.unpack_into(names, out, keep).map_err(unreadable)
            }
            (None, Some(bytes), _) => {
                let packed: Vec<Packed> = postcard::from_bytes(bytes).map_err(|error| unreadable(error.to_string()))?;
                let events = packed.into_iter().map(Packed::unpack).collect::<Result<Vec<_>, _>>().map_err(unreadable)?;
                share_as_compact(events, names, out, keep);
                Ok(())
            }
            (None, None, Some(json)) => {
                let events: Vec<RecordedEvent> = serde_json::from_str(json).map_err(|error| unreadable(error.to_string()))?;
                share_as_compact(events, names, out, keep);
                Ok(())
            }
            (None, None, None) => Err(unreadable("the segment holds no events".to_owned())),
        }
    }
}

/// Adds the events of a segment stored in an older layout, each text in every event,
/// to `out` sharing their texts as a [`Compact`] segment's are: their names through
/// `names`, their correlation and causation ids through one copy per segment.
fn share_as_compact(events: Vec<RecordedEvent>, names: &mut Interner, out: &mut Vec<RecordedEvent>, keep: impl Fn(&RecordedEvent) -> bool) {
    let mut ids = Interner::default();
    for mut event in events.into_iter().filter(keep) {
        event.share_names(names);
        ids.share(&mut event.metadata.correlation_id);
        ids.share(&mut event.metadata.causation_id);
        out.push(event);
    }
}

/// A segment's events as layout 6 packs them: each text that events repeat once,
/// each event pointing to its texts by place. `names` holds the stream ids and types,
/// event types and actors, which a log repeats throughout; `ids` the correlation and
/// causation ids, which one command's events repeat. An import's segment of 1,000
/// events held each stream type, event type and actor hundreds of times: a load
/// copied each of them out of the bytes, and the log then kept one copy and freed
/// the others.
#[derive(Serialize, Deserialize)]
struct Compact<'a> {
    #[serde(borrow)]
    names: Vec<&'a str>,
    #[serde(borrow)]
    ids: Vec<&'a str>,
    #[serde(borrow)]
    events: Vec<CompactEvent<'a>>,
}

/// One event of a [`Compact`] segment: each `u32` is a place in its `names` or `ids`.
#[derive(Serialize, Deserialize)]
struct CompactEvent<'a> {
    #[serde(borrow)]
    event_id: CompactId<'a>,
    stream_id: u32,
    stream_type: u32,
    stream_version: u64,
    position: u64,
    event_type: u32,
    schema_version: u32,
    data: &'a str,
    correlation_id: u32,
    causation_id: u32,
    recorded_at_ms: i64,
    actor: u32,
    checksum: Option<&'a str>,
}

/// An event id as a [`Compact`] segment keeps it: a UUID as its 16 bytes.
#[derive(Serialize, Deserialize)]
enum CompactId<'a> {
    Uuid([u8; 16]),
    Text(&'a str),
}

/// The texts of a [`Compact`] segment being packed, each once, and their places.
#[derive(Default)]
struct Table<'a> {
    texts: Vec<&'a str>,
    places: std::collections::HashMap<&'a str, u32, rustc_hash::FxBuildHasher>,
}

impl<'a> Table<'a> {
    fn place(&mut self, text: &'a str) -> u32 {
        *self.places.entry(text).or_insert_with(|| {
            self.texts.push(text);
            self.texts.len() as u32 - 1
        })
    }
}

impl<'a> Compact<'a> {
    fn of(events: &'a [RecordedEvent]) -> Compact<'a> {
        let (mut names, mut ids) = (Table::default(), Table::default());
        let events = events
            .iter()
            .map(|event| CompactEvent {
                event_id: match event.event_id.form() {
                    IdForm::Uuid(bytes) => CompactId::Uuid(bytes),
                    IdForm::Text(text) => CompactId::Text(text),
                },
                stream_id: names.place(&event.stream_id),
                stream_type: names.place(&event.stream_type),
                stream_version: event.stream_version,
                position: event.position,
                event_type: names.place(&event.event_type),
                schema_version: event.schema_version,
                data: event.data.json(),
                correlation_id: ids.place(&event.metadata.correlation_id),
                causation_id: ids.place(&event.metadata.causation_id),
                recorded_at_ms: event.metadata.recorded_at.timestamp_millis(),
                actor: names.place(&event.metadata.actor),
                checksum: event.checksum.as_deref(),
            })
            .collect();
        Compact { names: names.texts, ids: ids.texts, events }
    }

    /// Adds the events that `keep` takes to `out`, their names shared through
    /// `interner` (one copy for the whole read) and their ids through this segment
    /// (one copy per command). Each goes into `out` as it is read: collected through
    /// a `Result`, a vector has no length to start from, and each segment's events
    /// were moved about ten times as it grew, then once more into `out`.
    fn unpack_into(self, interner: &mut Interner, out: &mut Vec<RecordedEvent>, keep: impl Fn(&RecordedEvent) -> bool) -> Result<(), String> {
        let names: Vec<SharedStr> = self.names.iter().map(|name| interner.shared(name)).collect();
        let ids: Vec<SharedStr> = self.ids.iter().map(|&id| SharedStr::from(id)).collect();
        let at = |texts: &[SharedStr], place: u32, position: u64| {
            texts.get(place as usize).cloned().ok_or_else(|| format!("event {position}: no text at place {place}"))
        };
        for event in self.events {
            let position = event.position;
            let recorded = RecordedEvent {
                event_id: EventId::from(match event.event_id {
                    CompactId::Uuid(bytes) => IdForm::Uuid(bytes),
                    CompactId::Text(text) => IdForm::Text(text),
                }),
                stream_id: at(&names, event.stream_id, position)?,
                stream_type: at(&names, event.stream_type, position)?,
                stream_version: event.stream_version,
                position,
                event_type: at(&names, event.event_type, position)?,
                schema_version: event.schema_version,
                data: read_data(event.data),
                metadata: EventMetadata {
                    correlation_id: at(&ids, event.correlation_id, position)?,
                    causation_id: at(&ids, event.causation_id, position)?,
                    recorded_at: read_time(event.recorded_at_ms, position)?,
                    actor: at(&names, event.actor, position)?,
                },
                checksum: event.checksum.map(Box::from),
                stream_number: None,
            };
            if keep(&recorded) {
                out.push(recorded);
            }
        }
        Ok(())
    }
}

/// An event's data as a packed segment holds it: the JSON text the store was given
/// (checked when its typed event is read).
fn read_data(json: &str) -> JsonText {
    JsonText::from_stored(json.to_owned())
}

/// An event's time as a packed segment holds it: milliseconds since 1970.
fn read_time(ms: i64, position: u64) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::from_timestamp_millis(ms).ok_or_else(|| format!("event {position}: time {ms} is out of range"))
}

/// One event as a segment of layouts 3 to 5 holds it: a recorded event with its data
/// as JSON text (postcard cannot hold a free-form JSON value) and its time in
/// milliseconds. Its texts borrow from the bytes when unpacking.
#[derive(Deserialize)]
struct Packed<'a> {
    event_id: EventId,
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

impl Packed<'_> {
    fn unpack(self) -> Result<RecordedEvent, String> {
        let data = read_data(self.data);
        let recorded_at = read_time(self.recorded_at_ms, self.position)?;
        Ok(RecordedEvent {
            event_id: self.event_id,
            stream_id: self.stream_id.into(),
            stream_type: self.stream_type.into(),
            stream_version: self.stream_version,
            position: self.position,
            event_type: self.event_type.into(),
            schema_version: self.schema_version,
            data,
            metadata: EventMetadata {
                correlation_id: self.correlation_id.into(),
                causation_id: self.causation_id.into(),
                recorded_at,
                actor: self.actor.into(),
            },
            checksum: self.checksum.map(Box::from),
            stream_number: None,
        })
    }
}

/// A stream's version and the keys of the segments holding its events, in order.
#[derive(Serialize, Deserialize, Default, Clone)]
struct StreamRecord {
    version: u64,
    segments: Vec<u64>,
}

/// The records of the streams in one bucket, by stream id.
type Bucket = std::collections::BTreeMap<String, StreamRecord>;

/// A bucket as stored.
#[derive(Deserialize)]
#[serde(untagged)]
enum StoredBucket {
    /// Since layout 5: packed with postcard, a `Uint8Array` in the record.
    Packed(serde_bytes::ByteBuf),
    /// Layout 4: an object of stream id → record.
    Plain(Bucket),
}

impl StoredBucket {
    fn pack(bucket: &Bucket) -> Result<serde_bytes::ByteBuf, StoreError> {
        postcard::to_allocvec(bucket)
            .map(serde_bytes::ByteBuf::from)
            .map_err(|error| StoreError(format!("could not encode a bucket of stream records: {error}")))
    }

    fn unpack(self, number: u32) -> Result<Bucket, StoreError> {
        match self {
            StoredBucket::Packed(bytes) => postcard::from_bytes(&bytes)
                .map_err(|error| StoreError(format!("the stream records of bucket {number} are unreadable: {error}"))),
            StoredBucket::Plain(bucket) => Ok(bucket),
        }
    }
}

/// The bucket of a stream: FNV-1a of its id, so every page and every later version
/// of Kiroku finds a stream in the same bucket. Never change it without a migration.
pub fn bucket_of(stream_id: &str) -> u32 {
    let hash = stream_id.bytes().fold(0x811c_9dc5_u32, |hash, byte| (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193));
    hash % BUCKETS
}

/// Any IndexedDB failure (a closed database, the quota, a failed request) as a readable message,
/// e.g. `IndexedDB failed: QuotaExceededError: …`.
impl From<indexed_db_futures::error::Error> for StoreError {
    fn from(error: indexed_db_futures::error::Error) -> Self {
        StoreError(format!("IndexedDB failed: {error}"))
    }
}

/// An [`EventStore`] on an IndexedDB database: one connection, one transaction per call.
/// Several stores (tabs) may hold the same database; appends stay consistent between them.
pub struct IndexedDbStore {
    db: Database,
    /// Makes the next outbox append roll back after all its writes (tests).
    abort_next_outbox_append: Cell<bool>,
    /// Runs after each committed change of the log: an append, a replacement, a clear.
    on_log_written: RefCell<Option<Rc<dyn Fn()>>>,
    /// Runs once the store let go of its database for another page.
    let_go: Rc<LetGoHook>,
    /// The database's `versionchange` handler: closes the connection, then tells.
    _let_go_when_asked: Closure<dyn FnMut(web_sys::IdbVersionChangeEvent)>,
}

/// Whether the store let go of its database, and what the page runs then: set after
/// the open, read by the `versionchange` handler.
#[derive(Default)]
struct LetGoHook {
    why: Cell<Option<LetGo>>,
    tell: RefCell<Option<TellLetGo>>,
}

type TellLetGo = Rc<dyn Fn(LetGo)>;

/// Why a store closed its connection: another page asked for the database, and an
/// open connection would have kept it waiting. Every read and write fails after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LetGo {
    /// Another page opens the database in a newer layout (this version of it).
    Upgraded(u32),
    /// The database is being deleted (by another page, or the browser's settings).
    Deleted,
}

impl Drop for IndexedDbStore {
    /// A store that is gone keeps no connection open to stand in another page's way.
    fn drop(&mut self) {
        self.db.as_sys().set_onversionchange(None);
        self.db.as_sys().close();
    }
}

impl std::fmt::Debug for IndexedDbStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexedDbStore").field("db", &self.db).finish_non_exhaustive()
    }
}

impl IndexedDbStore {
    /// Opens (and creates or migrates, if needed) the database `db_name`.
    pub async fn open(db_name: &str) -> Result<IndexedDbStore, StoreError> {
        Self::open_waiting(db_name, || ()).await
    }

    /// [`IndexedDbStore::open`], running `waiting` if the open has to wait: another
    /// page holds the database open in an older layout and does not let go of it (a
    /// page of a Kiroku from before [`LetGo`]). The open goes on once that page closes
    /// or reloads.
    pub async fn open_waiting(db_name: &str, waiting: impl FnOnce() + 'static) -> Result<IndexedDbStore, StoreError> {
        let db = Database::open(db_name)
            .with_version(SCHEMA_VERSION)
            .with_on_blocked(move |_| {
                waiting();
                Ok(())
            })
            .with_on_upgrade_needed(|event, db| upgrade(&db, event.old_version()))
            .await
            .map_err(|error| match error {
                OpenDbError::Base(IdbError::DomException(DomException::Other(error))) if error.name() == "VersionError" => StoreError(format!(
                    "the storage {db_name:?} was upgraded by a newer Kiroku, to a layout this page cannot read (it reads \
                     layout {SCHEMA_VERSION}): open it with the newer Kiroku, or pick another storage with ?db=name"
                )),
                error => StoreError(format!("could not open the IndexedDB database {db_name:?}: {error}")),
            })?;
        let let_go = Rc::new(LetGoHook::default());
        let let_go_when_asked = {
            let let_go = let_go.clone();
            Closure::<dyn FnMut(web_sys::IdbVersionChangeEvent)>::new(move |event: web_sys::IdbVersionChangeEvent| {
                if let Some(db) = event.target().and_then(|target| target.dyn_into::<web_sys::IdbDatabase>().ok()) {
                    db.close();
                }
                let why = event.new_version().map_or(LetGo::Deleted, |version| LetGo::Upgraded(version as u32));
                let_go.why.set(Some(why));
                let tell = let_go.tell.borrow().clone();
                if let Some(tell) = tell {
                    tell(why);
                }
            })
        };
        db.as_sys().set_onversionchange(Some(let_go_when_asked.as_ref().unchecked_ref()));
        Ok(IndexedDbStore {
            db,
            abort_next_outbox_append: Cell::new(false),
            on_log_written: Default::default(),
            let_go,
            _let_go_when_asked: let_go_when_asked,
        })
    }

    /// Runs `let_go` once the store has closed its connection because another page
    /// asked for the database ([`LetGo`]).
    pub fn on_let_go(&self, let_go: Rc<dyn Fn(LetGo)>) {
        *self.let_go.tell.borrow_mut() = Some(let_go);
    }

    /// Runs `written` after each committed change of the log (not after a write that
    /// failed, nor after saving a document): the page tells its other tabs with it.
    pub fn on_log_written(&self, written: Rc<dyn Fn()>) {
        *self.on_log_written.borrow_mut() = Some(written);
    }

    fn log_written(&self) {
        let written = self.on_log_written.borrow().clone();
        if let Some(written) = written {
            written();
        }
    }

    fn begin(&self, stores: &[&str], mode: TransactionMode) -> Result<Transaction<'_>, StoreError> {
        if let Some(why) = self.let_go.why.get() {
            let by = match why {
                LetGo::Upgraded(_) => "a newer Kiroku in another tab upgraded it",
                LetGo::Deleted => "it is being deleted",
            };
            return Err(StoreError(format!("this page let go of its storage ({by}): reload the page")));
        }
        Ok(self.db.transaction(stores).with_mode(mode).build()?)
    }

    /// Makes the next [`EventStore::append_with_outbox`] roll its transaction back
    /// after writing the events and the outbox messages, as a crash before the commit would.
    pub fn abort_next_outbox_append(&self) {
        self.abort_next_outbox_append.set(true);
    }

    /// One append: events, stream head, log head and (with `outbox`) outbox
    /// messages, in one readwrite transaction.
    async fn write(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
        outbox: bool,
    ) -> Result<Vec<RecordedEvent>, AppendError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let stores: &[&str] =
            if outbox { &[SEGMENTS, STREAMS, STREAM_BUCKETS, META, OUTBOX] } else { &[SEGMENTS, STREAMS, STREAM_BUCKETS, META] };
        let tx = self.begin(stores, TransactionMode::Readwrite)?;
        // The head and the stream's record are asked for at once: each read waits on
        // the browser's storage (~0.85 ms here), and one after the other they would
        // wait twice.
        let head = ask_head(&tx)?;
        let Found { number, mut bucket, mut record, unbucketed } = find_stream_record(&tx, &stream.id).await?;
        let head = head.await?;
        // On a conflict, returning drops `tx`, which rolls it back: nothing is written.
        check_expected(expected, record.version)?;

        let recorded = place(stream, record.version, head, events);
        let count = recorded.len() as u64;
        let segment = Segment::pack(&recorded)?;
        record.version += count;
        record.segments.push(segment.last);
        bucket.insert(stream.id.to_string(), record);

        put_append(&tx, &segment, number, &bucket)?;
        if unbucketed {
            forget_unbucketed(&tx, &stream.id)?;
        }
        if outbox {
            put_outbox(&tx, &recorded)?;
            if self.abort_next_outbox_append.replace(false) {
                let _ = tx.abort().await;
                return Err(AppendError::Storage(StoreError("the transaction was aborted before its commit".to_owned())));
            }
        }
        commit(tx).await?;
        Ok(recorded)
    }
}

/// Brings the layout from `old_version` (0 for a new database) to [`SCHEMA_VERSION`].
fn upgrade(db: &Database, old_version: f64) -> indexed_db_futures::Result<()> {
    if old_version < 1.0 {
        db.create_object_store(SEGMENTS).with_key_path(KeyPath::One("last")).build()?;
        db.create_object_store(STREAMS).build()?;
        db.create_object_store(META).build()?;
    }
    if old_version < 2.0 {
        // A log stored before the outbox existed keeps every event; its outbox starts empty.
        db.create_object_store(OUTBOX).build()?;
    }
    // Version 3 packs new segments with postcard; the JSON segments already stored
    // are read as they are, so nothing is rewritten (an older page cannot open the
    // database any more, which keeps it from misreading packed segments).
    if old_version < 4.0 {
        // Stream records move into buckets one by one, on each stream's next append;
        // until then they are read where they are.
        db.create_object_store(STREAM_BUCKETS).build()?;
    }
    // Version 5 packs buckets with postcard; the buckets already stored are read as
    // they are and packed on their next write. Nothing is rewritten: the bump keeps an
    // older page, which would misread a packed bucket, from opening the database.
    // Version 6 packs new segments compactly (each repeated text once, `Compact`); the
    // segments already stored are read as they are. The bump keeps an older page, which
    // would find no events it knows in a compact segment, from opening the database.
    Ok(())
}

/// The position of the last event, `0` for an empty log.
async fn read_head(tx: &Transaction<'_>) -> Result<u64, StoreError> {
    ask_head(tx)?.await
}

/// Sends the read of the log's head now; the answer comes when awaited, so other
/// reads can be sent meanwhile.
fn ask_head(tx: &Transaction<'_>) -> Result<impl Future<Output = Result<u64, StoreError>>, StoreError> {
    let request = tx.object_store(META)?.get(HEAD).serde()?;
    Ok(async move {
        let head: Option<u64> = request.await?;
        Ok(head.unwrap_or(0))
    })
}

/// A stream's record and the bucket it belongs in.
struct Found {
    /// The bucket's number, [`bucket_of`] the stream.
    number: u32,
    /// The bucket's other records (the stream's own is taken out into `record`).
    bucket: Bucket,
    /// From the bucket, or where an older layout left it; empty (version 0) for a
    /// stream without events.
    record: StreamRecord,
    /// The record came from `streams`, where layouts 1 to 3 kept one per stream.
    unbucketed: bool,
}

/// Finds a stream's record: in its bucket, else where an older layout left it.
async fn find_stream_record(tx: &Transaction<'_>, stream_id: &str) -> Result<Found, StoreError> {
    let number = bucket_of(stream_id);
    // Both places are asked at once (the second answer is only read when the bucket
    // lacks the stream): one wait on the storage instead of two.
    let in_bucket = tx.object_store(STREAM_BUCKETS)?.get(number).serde()?;
    let in_older_layout = tx.object_store(STREAMS)?.get(stream_id).serde()?;
    let stored: Option<StoredBucket> = in_bucket.await?;
    let mut bucket = stored.map(|stored| stored.unpack(number)).transpose()?.unwrap_or_default();
    if let Some(record) = bucket.remove(stream_id) {
        return Ok(Found { number, bucket, record, unbucketed: false });
    }
    let older: Option<StreamRecord> = in_older_layout.await?;
    Ok(Found { number, bucket, unbucketed: older.is_some(), record: older.unwrap_or_default() })
}

/// Deletes a stream's record of an older layout: its bucket holds it now.
fn forget_unbucketed(tx: &Transaction<'_>, stream_id: &str) -> Result<(), StoreError> {
    tx.object_store(STREAMS)?.delete(stream_id).build()?;
    Ok(())
}

/// Sends the three writes of an append. They run in order; [`commit`] waits for
/// them and fails (writing nothing) if any of them failed.
fn put_append(tx: &Transaction<'_>, segment: &Segment, number: u32, bucket: &Bucket) -> Result<(), StoreError> {
    tx.object_store(SEGMENTS)?.put(segment).serde()?;
    tx.object_store(STREAM_BUCKETS)?.put(StoredBucket::pack(bucket)?).with_key(number).without_key_type().serde()?;
    tx.object_store(META)?.put(segment.last).with_key(HEAD).without_key_type().serde()?;
    Ok(())
}

/// Sends the outbox writes of an append: one message per event, keyed by position.
fn put_outbox(tx: &Transaction<'_>, recorded: &[RecordedEvent]) -> Result<(), StoreError> {
    let messages = tx.object_store(OUTBOX)?;
    for event in recorded {
        let text = serde_json::to_string(event)
            .map_err(|error| StoreError(format!("could not encode the outbox message: {error}")))?;
        messages.put(text).with_key(event.position).without_key_type().serde()?;
    }
    Ok(())
}

/// Commits `tx` and waits until its writes are done.
async fn commit(tx: Transaction<'_>) -> Result<(), StoreError> {
    Ok(tx.commit().await?)
}

impl EventStore for IndexedDbStore {
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<Vec<RecordedEvent>, AppendError> {
        let recorded = self.write(stream, expected, events, false).await?;
        self.log_written();
        Ok(recorded)
    }

    async fn append_with_outbox(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<Vec<RecordedEvent>, AppendError> {
        let recorded = self.write(stream, expected, events, true).await?;
        self.log_written();
        Ok(recorded)
    }

    async fn replace_all(&self, events: &[RecordedEvent]) -> Result<(), StoreError> {
        let tx = self.begin(&[SEGMENTS, STREAMS, STREAM_BUCKETS, META, OUTBOX], TransactionMode::Readwrite)?;
        for name in [SEGMENTS, STREAMS, STREAM_BUCKETS, META, OUTBOX] {
            tx.object_store(name)?.clear()?;
        }
        // Hashed with FxHash: with the standard SipHash, a 100k import spent 13 ms here.
        let mut streams: std::collections::HashMap<&str, StreamRecord, rustc_hash::FxBuildHasher> = Default::default();
        let segments = tx.object_store(SEGMENTS)?;
        for chunk in events.chunks(IMPORT_SEGMENT) {
            let last = chunk[chunk.len() - 1].position;
            for event in chunk {
                let record = streams.entry(event.stream_id.as_str()).or_default();
                record.version = event.stream_version;
                if record.segments.last() != Some(&last) {
                    record.segments.push(last);
                }
            }
            segments.put(&Segment::pack(chunk)?).serde()?;
        }
        let mut buckets: std::collections::BTreeMap<u32, Bucket> = std::collections::BTreeMap::new();
        for (stream_id, record) in streams {
            buckets.entry(bucket_of(stream_id)).or_default().insert(stream_id.to_owned(), record);
        }
        let store = tx.object_store(STREAM_BUCKETS)?;
        for (number, bucket) in &buckets {
            store.put(StoredBucket::pack(bucket)?).with_key(*number).without_key_type().serde()?;
        }
        let head = events.last().map_or(0, |event| event.position);
        tx.object_store(META)?.put(head).with_key(HEAD).without_key_type().serde()?;
        commit(tx).await?;
        self.log_written();
        Ok(())
    }

    async fn unpublished(&self, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let tx = self.begin(&[OUTBOX], TransactionMode::Readonly)?;
        let texts: Vec<String> = tx
            .object_store(OUTBOX)?
            .get_all::<String>()
            .with_limit(limit as u32)
            .serde()?
            .await?
            .collect::<Result<_, _>>()?;
        texts
            .iter()
            .map(|text| serde_json::from_str(text).map_err(|error| StoreError(format!("an outbox message is unreadable: {error}"))))
            .collect()
    }

    async fn mark_published(&self, event_ids: &[String]) -> Result<(), StoreError> {
        if event_ids.is_empty() {
            return Ok(());
        }
        let tx = self.begin(&[OUTBOX], TransactionMode::Readwrite)?;
        let messages = tx.object_store(OUTBOX)?;
        let texts: Vec<String> = messages.get_all::<String>().serde()?.await?.collect::<Result<_, _>>()?;
        for text in texts {
            if let Ok(event) = serde_json::from_str::<RecordedEvent>(&text) {
                if event_ids.iter().any(|id| event.event_id == id.as_str()) {
                    messages.delete(event.position).serde()?;
                }
            }
        }
        commit(tx).await
    }

    async fn read_stream(&self, stream_id: &str) -> Result<Vec<RecordedEvent>, StoreError> {
        let tx = self.begin(&[STREAMS, STREAM_BUCKETS, SEGMENTS], TransactionMode::Readonly)?;
        let record = find_stream_record(&tx, stream_id).await?.record;
        let segments = tx.object_store(SEGMENTS)?;
        // Send every read at once, then take the answers in order.
        let requests = record
            .segments
            .iter()
            .map(|&last| segments.get::<Segment, _, _>(last).serde())
            .collect::<Result<Vec<_>, _>>()?;
        let (mut events, mut names) = (Vec::new(), Interner::default());
        for (request, last) in requests.into_iter().zip(&record.segments) {
            let segment = request.await?.ok_or_else(|| {
                StoreError(format!("the segment ending at position {last} of {stream_id} is missing"))
            })?;
            segment.decode_into(&mut names, &mut events, |event| event.stream_id == stream_id)?;
        }
        Ok(events)
    }

    async fn read_all(&self, after_position: u64) -> Result<Vec<RecordedEvent>, StoreError> {
        self.read_all_sharing(after_position, &mut Interner::default()).await
    }

    async fn read_all_sharing(&self, after_position: u64, names: &mut Interner) -> Result<Vec<RecordedEvent>, StoreError> {
        let tx = self.begin(&[SEGMENTS, META], TransactionMode::Readonly)?;
        // The head, for room for every event at once: grown by doubling, a load of
        // 100k events took 1.5 times the room, with the vector before it still held
        // while it moved. Asked for with the first span, not before it.
        let head = ask_head(&tx)?;
        // A segment is keyed by its last position: the segments ending in a span of
        // positions hold its events (the first may also hold older ones). The next span
        // is asked for before this one is decoded, so IndexedDB reads it meanwhile.
        let segments = tx.object_store(SEGMENTS)?;
        let ask = |from: u64| segments.get_all::<Segment>().with_query(from..from.saturating_add(READ_SPAN)).serde();
        let mut from = after_position.saturating_add(1);
        let mut asked = Some(ask(from)?);
        let head = head.await?;
        let mut events = Vec::with_capacity(head.saturating_sub(after_position) as usize);
        while let Some(span) = asked.take() {
            let span = span.await?;
            from = from.saturating_add(READ_SPAN);
            if from <= head {
                asked = Some(ask(from)?);
            }
            for segment in span {
                segment?.decode_into(names, &mut events, |event| event.position > after_position)?;
            }
        }
        Ok(events)
    }

    async fn head_position(&self) -> Result<u64, StoreError> {
        let tx = self.begin(&[META], TransactionMode::Readonly)?;
        read_head(&tx).await
    }

    async fn load_document(&self, key: &str) -> Result<Option<String>, StoreError> {
        let tx = self.begin(&[META], TransactionMode::Readonly)?;
        // As a JS value, read into wasm by `text_of`: the snapshots' document holds
        // ~0.7 MB at 100k events, which wasm-bindgen would copy a character at a time.
        let value: Option<wasm_bindgen::JsValue> = tx.object_store(META)?.get(document_key(key)).primitive()?.await?;
        Ok(value.as_ref().and_then(super::text::string_of))
    }

    async fn save_document(&self, key: &str, text: &str) -> Result<(), StoreError> {
        let tx = self.begin(&[META], TransactionMode::Readwrite)?;
        tx.object_store(META)?.put(text).with_key(document_key(key)).without_key_type().serde()?;
        commit(tx).await
    }

    async fn clear(&self) -> Result<(), StoreError> {
        let tx = self.begin(&[SEGMENTS, STREAMS, STREAM_BUCKETS, META, OUTBOX], TransactionMode::Readwrite)?;
        for name in [SEGMENTS, STREAMS, STREAM_BUCKETS, META, OUTBOX] {
            tx.object_store(name)?.clear()?;
        }
        commit(tx).await?;
        self.log_written();
        Ok(())
    }
}
