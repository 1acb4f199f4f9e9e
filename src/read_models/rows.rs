//! Keyed rows kept in the order they were first inserted: the table behind a read
//! model. Serialized as a plain list of rows.
//!
//! Rows live in persistent collections ([`Pages`], [`imbl`]), each row behind an
//! `Rc`: a copy of a read model (a timeline checkpoint, the state being scrubbed)
//! takes no time and shares every row with the original; changing a row afterwards
//! copies that row, the page of 64 pointers that holds it and the list of pages,
//! nothing else. The index from a key to its row is shared by every copy
//! ([`SharedIndex`]).

use std::cell::RefCell;
use std::hash::BuildHasher;
use std::rc::Rc;

use hashbrown::HashTable;

use imbl::shared_ptr::DefaultSharedPtr;
use imbl::{GenericHashMap, GenericHashSet, Vector};
use rustc_hash::FxBuildHasher;
use serde::{Serialize, Serializer};

use crate::event_sourcing::recorded::{AggregateKey, StreamNumber};
use crate::event_sourcing::shared_str::SharedStr;

/// A persistent map for the read models, hashed with FxHash (fast on short ids,
/// the same on every run).
pub type Map<K, V> = GenericHashMap<K, V, FxBuildHasher, DefaultSharedPtr>;

/// A persistent set, hashed as [`Map`].
pub type Set<T> = GenericHashSet<T, FxBuildHasher, DefaultSharedPtr>;

/// Changes the value under `key`, inserted as `V::default()` first when there is
/// none: what `*map.entry(key.to_owned()).or_default()` changes, without copying the
/// key when it is there, and with one lookup (a fold makes this call for most order
/// events).
pub fn change_value<V: Clone + Default>(map: &mut Map<String, V>, key: &str, change: impl FnOnce(&mut V)) {
    match map.get_mut(key) {
        Some(value) => change(value),
        None => {
            let mut value = V::default();
            change(&mut value);
            map.insert(key.to_owned(), value);
        }
    }
}

/// A persistent vector: pages of [`PAGE`] entries, each page behind an `Rc`, the
/// list of pages behind an `Rc`. A copy costs two counts. A change after a copy
/// copies the list of pages (a pointer per 64 entries) and the page it changes; an
/// entry is reached in two steps of arithmetic, where an `imbl::Vector` walks its
/// tree, checking at each node whether it is shared: the lookup a fold makes for
/// most events. The list of pages grows with the table (130 pointers for the 8,300
/// orders of the 100k demo history), so past about a million rows a tree would copy
/// less; the lab's tables stay far below that.
#[derive(Debug, Clone)]
pub struct Pages<T> {
    pages: Rc<Vec<Rc<Vec<T>>>>,
    len: usize,
}

/// Entries per page of [`Pages`].
const PAGE: usize = 64;

impl<T> Default for Pages<T> {
    fn default() -> Self {
        Pages { pages: Rc::default(), len: 0 }
    }
}

impl<T> Pages<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, at: usize) -> Option<&T> {
        self.pages.get(at / PAGE).and_then(|page| page.get(at % PAGE))
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator + '_ {
        (0..self.len).map(|at| &self.pages[at / PAGE][at % PAGE])
    }
}

impl<T: Clone> Pages<T> {
    /// The entry at `at`, to change: the list of pages and the entry's page are
    /// copied first if a copy shares them.
    pub fn get_mut(&mut self, at: usize) -> Option<&mut T> {
        if at >= self.len {
            return None;
        }
        let page = &mut Rc::make_mut(&mut self.pages)[at / PAGE];
        Some(&mut Rc::make_mut(page)[at % PAGE])
    }

    pub fn push_back(&mut self, entry: T) {
        let pages = Rc::make_mut(&mut self.pages);
        match pages.last_mut() {
            Some(page) if page.len() < PAGE => {
                let page = Rc::make_mut(page);
                // A page copied after a checkpoint is made to its length: it takes
                // the rest of its room at once, not by doubling past it.
                if page.len() == page.capacity() {
                    page.reserve_exact(PAGE - page.len());
                }
                page.push(entry);
            }
            _ => {
                let mut page = Vec::with_capacity(PAGE);
                page.push(entry);
                pages.push(Rc::new(page));
            }
        }
        self.len += 1;
    }
}

