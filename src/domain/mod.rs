//! Pure business rules: one aggregate per file, and the envelopes' routing into them.

pub mod order;

use serde_json::{json, Value};

use crate::event_sourcing::aggregate::{execute, Aggregate, DecodeError, DomainEvent};
use crate::event_sourcing::envelope::{CommandEnvelope, ErrorBody};
use crate::event_sourcing::recorded::RecordedEvent;
use order::{Order, OrderCommand, OrderEvent};

const ORDER: &str = <Order as Aggregate>::STREAM_TYPE;

/// Every command type the lab accepts, with the stream type it acts on.
pub const COMMAND_TYPES: &[(&str, &str)] = &[
    ("CreateOrder", ORDER),
    ("AddItem", ORDER),
    ("RemoveItem", ORDER),
    ("ConfirmOrder", ORDER),
    ("ShipOrder", ORDER),
    ("CancelOrder", ORDER),
];

/// A typed command for one of the lab's aggregates.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Order(OrderCommand),
}

impl Command {
    /// The stream type the command acts on.
    pub fn stream_type(&self) -> &'static str {
        match self {
            Command::Order(_) => ORDER,
        }
    }

    /// Decides the command against the history of its stream.
    pub fn decide<'a>(&self, history: impl IntoIterator<Item = &'a Event>) -> Result<Vec<Event>, ErrorBody> {
        match self {
            Command::Order(command) => {
                let history = history.into_iter().map(|Event::Order(event)| event);
                execute::<Order>(history, command).map(|events| events.into_iter().map(Event::Order).collect())
            }
        }
    }

    /// Reads the typed command out of an envelope: `unknown_command` or `invalid_data` when it can't.
    pub fn parse(envelope: &CommandEnvelope) -> Result<Command, ErrorBody> {
        let Some((_, stream_type)) = COMMAND_TYPES.iter().find(|(name, _)| *name == envelope.command_type) else {
            let known: Vec<&str> = COMMAND_TYPES.iter().map(|(name, _)| *name).collect();
            return Err(ErrorBody::new(
                "unknown_command",
                format!("`{}` is not a command; known commands: {}", envelope.command_type, known.join(", ")),
            ));
        };
        let tagged = json!({ "command_type": envelope.command_type, "data": envelope.data });
        let invalid = |error: serde_json::Error| {
            ErrorBody::new("invalid_data", format!("{}: {error}", envelope.command_type))
        };
        match *stream_type {
            ORDER => serde_json::from_value(tagged).map(Command::Order).map_err(invalid),
            other => unreachable!("no aggregate for stream type {other}"),
        }
    }
}

/// A typed event of any of the lab's aggregates.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Order(OrderEvent),
}

impl Event {
    /// Reads a recorded event as the typed event of its stream type.
    pub fn decode(recorded: &RecordedEvent) -> Result<Event, DecodeError> {
        match recorded.stream_type.as_str() {
            ORDER => {
                OrderEvent::from_recorded(&recorded.event_type, recorded.schema_version, &recorded.data)
                    .map(Event::Order)
            }
            other => Err(DecodeError {
                event_type: recorded.event_type.clone(),
                message: format!("unknown stream type `{other}`"),
            }),
        }
    }

    pub fn event_type(&self) -> &'static str {
        match self {
            Event::Order(event) => event.event_type(),
        }
    }

    pub fn schema_version(&self) -> u32 {
        match self {
            Event::Order(event) => event.schema_version(),
        }
    }

    pub fn data(&self) -> Value {
        match self {
            Event::Order(event) => event.to_data(),
        }
    }
}

/// The write-model state of a stream after `history`, as JSON (`null` before creation).
pub fn replay_state<'a>(stream_type: &str, history: impl IntoIterator<Item = &'a Event>) -> Option<Value> {
    match stream_type {
        ORDER => {
            let state = Order::fold(history.into_iter().map(|Event::Order(event)| event));
            serde_json::to_value(state).ok()
        }
        _ => None,
    }
}
