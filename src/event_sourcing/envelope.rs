//! The JSON envelopes of CONTRACT §2: commands and queries in, results out.
//! Parsing never panics: whatever is malformed becomes an `invalid` answer.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::recorded::RecordedEvent;

/// A machine code and a sentence for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

impl ErrorBody {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        ErrorBody { code: code.to_owned(), message: message.into() }
    }
}

/// The longest aggregate id a sender may choose.
pub const MAX_AGGREGATE_ID_CHARS: usize = 128;

/// `{ command_type, aggregate_id, data, expected_version?, metadata? }`.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandEnvelope {
    pub command_type: String,
    pub aggregate_id: String,
    pub data: Value,
    pub expected_version: Option<u64>,
    pub metadata: CommandMetadata,
}

/// What a sender may say about a command's origin; the rest is filled in on handling.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct CommandMetadata {
    pub correlation_id: Option<String>,
    pub causation_id: Option<String>,
    pub actor: Option<String>,
}

fn malformed(message: impl Into<String>) -> ErrorBody {
    ErrorBody::new("malformed_envelope", message)
}

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>, ErrorBody> {
    value.as_object().ok_or_else(|| malformed(format!("{what} must be a JSON object")))
}

fn required_string(fields: &Map<String, Value>, name: &str) -> Result<String, ErrorBody> {
    match fields.get(name) {
        Some(Value::String(text)) if !text.trim().is_empty() => Ok(text.clone()),
        Some(Value::String(_)) => Err(malformed(format!("`{name}` must not be empty"))),
        Some(_) => Err(malformed(format!("`{name}` must be a string"))),
        None => Err(malformed(format!("`{name}` is missing"))),
    }
}

fn optional_position(fields: &Map<String, Value>, name: &str) -> Result<Option<u64>, ErrorBody> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_u64()
            .map(Some)
            .ok_or_else(|| malformed(format!("`{name}` must be a whole number ≥ 0"))),
    }
}

fn data_object(fields: &Map<String, Value>, name: &str) -> Result<Value, ErrorBody> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(Value::Object(Map::new())),
        Some(value @ Value::Object(_)) => Ok(value.clone()),
        Some(_) => Err(malformed(format!("`{name}` must be a JSON object"))),
    }
}

impl CommandEnvelope {
    pub fn parse(value: &Value) -> Result<Self, ErrorBody> {
        let fields = object(value, "a command")?;
        let command_type = required_string(fields, "command_type")?;
        let aggregate_id = required_string(fields, "aggregate_id")?;
        if aggregate_id.chars().count() > MAX_AGGREGATE_ID_CHARS {
            return Err(ErrorBody::new(
                "invalid_aggregate_id",
                format!("`aggregate_id` is longer than {MAX_AGGREGATE_ID_CHARS} characters"),
            ));
        }
        let metadata = match fields.get("metadata") {
            None | Some(Value::Null) => CommandMetadata::default(),
            Some(value) => serde_json::from_value(value.clone())
                .map_err(|error| malformed(format!("`metadata`: {error}")))?,
        };
        Ok(CommandEnvelope {
            command_type,
            aggregate_id,
            data: data_object(fields, "data")?,
            expected_version: optional_position(fields, "expected_version")?,
            metadata,
        })
    }
}

/// The outcome of a command, one of four statuses (plus `error` when storage failed).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CommandResult {
    /// Recorded: the stream's new version and the events as recorded.
    Accepted { stream_version: u64, events: Vec<RecordedEvent> },
    /// The domain said no; nothing was written.
    Rejected { error: ErrorBody },
    /// Optimistic concurrency: the stream moved on; nothing was written.
    Conflict { expected_version: u64, actual_version: u64 },
    /// A malformed envelope or data; nothing was written.
    Invalid { error: ErrorBody },
    /// The storage failed; nothing was written.
    Error { error: ErrorBody },
}

/// `{ query_type, filters, projection?, as_of? }`.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryEnvelope {
    pub query_type: String,
    pub filters: Value,
    pub projection: Option<String>,
    /// Answer as of this global position (the head when absent).
    pub as_of: Option<u64>,
}

impl QueryEnvelope {
    pub fn parse(value: &Value) -> Result<Self, ErrorBody> {
        let fields = object(value, "a query")?;
        let projection = match fields.get("projection") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => Some(name.clone()),
            Some(_) => return Err(malformed("`projection` must be a string")),
        };
        Ok(QueryEnvelope {
            query_type: required_string(fields, "query_type")?,
            filters: data_object(fields, "filters")?,
            projection,
            as_of: optional_position(fields, "as_of")?,
        })
    }
}

/// The outcome of a query.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum QueryResult {
    /// `position` is the global position the answer is as of; `cache` says whether
    /// the query bus's cache answered.
    Ok {
        position: u64,
        data: Value,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache: Option<crate::cqrs::query_bus::Lookup>,
    },
    Invalid { error: ErrorBody },
}

/// Reads typed command data or query filters, turning serde's complaint into `invalid_data`.
pub fn typed<T: for<'de> Deserialize<'de>>(what: &str, value: &Value) -> Result<T, ErrorBody> {
    T::deserialize(value).map_err(|error| ErrorBody::new("invalid_data", format!("{what}: {error}")))
}
