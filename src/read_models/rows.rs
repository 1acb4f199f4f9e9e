//! Keyed rows kept in the order they were first inserted: the table behind a read
//! model. Serialized as a plain list of rows.
//!
//! Rows live in persistent collections ([`imbl`]), each row behind an `Rc`: a copy
//! of a read model (a timeline checkpoint, the state being scrubbed) takes no time
//! and shares every row with the original; changing a row afterwards copies that
//! row and the chunk of 64 pointers that holds it, nothing else. The index from a
//! key to its row is shared by every copy ([`Places`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use imbl::shared_ptr::DefaultSharedPtr;
use imbl::{GenericHashMap, GenericHashSet, Vector};
use rustc_hash::FxBuildHasher;
use serde::{Serialize, Serializer};

/// A persistent map for the read models, hashed with FxHash (fast on short ids,
/// the same on every run).
pub type Map<K, V> = GenericHashMap<K, V, FxBuildHasher, DefaultSharedPtr>;

/// A persistent set, hashed as [`Map`].
pub type Set<T> = GenericHashSet<T, FxBuildHasher, DefaultSharedPtr>;

/// The value under `key`, inserted as `V::default()` first when there is none: what
/// `map.entry(key.to_owned()).or_default()` does, without copying the key on every
/// call (a fold makes this call for most events).
pub fn value_mut<'m, V: Clone + Default>(map: &'m mut Map<String, V>, key: &str) -> &'m mut V {
    if !map.contains_key(key) {
        map.insert(key.to_owned(), V::default());
    }
    map.get_mut(key).expect("present or just inserted")
}

#[derive(Debug, Clone)]
pub struct Rows<T: Clone> {
    rows: Vector<Rc<Keyed<T>>>,
    /// Where each key's row is, shared by this table and every copy of it.
    places: Places,
    /// Places this copy gave keys differently from the shared index (see [`Places`]):
    /// empty unless copies went different ways.
    own_places: Map<Rc<str>, usize>,
}

/// A row with its key: a place found in the shared index is trusted only when the
/// row there has the key looked for.
#[derive(Debug, Clone, PartialEq)]
struct Keyed<T> {
    key: Rc<str>,
    row: T,
}

/// Key → place, shared by a table and all its copies (timeline checkpoints, the
/// state being scrubbed).
///
/// A key keeps its place forever: rows are only ever added at the end. A copy taken
/// earlier in the log holds the first rows of a later copy, at the same places, so
/// one index serves them all: a place past a copy's last row, or holding another
/// key's row, is not that copy's. Copied into each checkpoint instead, the index of
/// a table that grows by a row every few events was most of the checkpoints' memory
/// (order summary: 7.1 of 7.8 MB natively at 100k events).
///
/// Copies of one table that went different ways (a projector that skipped an event
/// gives later keys other places) may find a key's shared place taken: such a copy
/// keeps that key's place in its own index.
#[derive(Debug, Clone, Default)]
struct Places(Rc<RefCell<HashMap<Rc<str>, usize, FxBuildHasher>>>);

impl<T: Clone> Default for Rows<T> {
    fn default() -> Self {
        Rows { rows: Vector::new(), places: Places::default(), own_places: Map::default() }
    }
}

impl<T: Clone + PartialEq> PartialEq for Rows<T> {
    fn eq(&self, other: &Self) -> bool {
        self.rows == other.rows
    }
}

impl<T: Clone> Rows<T> {
    /// Inserts a row under `key`, or replaces the row already there (keeping its place).
    pub fn upsert(&mut self, key: &str, row: T) {
        match self.place(key) {
            Some(at) => Rc::make_mut(&mut self.rows[at]).row = row,
            None => {
                let at = self.rows.len();
                let mut places = self.places.0.borrow_mut();
                let key: Rc<str> = match places.get_key_value(key) {
                    // A copy further on in the log added the key here already.
                    Some((shared, &place)) if place == at => Rc::clone(shared),
                    // Another copy gave the key a place this one does not share.
                    Some((shared, _)) => {
                        let key = Rc::clone(shared);
                        self.own_places.insert(Rc::clone(&key), at);
                        key
                    }
                    None => {
                        let key = Rc::from(key);
                        places.insert(Rc::clone(&key), at);
                        key
                    }
                };
                self.rows.push_back(Rc::new(Keyed { key, row }));
            }
        }
    }

