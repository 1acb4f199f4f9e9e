//! The recorded event: the one JSON shape of an event everywhere (console, export,
//! inspector), as CONTRACT §1 fixes it. The store assigns `stream_version` and
//! `position`; everything else arrives from outside in a [`NewEvent`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::event_id::EventId;
use super::json_text::JsonText;
use super::shared_str::{Interner, SharedStr};

/// An event as it sits in the log, with its place in its stream and in the whole log.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedEvent {
    /// A UUID v4, chosen by whoever wrote the event.
    pub event_id: EventId,
    /// `"<StreamType>-<aggregate id>"`.
    pub stream_id: SharedStr,
    pub stream_type: SharedStr,
    /// 1-based, per stream, no gaps.
    pub stream_version: u64,
    /// 1-based, global order of the whole log, no gaps.
    pub position: u64,
    /// Past tense: `ItemAdded`.
    pub event_type: SharedStr,
    pub schema_version: u32,
    pub data: JsonText,
    pub metadata: EventMetadata,
    /// Hex SHA-256, once tamper detection exists. A boxed text, not a `String`: 4
    /// bytes less in each event in the browser, the room `stream_number` takes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<Box<str>>,
    /// The number the in-memory log gave the event's stream ([`StreamNumber`]); none
    /// for an event that has not been through one, or whose stream id is not its
    /// type, a dash and an id ([`begins_with_its_type`]). Not part of the event: never
    /// stored or exported, and two records of one event are equal whatever it is.
    #[serde(skip)]
    pub stream_number: Option<StreamNumber>,
}

/// Which stream of its type an event's stream is in a log: 0 for the first stream
/// of that type, 1 for the second, and so on, in the order the streams began. The
/// read models find the row of an event's aggregate by it ([`AggregateKey`]), one
/// step of arithmetic instead of hashing its id and comparing it with others.
///
/// Kept as the number plus one, so that `Option<StreamNumber>` takes 4 bytes: beside
/// the boxed checksum, a recorded event keeps the 120 bytes it had in wasm (with an
/// `Option<u32>` it took 128, 1.6 MB more in the page at 100k events).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamNumber(std::num::NonZeroU32);

impl StreamNumber {
    /// The number of the stream that began after `index` others of its type.
    pub fn nth(index: u32) -> Self {
        StreamNumber(std::num::NonZeroU32::MIN.saturating_add(index))
    }

    /// How many streams of its type began before this one.
    pub fn index(self) -> usize {
        self.0.get() as usize - 1
    }
}

/// An aggregate's id, read from its stream's id, with the number of that stream in
/// the log the event came from and the log's copy of the stream's id: the key of a
/// read model's row of that aggregate. Made only from a stream's id, so that the id
/// is always the one that copy of the stream's id holds.
#[derive(Debug, Clone, Copy)]
pub struct AggregateKey<'a> {
    id: &'a str,
    stream: Option<(StreamNumber, &'a SharedStr)>,
}

impl<'a> AggregateKey<'a> {
    /// The key of the aggregate whose stream, of type `stream_type`, is `stream_id`,
    /// numbered `number` in its log (none for an event that has not been through one).
    /// A log numbers only a stream id that begins with its type and a dash: given a
    /// number, the id is read after them without comparing the type again.
    pub fn new(stream_type: &str, stream_id: &'a SharedStr, number: Option<StreamNumber>) -> Self {
        let id = aggregate_id_of(stream_type, stream_id, number.is_some());
        AggregateKey { id, stream: number.map(|number| (number, stream_id)) }
    }

    pub fn id(&self) -> &'a str {
        self.id
    }

    /// The stream's number, with the copy of the stream's id the id was read from.
    pub fn stream(&self) -> Option<(StreamNumber, &'a SharedStr)> {
        self.stream
    }
}

/// The aggregate id in a stream id: what follows `"<StreamType>-"`, or the whole
/// stream id when it does not begin so.
///
/// A stream a log `numbered` is known to begin so ([`begins_with_its_type`], checked
/// as the log takes each event): its id is what follows, without comparing the type
/// again. Every read model asks for the id of every event it applies, and in wasm
/// that comparison is a call to `memcmp` (about 5% of a fold).
fn aggregate_id_of<'a>(stream_type: &str, stream_id: &'a str, numbered: bool) -> &'a str {
    let checked = || id_after_type(stream_type, stream_id).unwrap_or(stream_id);
    if !numbered {
        return checked();
    }
    let id = stream_id.get(stream_type.len() + 1..).unwrap_or(stream_id);
    debug_assert_eq!(id, checked(), "a numbered stream's id begins with its type and a dash");
    id
}