#[derive(Debug, Clone)]
pub struct Rows<T: Clone> {
    rows: Pages<Rc<Keyed<T>>>,
    /// Where each key's row is. A key keeps its place forever (rows are only ever
    /// added at the end), so the index is shared by the table and all its copies.
    /// Copied into each checkpoint instead, the index of a table that grows by a row
    /// every few events was most of the checkpoints' memory (order summary: 7.1 of
    /// 7.8 MB natively at 100k events).
    places: SharedIndex<usize>,
}

/// A row with its key: a place found in the shared index is trusted only when the
/// row there has the key looked for.
#[derive(Debug, Clone, PartialEq)]
struct Keyed<T> {
    key: SharedStr,
    row: T,
}

impl<T> Keyed<T> {
    /// Whether this is the row under `key`. A row keeps the index's copy of its key,
    /// at `kept` ([`SharedStr::address`]): the same copy is the same key, found
    /// without comparing the texts.
    fn holds(&self, key: &str, kept: Option<usize>) -> bool {
        kept.is_some_and(|kept| self.key.address() == kept) || same_text(&self.key, key)
    }
}

/// Whether two keys are the same text, compared 8 bytes at a time. `==` on texts
/// calls the platform's `memcmp`, which in wasm compares a byte at a time: a read
/// model compares a key each time it reaches a row, and ids are short (`order-00042`,
/// 11 bytes), so most of such a comparison was the call and its loop.
pub fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    if a.len() < 8 {
        return a == b;
    }
    let word = |bytes: &[u8], at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    // Words from the start, then the last 8 bytes (overlapping the last word read).
    let last = a.len() - 8;
    (0..last).step_by(8).all(|at| word(a, at) == word(b, at)) && word(a, last) == word(b, last)
}

/// The key of a row or of an index entry: its text, and, when it is the aggregate id
/// of the event being applied, the number the log gave that aggregate's stream and
/// the log's copy of the stream's id ([`AggregateKey`]). By that number a
/// [`SharedIndex`] finds the key's entry in one step, without hashing the key or
/// comparing it with others first.
#[derive(Debug, Clone, Copy)]
pub struct Key<'a> {
    text: &'a str,
    stream: Option<(StreamNumber, &'a SharedStr)>,
}

impl<'a> From<&'a str> for Key<'a> {
    fn from(text: &'a str) -> Self {
        Key { text, stream: None }
    }
}

impl<'a> From<&'a String> for Key<'a> {
    fn from(text: &'a String) -> Self {
        Key { text, stream: None }
    }
}

impl<'a> From<AggregateKey<'a>> for Key<'a> {
    fn from(key: AggregateKey<'a>) -> Self {
        Key { text: key.id(), stream: key.stream() }
    }
}

/// Key → value, where the value is a fact of the log (where a key's row was added):
/// shared by a read model and all its copies (timeline checkpoints, the state being
/// scrubbed) instead of copied into each.
///
/// A copy taken earlier in the log holds what a later copy held at that point, so
/// one index serves them all, as long as each copy checks a value against what it
/// holds: a place past its last row, or holding another key's row, is not its own.
/// Copies that went different ways (a projector that skipped an event gives later
/// keys other places) may find a key's shared value wrong for them: such a copy
/// keeps that key's value in an index of its own, empty otherwise.
///
/// Each key is kept with its hash, so the index does not hash its keys again each
/// time it grows.
#[derive(Debug, Clone)]
pub struct SharedIndex<V: Clone> {
    shared: Rc<RefCell<Shared<V>>>,
    own: Map<SharedStr, V>,
}

/// The entries every copy of a [`SharedIndex`] shares. An entry, once in, never
/// changes.
#[derive(Debug)]
struct Shared<V> {
    by_key: HashTable<Indexed<V>>,
    /// The entries of keys given with a stream number ([`Key`]), again, at that
    /// number. A number names one stream in one log only, so an entry found here
    /// counts only for the key it was made for: otherwise `by_key` answers.
    by_stream: Vec<Option<ByStream<V>>>,
}

