//! [`JsonText`]: JSON that the core keeps but does not look inside, as its text.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::Value;

/// JSON kept as its text: an event's `data`, a snapshot's state.
///
/// The log holds every event for time travel, and the typed event is read from this
/// text when it is needed. A `serde_json::Value` would cost a map, a string per key
/// and per text value: several times the text's size, time to build on every load
/// and import, and time to drop. Written out (export, console, inspector), it is the
/// same JSON.
#[derive(Clone)]
pub struct JsonText(Box<str>);

impl JsonText {
    /// Checks that `json` is one JSON value and keeps it as it is.
    pub fn from_json(json: String) -> Result<Self, serde_json::Error> {
        serde_json::from_str::<&RawValue>(&json)?;
        Ok(JsonText(json.into_boxed_str()))
    }

    /// Keeps `json` without checking it: for the text a store gives back as it was
    /// given it ([`JsonText::json`]). The lab reads the typed event of every event it
    /// loads from its data, which refuses text that is not JSON, so the store's read
    /// need not check it first (a reload of 100k events: ~9 ms).
    pub fn from_stored(json: String) -> Self {
        JsonText(json.into_boxed_str())
    }

    /// Writes `value` as JSON.
    pub fn of<T: Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::to_string(value).map(|json| JsonText(json.into_boxed_str()))
    }

    /// `{}`.
    pub fn empty() -> Self {
        JsonText("{}".into())
    }

    /// The JSON text.
    pub fn json(&self) -> &str {
        &self.0
    }

    /// As a JSON value, for code that looks inside it (tests, tools).
    pub fn to_value(&self) -> Value {
        serde_json::from_str(self.json()).unwrap_or(Value::Null)
    }
}

/// Written as the JSON it holds, not as a string. serde_json writes text as it is only
/// from a `RawValue`, which a text becomes by being checked: a text kept unchecked
/// ([`JsonText::from_stored`]) that is not JSON is an error here, never invalid output.
impl Serialize for JsonText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw: &RawValue = serde_json::from_str(&self.0).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for JsonText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(|raw| JsonText(raw.into()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_text_is_checked_when_made_and_written_out_as_the_json_it_holds() {
        assert!(JsonText::from_json("{\"a\": [1, 2]}".to_owned()).is_ok());
        assert!(JsonText::from_json("{\"a\": ".to_owned()).is_err());
        assert!(JsonText::from_json("{} {}".to_owned()).is_err(), "one value, not two");
        let text = JsonText::of(&serde_json::json!({"b": "山田"})).unwrap();
        assert_eq!(serde_json::to_string(&serde_json::json!({ "data": text.to_value() })).unwrap(), r#"{"data":{"b":"山田"}}"#);
        #[derive(Serialize, Deserialize)]
        struct Holder {
            data: JsonText,
        }
        let held: Holder = serde_json::from_str(r#"{"data": {"x": 1,  "y": [true]}}"#).unwrap();
        assert_eq!(held.data.json(), r#"{"x": 1,  "y": [true]}"#, "kept as it was written");
        assert_eq!(serde_json::to_string(&held).unwrap(), r#"{"data":{"x": 1,  "y": [true]}}"#, "and written back as JSON, not a string");
    }

    #[test]
    fn a_stored_text_is_kept_unchecked_and_one_that_is_not_json_is_never_written_out() {
        let stored = JsonText::from_stored(r#"{"amount": 5}"#.to_owned());
        assert_eq!(stored.json(), r#"{"amount": 5}"#);
        let broken = JsonText::from_stored(r#"{"amount": "#.to_owned());
        assert_eq!(broken.to_value(), Value::Null);
        assert!(serde_json::to_string(&broken).is_err(), "an error, not invalid JSON");
    }
}
