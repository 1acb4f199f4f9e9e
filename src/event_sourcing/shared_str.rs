//! [`SharedStr`]: text that many events repeat, kept once; [`Interner`]: where the
//! log keeps it.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::Arc;

use rustc_hash::FxBuildHasher;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Text that many events of a log repeat: a stream id, a stream type, an event type,
/// an actor, a correlation id.
///
/// As a `String`, each event held its own copy of each: at 100,000 events that was
/// most of the memory the log took. The log keeps one copy and every event points to
/// it ([`Interner`]). It reads, compares, hashes and is written out as the text.
///
/// An `Arc`, not an `Rc`: recorded events travel in the UI's signals, which ask for
/// `Send + Sync` (in the browser, with one thread, its counts cost what an `Rc`'s do).
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SharedStr(Arc<str>);

impl SharedStr {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether both point to the same copy of the text (not only to equal texts).
    pub fn is_same_copy(&self, other: &SharedStr) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// Where this copy of the text is: two copies alive at once are the same copy
    /// exactly when their addresses are equal. Lets a caller remember a copy without
    /// holding it (a clone would count it up and down).
    pub fn address(&self) -> usize {
        Arc::as_ptr(&self.0).cast::<u8>() as usize
    }
}

impl Deref for SharedStr {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<&str> for SharedStr {
    fn from(text: &str) -> Self {
        SharedStr(Arc::from(text))
    }
}

impl From<String> for SharedStr {
    fn from(text: String) -> Self {
        SharedStr(Arc::from(text))
    }
}

impl From<&String> for SharedStr {
    fn from(text: &String) -> Self {
        SharedStr(Arc::from(text.as_str()))
    }
}

impl From<SharedStr> for String {
    fn from(text: SharedStr) -> Self {
        text.0.to_string()
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for SharedStr {
    fn eq(&self, other: &String) -> bool {
        &*self.0 == other.as_str()
    }
}

impl PartialEq<SharedStr> for str {
    fn eq(&self, other: &SharedStr) -> bool {
        self == &*other.0
    }
}

impl PartialEq<SharedStr> for &str {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<SharedStr> for String {
    fn eq(&self, other: &SharedStr) -> bool {
        self.as_str() == &*other.0
    }
}

impl Serialize for SharedStr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SharedStr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        from_text(deserializer)
    }
}

/// Reads a string as the `T` made from its text, read in place where the format
/// allows (no `String` in between): how [`SharedStr`] and `EventId` deserialize.
pub(super) fn from_text<'de, D: Deserializer<'de>, T: for<'a> From<&'a str>>(deserializer: D) -> Result<T, D::Error> {
    struct Text<T>(PhantomData<T>);

    impl<T: for<'a> From<&'a str>> Visitor<'_> for Text<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
            Ok(T::from(text))
        }
    }

    deserializer.deserialize_str(Text(PhantomData))
}

/// One copy of each text: [`Interner::share`] points a [`SharedStr`] at the copy
/// kept here, so the copy it held is dropped.
#[derive(Debug, Default, Clone)]
pub struct Interner(HashSet<Arc<str>, FxBuildHasher>);

impl Interner {
    pub fn share(&mut self, text: &mut SharedStr) {
        match self.0.get(&*text.0) {
            Some(kept) => {
                if !Arc::ptr_eq(kept, &text.0) {
                    text.0 = Arc::clone(kept);
                }
            }
            None => {
                self.0.insert(Arc::clone(&text.0));
            }
        }
    }

    /// The kept copy of `text`, kept now if it is new: a text met again costs a
    /// lookup, not a copy (how a store shares the texts of the events it reads).
    pub fn shared(&mut self, text: &str) -> SharedStr {
        match self.0.get(text) {
            Some(kept) => SharedStr(Arc::clone(kept)),
            None => {
                let kept: Arc<str> = Arc::from(text);
                self.0.insert(Arc::clone(&kept));
                SharedStr(kept)
            }
        }
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_text_reads_compares_and_is_written_as_its_text() {
        let text = SharedStr::from("Order-o-1");
        assert_eq!(text, "Order-o-1");
        assert_eq!("Order-o-1".to_owned(), text);
        assert_eq!(text.to_string(), "Order-o-1");
        assert_eq!(serde_json::to_string(&text).unwrap(), "\"Order-o-1\"");
        assert_eq!(serde_json::from_str::<SharedStr>("\"Order-o-1\"").unwrap(), text);
        assert_eq!(serde_json::from_str::<SharedStr>("\"a\\\"b\"").unwrap(), "a\"b");
        assert!(serde_json::from_str::<SharedStr>("12").is_err());
    }

    #[test]
    fn the_interner_keeps_one_copy_of_each_text() {
        let mut interner = Interner::default();
        let (mut first, mut second, mut other) = (SharedStr::from("Order"), SharedStr::from("Order"), SharedStr::from("Account"));
        assert!(!Arc::ptr_eq(&first.0, &second.0));
        interner.share(&mut first);
        interner.share(&mut second);
        interner.share(&mut other);
        assert!(Arc::ptr_eq(&first.0, &second.0), "the second copy now points to the first");
        assert_eq!((first.as_str(), other.as_str()), ("Order", "Account"));
    }

    #[test]
    fn the_interner_hands_out_its_kept_copy_of_a_text_it_holds() {
        let mut interner = Interner::default();
        let (first, again, other) = (interner.shared("Order"), interner.shared("Order"), interner.shared("Account"));
        assert!(first.is_same_copy(&again), "a text met again is the kept copy");
        assert!(!first.is_same_copy(&other));
        let mut copy = SharedStr::from("Order");
        interner.share(&mut copy);
        assert!(copy.is_same_copy(&first), "`share` and `shared` keep the same copy");
        assert_eq!((first.as_str(), other.as_str()), ("Order", "Account"));
    }
}