/// An entry of a [`SharedIndex`] at its stream's number, with the copy of the
/// stream's id its key was read from.
///
/// It is checked without reading either text: an aggregate id is the end of its
/// stream's id, so the same copy of the stream's id (held here, so that no other text
/// can take its place in memory) and an id of the same length are the same key. A key
/// from another log, or from no log, holds another copy and falls back to the hash.
#[derive(Debug)]
struct ByStream<V> {
    stream_id: SharedStr,
    kept: SharedStr,
    value: V,
}

impl<V> ByStream<V> {
    fn is_for(&self, key: &str, stream_id: &SharedStr) -> bool {
        self.stream_id.is_same_copy(stream_id) && self.kept.len() == key.len()
    }
}

impl<V> Default for Shared<V> {
    fn default() -> Self {
        Shared { by_key: HashTable::new(), by_stream: Vec::new() }
    }
}

/// A key of a [`SharedIndex`], its hash and its value.
#[derive(Debug)]
struct Indexed<V> {
    hash: u64,
    key: SharedStr,
    value: V,
}

/// The hash of a key of a [`SharedIndex`] (FxHash, as [`Map`] and [`Set`]).
fn hash_of(key: &str) -> u64 {
    FxBuildHasher.hash_one(key)
}

impl<V: Clone> Default for SharedIndex<V> {
    fn default() -> Self {
        SharedIndex { shared: Rc::default(), own: Map::default() }
    }
}

impl<V: Clone + PartialEq> SharedIndex<V> {
    /// The value under `key`, if this copy holds it: `holds` checks the value found,
    /// and the index's copy of the key, against the copy (a value of the copy's own
    /// passes; a caller may also keep the key's copy it is shown).
    pub fn get<'k>(&self, key: impl Into<Key<'k>>, holds: impl FnOnce(&SharedStr, &V) -> bool) -> Option<V> {
        let key = key.into();
        // Most copies hold no value of their own: not even the key is hashed for them.
        if let Some((kept, value)) = (!self.own.is_empty()).then(|| self.own.get_key_value(key.text)).flatten() {
            return holds(kept, value).then(|| value.clone());
        }
        let shared = self.shared.borrow();
        let by_stream = key.stream.and_then(|(number, stream_id)| {
            shared.by_stream.get(number.index())?.as_ref().filter(|entry| entry.is_for(key.text, stream_id))
        });
        let (kept, value) = match by_stream {
            Some(entry) => (&entry.kept, &entry.value),
            None => {
                let found = shared.by_key.find(hash_of(key.text), |indexed| same_text(&indexed.key, key.text))?;
                (&found.key, &found.value)
            }
        };
        holds(kept, value).then(|| value.clone())
    }

    /// Records `value` under `key`, a key this copy does not hold yet. Returns the
    /// index's copy of the key, to keep beside the value.
    pub fn insert<'k>(&mut self, key: impl Into<Key<'k>>, value: V) -> SharedStr {
        let key = key.into();
        let mut shared = self.shared.borrow_mut();
        let Shared { by_key, by_stream } = &mut *shared;
        let hash = hash_of(key.text);
        let kept = match by_key.find(hash, |indexed| same_text(&indexed.key, key.text)) {
            // A copy further on in the log recorded the same already.
            Some(same) if same.value == value => same.key.clone(),
            // Another copy recorded another value: this copy keeps its own.
            Some(other) => {
                let kept = other.key.clone();
                self.own.insert(kept.clone(), value);
                return kept;
            }
            None => {
                let kept = SharedStr::from(key.text);
                by_key.insert_unique(hash, Indexed { hash, key: kept.clone(), value: value.clone() }, |indexed| indexed.hash);
                kept
            }
        };
        if let Some((number, stream_id)) = key.stream {
            let number = number.index();
            if by_stream.len() <= number {
                by_stream.resize_with(number + 1, || None);
            }
            by_stream[number].get_or_insert_with(|| ByStream { stream_id: stream_id.clone(), kept: kept.clone(), value });
        }
        kept
    }
}

