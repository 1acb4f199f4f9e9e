//! The shape of an aggregate: `decide` and `evolve`, pure and synchronous.
//!
//! Whatever a decision needs (ids, "now") arrives in the command or its context;
//! an aggregate never does I/O. All business rules live in `decide`; `evolve`
//! never refuses, it only records what happened.

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::Serialize;

use crate::event_sourcing::json_text::JsonText;

/// A consistency boundary: one stream of events, folded into one state.
pub trait Aggregate {
    /// The stream type, the first part of the stream id: `Order`.
    const STREAM_TYPE: &'static str;
    /// `Default` is "not created yet". Serialized into snapshots.
    type State: Default + Clone + Serialize + DeserializeOwned;
    /// The version of the state's shape in snapshots: raise it whenever `State`
    /// changes, and snapshots taken before are ignored (the stream is replayed).
    const STATE_SCHEMA: u32 = 1;
    type Command;
    type Event: DomainEvent;
    type Rejection: Rejection;

    /// Decides what happens: the events to record, or why not.
    fn decide(state: &Self::State, command: &Self::Command) -> Result<Vec<Self::Event>, Self::Rejection>;

    /// Applies one event that happened. Never refuses.
    fn evolve(state: Self::State, event: &Self::Event) -> Self::State;

    /// Folds a whole history into a state.
    fn fold<'a>(events: impl IntoIterator<Item = &'a Self::Event>) -> Self::State
    where
        Self::Event: 'a,
    {
        events.into_iter().fold(Self::State::default(), Self::evolve)
    }
}

/// Why the domain said no: a stable machine code and a sentence for people.
pub trait Rejection: std::fmt::Display {
    /// Snake case, stable: `insufficient_funds`.
    fn code(&self) -> &'static str;
}

/// A typed event, and its conversion to and from the raw recorded form.
pub trait DomainEvent: Sized {
    fn event_type(&self) -> &'static str;
    fn schema_version(&self) -> u32 {
        1
    }
    /// The `data` of the recorded event.
    fn to_data(&self) -> JsonText;
    /// Reads a recorded event back. Upcasting of old schema versions happens here.
    fn from_recorded(event_type: &str, schema_version: u32, data: &JsonText) -> Result<Self, DecodeError>;
}

/// Decides `command` on a loaded state (a full fold, or a snapshot plus the events
/// after it) and turns a rejection into the `{code, message}` of CONTRACT §2.
pub fn execute<A: Aggregate>(
    state: &A::State,
    command: &A::Command,
) -> Result<Vec<A::Event>, crate::event_sourcing::envelope::ErrorBody> {
    A::decide(state, command).map_err(|rejection| {
        crate::event_sourcing::envelope::ErrorBody::new(rejection.code(), rejection.to_string())
    })
}

/// A recorded event that does not read as any known event.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    pub event_type: String,
    pub message: String,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot read a {} event: {}", self.event_type, self.message)
    }
}

/// `to_data` for an enum written `#[serde(tag = "event_type", content = "data")]`.
///
/// serde writes such an enum as `{"event_type":"<type>","data":<data>}`, the tag
/// first; the data is the text after the tag, as it was written.
pub fn adjacent_data<E: Serialize>(event: &E) -> JsonText {
    let Ok(json) = serde_json::to_string(event) else { return JsonText::empty() };
    let data = json
        .strip_prefix(r#"{"event_type":"#)
        .and_then(|rest| rest.split_once(r#","data":"#))
        .and_then(|(_, data)| data.strip_suffix('}'));
    match data {
        Some(data) => JsonText::from_json(data.to_owned()).unwrap_or_else(|_| JsonText::empty()),
        // A variant without fields has no `data`.
        None => JsonText::empty(),
    }
}

/// `from_recorded` for an enum written `#[serde(tag = "event_type", content = "data")]`.
///
/// Reads `data` where it is. The enum sees the tag first, so serde reads the data
/// straight from its text into the variant, without building the tagged object.
pub fn from_adjacent<E: DeserializeOwned>(event_type: &str, data: &JsonText) -> Result<E, DecodeError> {
    E::deserialize(Adjacent { event_type, data: data.json(), read: 0 }).map_err(|error| DecodeError {
        event_type: event_type.to_owned(),
        message: error.to_string(),
    })
}

/// `{"event_type": …, "data": …}` seen as a map, tag first, without building it.
struct Adjacent<'a> {
    event_type: &'a str,
    /// The JSON text of `data`.
    data: &'a str,
    /// How many of the two fields were read.
    read: u8,
}

impl<'de> Deserializer<'de> for Adjacent<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_map(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> MapAccess<'de> for Adjacent<'de> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
        let key = match self.read {
            0 => "event_type",
            1 => "data",
            _ => return Ok(None),
        };
        seed.deserialize(BorrowedStrDeserializer::new(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Self::Error> {
        self.read += 1;
        match self.read {
            1 => seed.deserialize(BorrowedStrDeserializer::new(self.event_type)),
            _ => seed.deserialize(&mut serde_json::Deserializer::from_str(self.data)),
        }
    }
}
