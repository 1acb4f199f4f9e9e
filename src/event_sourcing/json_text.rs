//! [`JsonText`]: JSON that the core keeps but does not look inside, as its text.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

/// JSON kept as its text: an event's `data`, a snapshot's state.
///
/// The log holds every event for time travel, and the typed event is read from this
/// text when it is needed. A `serde_json::Value` would cost a map, a string per key
/// and per text value: several times the text's size, time to build on every load
/// and import, and time to drop. Written out (export, console, inspector), it is the
/// same JSON.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JsonText(Box<RawValue>);

impl JsonText {
    /// Checks that `json` is one JSON value and keeps it as it is.
    pub fn from_json(json: String) -> Result<Self, serde_json::Error> {
        RawValue::from_string(json).map(JsonText)
    }

    /// Writes `value` as JSON.
    pub fn of<T: Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::value::to_raw_value(value).map(JsonText)
    }

    /// `{}`.
    pub fn empty() -> Self {
        JsonText::from_json("{}".to_owned()).expect("`{}` is JSON")
    }

    /// The JSON text.
    pub fn json(&self) -> &str {
        self.0.get()
    }

    /// As a JSON value, for code that looks inside it (tests, tools).
    pub fn to_value(&self) -> Value {
        serde_json::from_str(self.json()).unwrap_or(Value::Null)
    }
}

impl From<Value> for JsonText {
    fn from(value: Value) -> Self {
        // A JSON value always writes as JSON.
        JsonText::of(&value).unwrap_or_else(|_| JsonText::empty())
    }
}

/// Equal when they are the same JSON, whatever the spacing or the order of keys.
impl PartialEq for JsonText {
    fn eq(&self, other: &Self) -> bool {
        self.json() == other.json() || self.to_value() == other.to_value()
    }
}

impl std::fmt::Debug for JsonText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.json())
    }
}
