//! The shape of an aggregate: `decide` and `evolve`, pure and synchronous.
//!
//! Whatever a decision needs (ids, "now") arrives in the command or its context;
//! an aggregate never does I/O. All business rules live in `decide`; `evolve`
//! never refuses, it only records what happened.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

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
    fn to_data(&self) -> Value;
    /// Reads a recorded event back. Upcasting of old schema versions happens here.
    fn from_recorded(event_type: &str, schema_version: u32, data: &Value) -> Result<Self, DecodeError>;
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
pub fn adjacent_data<E: Serialize>(event: &E) -> Value {
    match serde_json::to_value(event) {
        Ok(Value::Object(mut map)) => map.remove("data").unwrap_or(Value::Object(Default::default())),
        _ => Value::Null,
    }
}

/// `from_recorded` for an enum written `#[serde(tag = "event_type", content = "data")]`.
pub fn from_adjacent<E: DeserializeOwned>(event_type: &str, data: &Value) -> Result<E, DecodeError> {
    let tagged = serde_json::json!({ "event_type": event_type, "data": data });
    serde_json::from_value(tagged).map_err(|error| DecodeError {
        event_type: event_type.to_owned(),
        message: error.to_string(),
    })
}