impl<T: Clone> Default for Rows<T> {
    fn default() -> Self {
        Rows { rows: Pages::default(), places: SharedIndex::default() }
    }
}

impl<T: Clone + PartialEq> PartialEq for Rows<T> {
    fn eq(&self, other: &Self) -> bool {
        self.rows.len() == other.rows.len() && self.rows.iter().eq(other.rows.iter())
    }
}

impl<T: Clone> Rows<T> {
    /// Inserts a row under `key`, or replaces the row already there (keeping its place).
    pub fn upsert<'k>(&mut self, key: impl Into<Key<'k>>, row: T) {
        self.upsert_with(key, |_| row);
    }

    /// [`Rows::upsert`] of the row `row` makes from the table's copy of the key: a
    /// row that holds its own key shares that copy instead of allocating another.
    pub fn upsert_with<'k>(&mut self, key: impl Into<Key<'k>>, row: impl FnOnce(&SharedStr) -> T) {
        let key = key.into();
        match self.keyed_mut(key) {
            Some(keyed) => {
                let keyed = Rc::make_mut(keyed);
                keyed.row = row(&keyed.key);
            }
            None => {
                let key = self.places.insert(key, self.rows.len());
                let row = row(&key);
                self.rows.push_back(Rc::new(Keyed { key, row }));
            }
        }
    }

    /// Where the row under `key` is, in insertion order.
    pub fn place(&self, key: &str) -> Option<usize> {
        self.places.get(key, |kept, &at| self.rows.get(at).is_some_and(|keyed| keyed.holds(key, Some(kept.address()))))
    }

    pub fn get(&self, key: &str) -> Option<&T> {
        self.place(key).and_then(|at| self.at(at))
    }

    pub fn get_mut<'k>(&mut self, key: impl Into<Key<'k>>) -> Option<&mut T> {
        self.keyed_mut(key.into()).map(|keyed| &mut Rc::make_mut(keyed).row)
    }

    /// The row under `key`, to change: what [`Rows::place`] checks is checked on the
    /// row reached to change it, so the row is reached once, not twice.
    fn keyed_mut(&mut self, key: Key) -> Option<&mut Rc<Keyed<T>>> {
        // The index's copy of the key is remembered by its address: it stays in the
        // index, alive, while the row is reached.
        let mut kept_at = None;
        let at = self.places.get(key, |kept, _| {
            kept_at = Some(kept.address());
            true
        })?;
        self.rows.get_mut(at).filter(|keyed| keyed.holds(key.text, kept_at))
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

    /// The row at `place`, to change (copied first if a copy of the table shares it).
    /// A row keeps its place for good: rows are never removed.
    pub fn at_mut(&mut self, place: usize) -> Option<&mut T> {
        self.rows.get_mut(place).map(|keyed| &mut Rc::make_mut(keyed).row)
    }
}

impl<T: Clone + PartialEq> Rows<T> {
    /// Each row, in order, with the row under its key in `before` (this table at
    /// another position) and whether the two differ. A row both copies still share
    /// is the same without being compared: beside the copy one event earlier, only
    /// the rows that event changed are compared.
    pub fn beside<'a>(&'a self, before: &'a Rows<T>) -> impl Iterator<Item = (&'a T, Option<&'a T>, bool)> + 'a {
        self.rows.iter().enumerate().map(move |(place, keyed)| {
            let earlier = match before.rows.get(place) {
                Some(earlier) if Rc::ptr_eq(earlier, keyed) => return (&keyed.row, Some(&earlier.row), false),
                Some(earlier) if earlier.key == keyed.key => Some(&earlier.row),
                _ => before.get(&keyed.key),
            };
            (&keyed.row, earlier, earlier != Some(&keyed.row))
        })
    }
}

/// A list inside a read model (an account's transactions, a customer's orders), each
/// entry behind an `Rc`, in chunks of [`CHUNK`] entries.
///
/// The full chunks are frozen and shared by every copy of the list; only the last,
/// partly filled one is copied with the list. A first change after a copy (a timeline
/// checkpoint) copies at most [`CHUNK`] pointers. In an imbl `Vector` it copied a
/// chunk of 64 pointers, however short the list: most of the account history's and
/// the customer orders' checkpoints (most accounts hold a dozen transactions).
#[derive(Debug)]
pub struct List<T> {
    full: Vector<Rc<Vec<Rc<T>>>>,
    last: Vec<Rc<T>>,
}

