//! Keyed rows kept in the order they were first inserted: the table behind a read
//! model. Serialized as a plain list of rows.
//!
//! Rows live in persistent collections ([`imbl`]), each row behind an `Rc`: a copy
//! of a read model (a timeline checkpoint, the state being scrubbed) takes no time
//! and shares every row with the original; changing a row afterwards copies that
//! row and the chunk of 64 pointers that holds it, nothing else.

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

#[derive(Debug, Clone)]
pub struct Rows<T: Clone> {
    rows: Vector<Rc<T>>,
    /// Keys are `Rc<str>`: copying a node of the map on a first change after a
    /// copy of the read model then copies pointers, not strings.
    index: Map<Rc<str>, usize>,
}

impl<T: Clone> Default for Rows<T> {
    fn default() -> Self {
        Rows { rows: Vector::new(), index: Map::default() }
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
        match self.index.get(key) {
            Some(&at) => self.rows[at] = Rc::new(row),
            None => {
                self.index.insert(Rc::from(key), self.rows.len());
                self.rows.push_back(Rc::new(row));
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&T> {
        self.index.get(key).map(|&at| &*self.rows[at])
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut T> {
        self.index.get(key).map(|&at| Rc::make_mut(&mut self.rows[at]))
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator + '_ {
        self.rows.iter().map(|row| &**row)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The places of the rows that differ from `before`'s (rows `before` lacks
    /// included), in order. Chunks of rows still shared with `before` are skipped
    /// unread, so after one event this costs about one chunk, not the whole table.
    pub fn changed_since(&self, before: &Rows<T>) -> Vec<usize>
    where
        T: PartialEq,
    {
        let mut changed = Vec::new();
        let mut old_chunks = before.rows.leaves();
        let (mut old, mut old_start) = (old_chunks.next(), 0);
        let mut start = 0;
        for chunk in self.rows.leaves() {
            while let Some(previous) = old.filter(|previous| old_start + previous.len() <= start) {
                old_start += previous.len();
                old = old_chunks.next();
            }
            let shared = old.is_some_and(|old| old_start == start && old.len() == chunk.len() && std::ptr::eq(old.as_ptr(), chunk.as_ptr()));
            // Within a copied chunk, a row still shared with `before` is unchanged too.
            if !shared {
                changed.extend(
                    chunk
                        .iter()
                        .enumerate()
                        .filter(|(at, row)| !before.rows.get(start + at).is_some_and(|old| Rc::ptr_eq(old, row) || old == *row))
                        .map(|(at, _)| start + at),
                );
            }
            start += chunk.len();
        }
        changed
    }

    /// The row at `place` (in insertion order).
    pub fn at(&self, place: usize) -> Option<&T> {
        self.rows.get(place).map(|row| &**row)
    }
}

impl<T: Clone + Serialize> Serialize for Rows<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::Rows;

    fn numbered(count: usize) -> Rows<(String, u32)> {
        let mut rows = Rows::default();
        for n in 0..count {
            rows.upsert(&format!("k{n}"), (format!("k{n}"), 0));
        }
        rows
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

    #[test]
    fn changed_since_names_the_changed_and_the_new_rows_only() {
        let before = numbered(1_000);
        let mut after = before.clone();
        after.get_mut("k3").unwrap().1 = 9;
        after.get_mut("k640").unwrap().1 = 9;
        after.upsert("k999", ("k999".into(), 9));
        after.upsert("extra", ("extra".into(), 0));
        assert_eq!(after.changed_since(&before), vec![3, 640, 999, 1_000]);
        assert_eq!(before.changed_since(&before.clone()), Vec::<usize>::new());
        // Rows built separately but equal are not "changed" either.
        assert_eq!(numbered(200).changed_since(&numbered(200)), Vec::<usize>::new());
        assert_eq!(numbered(200).changed_since(&numbered(150)), (150..200).collect::<Vec<_>>());
    }
}
