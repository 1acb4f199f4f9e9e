#![cfg(not(target_arch = "wasm32"))]
//! `Rows`: copies share one index from key to place; whatever each copy does
//! afterwards, and whatever stream numbers come with the keys, each reads as a plain
//! list of its own rows would.

use kiroku::event_sourcing::recorded::{AggregateKey, StreamNumber};
use kiroku::event_sourcing::shared_str::SharedStr;
use kiroku::read_models::rows::{same_text, Key, Rows};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    /// A new copy of copy `from`.
    Copy { from: usize },
    /// Upserts `key` with `value` in copy `into`, the key given with a stream number
    /// or without.
    Upsert { into: usize, key: u8, stream: Option<(u32, usize)>, value: u32 },
    /// Changes the row under `key` in copy `into`, when it has one.
    Change { into: usize, key: u8, stream: Option<(u32, usize)>, value: u32 },
    /// Changes the row at `place` in copy `into`, when it has one.
    ChangeAt { into: usize, place: usize, value: u32 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        1 => (0..8usize).prop_map(|from| Step::Copy { from }),
        4 => (0..8usize, 0..24u8, stream(), any::<u32>()).prop_map(|(into, key, stream, value)| Step::Upsert { into, key, stream, value }),
        2 => (0..8usize, 0..24u8, stream(), any::<u32>()).prop_map(|(into, key, stream, value)| Step::Change { into, key, stream, value }),
        2 => (0..8usize, 0..24usize, any::<u32>()).prop_map(|(into, place, value)| Step::ChangeAt { into, place, value }),
    ]
}

/// A stream number for a key and which of two logs the key's stream id comes from,
/// or none. Any number may come with any key, as when read models are folded from
/// the events of two logs that numbered their streams differently: a number found
/// with another key must never lead to that key's row.
fn stream() -> impl Strategy<Value = Option<(u32, usize)>> {
    proptest::option::of((0..24u32, 0..LOGS))
}

const KEYS: usize = 24;
const LOGS: usize = 2;

/// Each log's copy of the stream id of each key (`Test-key-<n>`).
fn stream_ids() -> Vec<SharedStr> {
    (0..LOGS).flat_map(|_| (0..KEYS).map(|n| SharedStr::from(format!("Test-{}", key(n as u8))))).collect()
}

/// Key `n`, read from a log's copy of its stream id, with a stream number or without.
fn keyed(stream_ids: &[SharedStr], n: u8, stream: Option<(u32, usize)>) -> Key<'_> {
    let (number, log) = stream.map_or((None, 0), |(number, log)| (Some(StreamNumber::nth(number)), log));
    AggregateKey::new("Test", &stream_ids[log * KEYS + usize::from(n)], number).into()
}

/// What a copy should hold: its rows in insertion order.
type Plain = Vec<(String, u32)>;

fn key(n: u8) -> String {
    format!("key-{n}")
}

proptest! {
    #[test]
    fn copies_that_go_different_ways_each_read_as_their_own_rows(steps in proptest::collection::vec(step(), 1..120)) {
        let stream_ids = stream_ids();
        let mut copies: Vec<(Rows<u32>, Plain)> = vec![(Rows::default(), Vec::new())];
        for step in steps {
            match step {
                Step::Copy { from } => {
                    let (rows, plain) = &copies[from % copies.len()];
                    copies.push((rows.clone(), plain.clone()));
                }
                Step::Upsert { into, key: n, stream, value } => {
                    let at = into % copies.len();
                    let (rows, plain) = &mut copies[at];
                    rows.upsert(keyed(&stream_ids, n, stream), value);
                    match plain.iter_mut().find(|(k, _)| *k == key(n)) {
                        Some(entry) => entry.1 = value,
                        None => plain.push((key(n), value)),
                    }
                }
                Step::Change { into, key: n, stream, value } => {
                    let at = into % copies.len();
                    let (rows, plain) = &mut copies[at];
                    if let Some(row) = rows.get_mut(keyed(&stream_ids, n, stream)) {
                        *row = value;
                    }
                    if let Some(entry) = plain.iter_mut().find(|(k, _)| *k == key(n)) {
                        entry.1 = value;
                    }
                }
                Step::ChangeAt { into, place, value } => {
                    let at = into % copies.len();
                    let (rows, plain) = &mut copies[at];
                    if let Some(row) = rows.at_mut(place) {
                        *row = value;
                    }
                    if let Some(entry) = plain.get_mut(place) {
                        entry.1 = value;
                    }
                }
            }
            for (rows, plain) in &copies {
                prop_assert_eq!(rows.iter().copied().collect::<Vec<_>>(), plain.iter().map(|(_, v)| *v).collect::<Vec<_>>());
                for n in 0..24 {
                    let expected = plain.iter().position(|(k, _)| *k == key(n));
                    prop_assert_eq!(rows.place(&key(n)), expected, "place of {}", key(n));
                    prop_assert_eq!(rows.get(&key(n)).copied(), expected.map(|at| plain[at].1));
                }
            }
        }
    }
}

#[test]
fn a_copy_behind_and_a_copy_ahead_share_the_places_of_the_keys_they_both_hold() {
    let mut behind: Rows<u32> = Rows::default();
    behind.upsert("a", 1);
    let mut ahead = behind.clone();
    ahead.upsert("b", 2);
    ahead.upsert("c", 3);
    assert_eq!((behind.place("b"), behind.len()), (None, 1), "the copy behind has not reached b");
    // Folding the same log forward, the copy behind adds b where the copy ahead did.
    behind.upsert("b", 20);
    assert_eq!((behind.place("b"), behind.place("c")), (Some(1), None));
    assert_eq!(ahead.get("b"), Some(&2), "the copy ahead keeps its own row");
    // Going another way: the copy behind adds d where the copy ahead has c.
    behind.upsert("d", 4);
    behind.upsert("c", 30);
    assert_eq!(behind.iter().copied().collect::<Vec<_>>(), [1, 20, 4, 30]);
    assert_eq!((behind.place("c"), ahead.place("c"), ahead.place("d")), (Some(3), Some(2), None));
}

proptest! {
    /// Keys compared 8 bytes at a time are equal exactly when their texts are: for
    /// texts of every length around a word's, equal, of other lengths, and differing
    /// in any one byte (the first, one in the last partial word, the last).
    #[test]
    fn keys_compared_a_word_at_a_time_are_equal_exactly_when_their_texts_are(
        text in "[a-z0-9-]{0,40}",
        other_length in 0..41usize,
        changed in any::<proptest::sample::Index>(),
    ) {
        prop_assert!(same_text(&text, &text.clone()));
        let other: String = text.chars().cycle().take(other_length).collect();
        prop_assert_eq!(same_text(&text, &other), text == other);
        if !text.is_empty() {
            let at = changed.index(text.len());
            let mut bytes = text.clone().into_bytes();
            bytes[at] = if bytes[at] == b'x' { b'y' } else { b'x' };
            let differing = String::from_utf8(bytes).expect("ASCII");
            prop_assert!(!same_text(&text, &differing));
            prop_assert!(!same_text(&differing, &text));
        }
    }
}