/// A copy's last chunk takes its full room at once: the copy is most often made to
/// be grown (a row copied after a checkpoint, to change it), and made to its length
/// it would be moved at its next push.
impl<T> Clone for List<T> {
    fn clone(&self) -> Self {
        let mut last = Vec::with_capacity(CHUNK);
        last.extend(self.last.iter().cloned());
        List { full: self.full.clone(), last }
    }
}

/// Entries per chunk of a [`List`].
const CHUNK: usize = 16;

impl<T> Default for List<T> {
    fn default() -> Self {
        List { full: Vector::new(), last: Vec::new() }
    }
}

impl<T: PartialEq> PartialEq for List<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<T> List<T> {
    pub fn get(&self, at: usize) -> Option<&T> {
        let chunk = at / CHUNK;
        let entry = if chunk < self.full.len() { self.full[chunk].get(at % CHUNK) } else { self.last.get(at - self.full.len() * CHUNK) };
        entry.map(|entry| &**entry)
    }

    pub fn last(&self) -> Option<&T> {
        self.last.last().or_else(|| self.full.last().and_then(|chunk| chunk.last())).map(|entry| &**entry)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.full.iter().flat_map(|chunk| chunk.iter()).chain(self.last.iter()).map(|entry| &**entry)
    }

    pub fn len(&self) -> usize {
        self.full.len() * CHUNK + self.last.len()
    }

    pub fn is_empty(&self) -> bool {
        self.last.is_empty() && self.full.is_empty()
    }
}

impl<T: Clone> List<T> {
    /// A list of one entry.
    pub fn of(entry: T) -> Self {
        let mut list = List::default();
        list.push_back(entry);
        list
    }

    pub fn push_back(&mut self, entry: T) {
        // The chunk being filled takes its full room at once: grown 4, 8, 16, it
        // was copied twice before it was full.
        if self.last.is_empty() {
            self.last.reserve_exact(CHUNK);
        }
        self.last.push(Rc::new(entry));
        if self.last.len() == CHUNK {
            self.full.push_back(Rc::new(std::mem::take(&mut self.last)));
        }
    }

    /// The entry at `at`, copied first if a copy of the list shares it.
    pub fn get_mut(&mut self, at: usize) -> Option<&mut T> {
        let chunk = at / CHUNK;
        let entry = if chunk < self.full.len() {
            Rc::make_mut(&mut self.full[chunk]).get_mut(at % CHUNK)
        } else {
            self.last.get_mut(at - self.full.len() * CHUNK)
        };
        entry.map(Rc::make_mut)
    }
}

impl<T> std::ops::Index<usize> for List<T> {
    type Output = T;

    fn index(&self, at: usize) -> &T {
        self.get(at).expect("an entry of the list")
    }
}

impl<T: Serialize> Serialize for List<T> {
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
    use super::{List, Pages, Rows, SharedStr};

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
    fn a_long_list_copied_then_changed_in_a_full_chunk_leaves_the_original_as_it_was() {
        let mut original = List::default();
        for n in 0..40 {
            original.push_back(n);
        }
        let mut copy = original.clone();
        *copy.get_mut(3).unwrap() = 1003;
        *copy.get_mut(39).unwrap() = 1039;
        copy.push_back(40);
        assert_eq!(original.iter().copied().collect::<Vec<_>>(), (0..40).collect::<Vec<_>>());
        assert_eq!((original.len(), original.last(), original.get(40)), (40, Some(&39), None));
        let expected: Vec<i32> = (0..41).map(|n| if n == 3 || n == 39 { 1000 + n } else { n }).collect();
        assert_eq!(copy.iter().copied().collect::<Vec<_>>(), expected);
        assert_eq!(copy.iter().next_back(), Some(&40));
        assert_eq!((copy.len(), copy[16], copy[32], copy.last()), (41, 16, 32, Some(&40)));
        assert_ne!(copy, original);
    }