    /// Where the row under `key` is, in insertion order.
    pub fn place(&self, key: &str) -> Option<usize> {
        if let Some(&at) = self.own_places.get(key) {
            return Some(at);
        }
        let at = *self.places.0.borrow().get(key)?;
        self.rows.get(at).filter(|keyed| &*keyed.key == key).map(|_| at)
    }

    pub fn get(&self, key: &str) -> Option<&T> {
        self.place(key).map(|at| &self.rows[at].row)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut T> {
        self.place(key).map(|at| &mut Rc::make_mut(&mut self.rows[at]).row)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator + '_ {
        self.rows.iter().map(|keyed| &keyed.row)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row at `place` (in insertion order).
    pub fn at(&self, place: usize) -> Option<&T> {
        self.rows.get(place).map(|keyed| &keyed.row)
    }
}

/// A list inside a read model (an account's transactions, a customer's orders), each
/// entry behind an `Rc`.
///
/// imbl keeps a vector in chunks of 64 entries, each chunk allocated whole. With the
/// entries in the chunk, every account's first transaction took room for 64, and the
/// first change after a copy (a timeline checkpoint) copied 64 entries, strings and
/// all: ~1 MB for each of 99 checkpoints at 100k events. Behind `Rc`, a chunk is 64
/// pointers and copying it copies pointers.
#[derive(Debug, Clone, PartialEq)]
pub struct List<T>(Vector<Rc<T>>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vector::new())
    }
}

impl<T: Clone> List<T> {
    /// A list of one entry.
    pub fn of(entry: T) -> Self {
        List(imbl::vector![Rc::new(entry)])
    }

    pub fn push_back(&mut self, entry: T) {
        self.0.push_back(Rc::new(entry));
    }

    pub fn get(&self, at: usize) -> Option<&T> {
        self.0.get(at).map(|entry| &**entry)
    }

    /// The entry at `at`, copied first if a copy of the list shares it.
    pub fn get_mut(&mut self, at: usize) -> Option<&mut T> {
        self.0.get_mut(at).map(Rc::make_mut)
    }

    pub fn last(&self) -> Option<&T> {
        self.0.last().map(|entry| &**entry)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator + '_ {
        self.0.iter().map(|entry| &**entry)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T> std::ops::Index<usize> for List<T> {
    type Output = T;

    fn index(&self, at: usize) -> &T {
        &self.0[at]
    }
}

impl<T: Clone + Serialize> Serialize for List<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<T: Clone + Serialize> Serialize for Rows<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::{List, Rows};

    fn numbered(count: usize) -> Rows<(String, u32)> {
        let mut rows = Rows::default();
        for n in 0..count {
            rows.upsert(&format!("k{n}"), (format!("k{n}"), 0));
        }
        rows
    }

    #[test]
    fn a_list_copied_then_changed_leaves_the_original_as_it_was() {
        let mut original = List::of("a".to_owned());
        original.push_back("b".to_owned());
        let mut copy = original.clone();
        copy.push_back("c".to_owned());
        *copy.get_mut(0).unwrap() = "A".to_owned();
        assert_eq!(original.iter().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(copy.iter().collect::<Vec<_>>(), ["A", "b", "c"]);
        assert_eq!((copy.len(), &copy[2], copy.last()), (3, &"c".to_owned(), Some(&"c".to_owned())));
        assert_eq!(serde_json::to_string(&copy).unwrap(), r#"["A","b","c"]"#, "written out as a plain list");
    }

    #[test]
    fn a_copy_changed_afterwards_leaves_the_original_as_it_was() {
        let original = numbered(500);
        let mut copy = original.clone();
        copy.get_mut("k7").unwrap().1 = 1;
        copy.upsert("k300", ("k300".into(), 2));
        copy.upsert("new", ("new".into(), 3));
        assert_eq!(original.get("k7").unwrap().1, 0);
        assert_eq!(original.get("k300").unwrap().1, 0);
        assert!(original.get("new").is_none());
        assert_eq!(original.len(), 500);
        assert_eq!(copy.get("k7").unwrap().1, 1);
        assert_eq!(copy.iter().last().unwrap().0, "new");
    }
}
