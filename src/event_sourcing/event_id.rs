//! [`EventId`]: an event's id, a UUID kept as its 16 bytes.

use std::fmt;

use serde::de::Deserializer;
use serde::{Deserialize, Serialize, Serializer};

use super::shared_str::{self, SharedStr};

/// An event's id. The lab gives every event a UUID (v4, written lowercase with
/// hyphens); such an id is kept as its 16 bytes, any other text as it is. As a
/// `String`, the 36 characters took 52 bytes and an allocation of their own for
/// each event of the log. It reads, compares and is written out as the text.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EventId(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// Only for the text [`EventId::bytes_of`] reads, so that one text has one form.
    Uuid([u8; 16]),
    Text(Box<str>),
}

const HYPHENS: [usize; 4] = [8, 13, 18, 23];
const HEX: &[u8; 16] = b"0123456789abcdef";

impl EventId {
    /// The bytes of `text` if it is a UUID written as the lab writes one (lowercase,
    /// hyphenated), and would be written back the same.
    fn bytes_of(text: &str) -> Option<[u8; 16]> {
        let text = text.as_bytes();
        if text.len() != 36 || HYPHENS.iter().any(|&at| text[at] != b'-') {
            return None;
        }
        let digit = |character: u8| match character {
            b'0'..=b'9' => Some(character - b'0'),
            b'a'..=b'f' => Some(character - b'a' + 10),
            _ => None,
        };
        let mut bytes = [0; 16];
        let mut at = 0;
        for byte in &mut bytes {
            if HYPHENS.contains(&at) {
                at += 1;
            }
            *byte = digit(text[at])? << 4 | digit(text[at + 1])?;
            at += 2;
        }
        Some(bytes)
    }

    /// Writes the id into `buffer`, answering the text.
    fn write<'b>(&'b self, buffer: &'b mut [u8; 36]) -> &'b str {
        match &self.0 {
            Repr::Text(text) => text,
            Repr::Uuid(bytes) => {
                let mut at = 0;
                for byte in bytes {
                    if HYPHENS.contains(&at) {
                        buffer[at] = b'-';
                        at += 1;
                    }
                    buffer[at] = HEX[usize::from(byte >> 4)];
                    buffer[at + 1] = HEX[usize::from(byte & 0xf)];
                    at += 2;
                }
                std::str::from_utf8(buffer).expect("hex digits and hyphens")
            }
        }
    }

    /// Whether the id is this text.
    pub fn is(&self, text: &str) -> bool {
        self.write(&mut [0; 36]) == text
    }
}

impl From<&str> for EventId {
    fn from(text: &str) -> Self {
        EventId(match EventId::bytes_of(text) {
            Some(bytes) => Repr::Uuid(bytes),
            None => Repr::Text(text.into()),
        })
    }
}

impl From<String> for EventId {
    fn from(text: String) -> Self {
        EventId(match EventId::bytes_of(&text) {
            Some(bytes) => Repr::Uuid(bytes),
            None => Repr::Text(text.into_boxed_str()),
        })
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.write(&mut [0; 36]))
    }
}

impl fmt::Debug for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.write(&mut [0; 36]), f)
    }
}

impl PartialEq<str> for EventId {
    fn eq(&self, other: &str) -> bool {
        self.is(other)
    }
}

impl PartialEq<&str> for EventId {
    fn eq(&self, other: &&str) -> bool {
        self.is(other)
    }
}

impl PartialEq<SharedStr> for EventId {
    fn eq(&self, other: &SharedStr) -> bool {
        self.is(other)
    }
}

impl PartialEq<EventId> for SharedStr {
    fn eq(&self, other: &EventId) -> bool {
        other.is(self)
    }
}

impl Serialize for EventId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.write(&mut [0; 36]))
    }
}

impl<'de> Deserialize<'de> for EventId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        shared_str::from_text(deserializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_as_the_lab_writes_them_is_kept_as_its_bytes_and_written_back_as_it_was() {
        let text = "0f8fad5b-d9cb-469f-a165-70867728950e";
        let id = EventId::from(text);
        assert!(matches!(id.0, Repr::Uuid(_)));
        assert_eq!((id.to_string(), format!("{id:?}")), (text.to_owned(), format!("{text:?}")));
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{text}\""));
        assert_eq!(serde_json::from_str::<EventId>(&format!("\"{text}\"")).unwrap(), id);
        let shared = SharedStr::from(text);
        assert!(id == text);
        assert_eq!(id, shared, "an event id equals the same text shared");
        assert_eq!(shared, id, "and the other way round");
        assert_eq!(EventId::from(text.to_owned()), id);
    }

    #[test]
    fn any_other_id_is_kept_as_its_text() {
        for text in ["e-1", "", "0F8FAD5B-D9CB-469F-A165-70867728950E", "0f8fad5b-d9cb-469f-a165-70867728950", "0f8fad5bxd9cb-469f-a165-70867728950e", "0f8fad5b-d9cb-469f-a165-70867728950g"] {
            let id = EventId::from(text);
            assert!(matches!(id.0, Repr::Text(_)), "{text}");
            assert_eq!(id.to_string(), text);
            assert!(id == text && id != "e-2");
        }
        assert_ne!(EventId::from("e-1"), EventId::from("e-2"));
    }
}