    #[test]
    fn pages_copied_then_changed_and_grown_leave_the_original_as_it_was() {
        let mut original = Pages::default();
        for n in 0..100 {
            original.push_back(n);
        }
        let mut copy = original.clone();
        *copy.get_mut(5).unwrap() = 1005; // in the first, full page
        *copy.get_mut(99).unwrap() = 1099; // in the last page, shared and partly filled
        for n in 100..130 {
            copy.push_back(n); // fills the shared last page, then starts a page of its own
        }
        assert_eq!((original.len(), original.get(5), original.get(99), original.get(100)), (100, Some(&5), Some(&99), None));
        assert!(original.iter().copied().eq(0..100));
        let expected = (0..130).map(|n| if n == 5 || n == 99 { 1000 + n } else { n });
        assert!(copy.iter().copied().eq(expected.clone()));
        assert!(copy.iter().rev().copied().eq(expected.rev()), "from the end too");
        assert_eq!((copy.len(), copy.iter().len()), (130, 130));
        assert_eq!(copy.get_mut(130), None);
        assert!(Pages::<u8>::default().is_empty() && !copy.is_empty());
    }

    #[test]
    fn a_copy_grown_to_a_full_chunk_or_page_takes_its_room_once() {
        let mut list = List::default();
        let mut pages = Pages::default();
        for n in 0..(super::CHUNK + 5) {
            list.push_back(n);
        }
        for n in 0..(super::PAGE + 5) {
            pages.push_back(n);
        }
        let (mut list_copy, mut pages_copy) = (list.clone(), pages.clone());
        assert_eq!(list_copy.last.capacity(), super::CHUNK, "a copy's last chunk has the room of a full one");
        let chunk_at = list_copy.last.as_ptr();
        for n in 0..11 {
            list_copy.push_back(100 + n);
            pages_copy.push_back(100 + n);
        }
        assert!(list_copy.full.last().is_some_and(|chunk| chunk.as_ptr() == chunk_at), "filled where it was copied to, not moved");
        let last_page = pages_copy.pages.last().unwrap();
        assert_eq!((last_page.len(), last_page.capacity()), (16, super::PAGE), "the copied page took the rest of its room at once");
        assert_eq!((list.len(), pages.len(), list_copy.len(), pages_copy.len()), (21, 69, 32, 80));
    }

    #[test]
    fn a_row_made_with_its_key_shares_the_tables_copy_of_it() {
        let mut rows: Rows<SharedStr> = Rows::default();
        rows.upsert_with("o-1", |id| id.clone());
        let first = rows.get("o-1").unwrap().clone();
        rows.upsert_with("o-1", |id| id.clone());
        let mut copy = rows.clone();
        copy.upsert_with("o-1", |id| id.clone());
        assert_eq!(first, "o-1");
        assert!(rows.get("o-1").unwrap().is_same_copy(&first) && copy.get("o-1").unwrap().is_same_copy(&first));
    }

    #[test]
    fn beside_an_earlier_copy_only_the_rows_changed_since_differ() {
        let before = numbered(100);
        let mut now = before.clone();
        now.get_mut("k7").unwrap().1 = 1;
        now.upsert("k8", ("k8".into(), 0)); // replaced by an equal row: not a change
        now.upsert("new", ("new".into(), 2));
        let differing: Vec<(&str, Option<u32>)> = now
            .beside(&before)
            .filter(|(_, _, differs)| *differs)
            .map(|(row, earlier, _)| (row.0.as_str(), earlier.map(|earlier| earlier.1)))
            .collect();
        assert_eq!(differing, [("k7", Some(0)), ("new", None)]);
        // Two tables built apart share no row: they are compared row by row, same answer.
        let mut apart = numbered(100);
        apart.get_mut("k7").unwrap().1 = 1;
        apart.upsert("new", ("new".into(), 2));
        let differing: Vec<&str> = apart.beside(&before).filter(|(_, _, differs)| *differs).map(|(row, ..)| row.0.as_str()).collect();
        assert_eq!(differing, ["k7", "new"]);
        assert_eq!(apart.beside(&before).count(), 101);
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
