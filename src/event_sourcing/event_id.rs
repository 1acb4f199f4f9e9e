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

/// Where the 32 hex digits of a hyphenated UUID are, in order.
const DIGITS_AT: [usize; 32] = {
    let (mut at, mut digit, mut place, mut hyphen) = ([0; 32], 0, 0, 0);
    while digit < 32 {
        if hyphen < HYPHENS.len() && place == HYPHENS[hyphen] {
            place += 1;
            hyphen += 1;
        }
        at[digit] = place;
        digit += 1;
        place += 1;
    }
    at
};

/// The value of each byte as a lowercase hex digit; any other byte has a high bit set.
/// A table rather than a test of ranges: random digits made those tests mispredict.
const HEX_VALUE: [u8; 256] = {
    let mut value = [0xff; 256];
    let mut digit = 0;
    while digit < 16 {
        value[HEX[digit] as usize] = digit as u8;
        digit += 1;
    }
    value
};

impl EventId {
    /// The bytes of `text` if it is a UUID written as the lab writes one (lowercase,
    /// hyphenated), and would be written back the same. Every event of a loaded log
    /// passes here: the digits are read at fixed places through a table, without a
    /// branch per digit (100k ids natively: 12.1 → 5.0 ms).
    fn bytes_of(text: &str) -> Option<[u8; 16]> {
        let text: &[u8; 36] = text.as_bytes().try_into().ok()?;
        if HYPHENS.iter().any(|&at| text[at] != b'-') {
            return None;
        }
        let (mut bytes, mut not_hex) = ([0; 16], 0);
        for (byte, at) in bytes.iter_mut().zip(DIGITS_AT.chunks_exact(2)) {
            let (high, low) = (HEX_VALUE[usize::from(text[at[0]])], HEX_VALUE[usize::from(text[at[1]])]);
            not_hex |= high | low;
            *byte = high << 4 | low;
        }
        (not_hex < 16).then_some(bytes)
    }

    /// Writes the id into `buffer`, answering the text.
    fn write<'b>(&'b self, buffer: &'b mut [u8; 36]) -> &'b str {
        match &self.0 {
            Repr::Text(text) => text,
            Repr::Uuid(bytes) => {
                *buffer = [b'-'; 36];
                for (byte, at) in bytes.iter().zip(DIGITS_AT.chunks_exact(2)) {
                    buffer[at[0]] = HEX[usize::from(byte >> 4)];
                    buffer[at[1]] = HEX[usize::from(byte & 0xf)];
                }
                std::str::from_utf8(buffer).expect("hex digits and hyphens")
            }
        }
    }

    /// The id as it is kept: a UUID's 16 bytes, or any other id's text. With
    /// `EventId::from(IdForm)`, how a store keeps an id compactly.
    pub fn form(&self) -> IdForm<'_> {
        match &self.0 {
            Repr::Uuid(bytes) => IdForm::Uuid(*bytes),
            Repr::Text(text) => IdForm::Text(text),
        }
    }

    /// Whether the id is this text.
    pub fn is(&self, text: &str) -> bool {
        self.write(&mut [0; 36]) == text
    }
}

/// An [`EventId`] as it is kept ([`EventId::form`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdForm<'a> {
    /// A UUID as the lab writes one, as its 16 bytes.
    Uuid([u8; 16]),
    /// Any other id, as its text.
    Text(&'a str),
}

impl From<IdForm<'_>> for EventId {
    fn from(form: IdForm<'_>) -> Self {
        match form {
            // Any 16 bytes are a UUID's, and write back as the lab writes one.
            IdForm::Uuid(bytes) => EventId(Repr::Uuid(bytes)),
            // The text's own form: a UUID written as text is kept as its bytes.
            IdForm::Text(text) => EventId::from(text),
        }
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
    fn every_byte_at_every_place_is_written_and_read_back_the_same() {
        for place in 0..16 {
            for value in 0..=255u8 {
                let mut bytes = [0x5a; 16];
                bytes[place] = value;
                let text = EventId(Repr::Uuid(bytes)).to_string();
                assert_eq!(EventId::bytes_of(&text), Some(bytes), "{text}");
                assert_eq!(text.matches('-').count(), 4);
            }
        }
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

    #[test]
    fn an_id_goes_to_its_form_and_back() {
        let id = EventId::from("0f8fad5b-d9cb-469f-a165-70867728950e");
        let IdForm::Uuid(bytes) = id.form() else { panic!("a UUID is kept as its bytes") };
        assert_eq!(bytes[..2], [0x0f, 0x8f]);
        assert_eq!(EventId::from(IdForm::Uuid(bytes)), id);
        let other = EventId::from("e-1");
        assert_eq!(other.form(), IdForm::Text("e-1"));
        assert_eq!(EventId::from(other.form()), other);
    }
}