/// What follows `"<StreamType>-"` in a stream id, if it begins so.
fn id_after_type<'a>(stream_type: &str, stream_id: &'a str) -> Option<&'a str> {
    stream_id.strip_prefix(stream_type)?.strip_prefix('-')
}

/// Whether a stream id is its type, a dash and an aggregate id: only such a stream
/// is numbered by a log.
pub fn begins_with_its_type(stream_type: &str, stream_id: &str) -> bool {
    id_after_type(stream_type, stream_id).is_some()
}

impl PartialEq for RecordedEvent {
    /// Every field but the log's [`StreamNumber`]. Written out field by field, so that
    /// a field added later has to be placed here.
    fn eq(&self, other: &Self) -> bool {
        let RecordedEvent {
            event_id,
            stream_id,
            stream_type,
            stream_version,
            position,
            event_type,
            schema_version,
            data,
            metadata,
            checksum,
            stream_number: _,
        } = self;
        *event_id == other.event_id
            && *stream_id == other.stream_id
            && *stream_type == other.stream_type
            && *stream_version == other.stream_version
            && *position == other.position
            && *event_type == other.event_type
            && *schema_version == other.schema_version
            && *data == other.data
            && *metadata == other.metadata
            && *checksum == other.checksum
    }
}

impl RecordedEvent {
    /// The aggregate id: the stream id without its `"<StreamType>-"` prefix.
    pub fn aggregate_id(&self) -> &str {
        aggregate_id_of(&self.stream_type, &self.stream_id, self.stream_number.is_some())
    }

    /// [`RecordedEvent::aggregate_id`] with the stream's number in the log.
    pub fn aggregate_key(&self) -> AggregateKey<'_> {
        AggregateKey::new(&self.stream_type, &self.stream_id, self.stream_number)
    }

    /// Points the texts that name where the event belongs (its stream id and type,
    /// its type, its actor) at the copies `names` keeps.
    pub fn share_names(&mut self, names: &mut Interner) {
        for text in [&mut self.stream_id, &mut self.stream_type, &mut self.event_type, &mut self.metadata.actor] {
            names.share(text);
        }
    }
}

/// Who caused an event, why, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventMetadata {
    /// Shared by every message of one conversation (a command and all it caused).
    pub correlation_id: SharedStr,
    /// The id of the message (command or event) that directly caused this one.
    pub causation_id: SharedStr,
    /// RFC 3339, UTC, millisecond precision.
    #[serde(with = "rfc3339_millis")]
    pub recorded_at: DateTime<Utc>,
    pub actor: SharedStr,
}

/// An event not yet in the log: the store gives it a stream version and a position.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub event_id: EventId,
    pub event_type: SharedStr,
    pub schema_version: u32,
    pub data: JsonText,
    pub metadata: EventMetadata,
}

impl NewEvent {
    /// Places the event in the log. Used by every store, so they agree on the shape.
    pub fn record(self, stream: &StreamId, stream_version: u64, position: u64) -> RecordedEvent {
        RecordedEvent {
            event_id: self.event_id,
            stream_id: stream.id.clone(),
            stream_type: stream.stream_type.clone(),
            stream_version,
            position,
            event_type: self.event_type,
            schema_version: self.schema_version,
            data: self.data,
            metadata: self.metadata,
            checksum: None,
            stream_number: None,
        }
    }
}

/// A stream's identity: its type and its full id, `"<StreamType>-<aggregate id>"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StreamId {
    pub stream_type: SharedStr,
    pub id: SharedStr,
}

impl StreamId {
    pub fn new(stream_type: &str, aggregate_id: &str) -> Self {
        StreamId {
            stream_type: stream_type.into(),
            id: format!("{stream_type}-{aggregate_id}").into(),
        }
    }
}

/// `recorded_at` is written as `2026-11-22T10:00:00.123Z`, whatever precision it has.
pub mod rfc3339_millis {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Millis, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|at| at.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}
