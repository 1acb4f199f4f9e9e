//! Aggregate snapshots (seeds 000 §06, 002, 004): every N events of a stream, the
//! state folded so far is kept, and loading the stream is that state plus only the
//! events after it, instead of a fold of the whole history.
//!
//! A snapshot is a cache, never the truth: it carries the schema of the state it
//! holds ([`Aggregate::STATE_SCHEMA`]), and one whose schema no longer matches
//! (the state's shape changed) is ignored and the stream replayed in full.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::aggregate::Aggregate;
use super::json_text::JsonText;

/// How many events between two snapshots when nothing else is said.
pub const DEFAULT_INTERVAL: u64 = 100;

/// The state of one stream right after one of its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub stream_id: String,
    pub stream_type: String,
    /// The stream version the state includes.
    pub stream_version: u64,
    /// The log position of that event.
    pub position: u64,
    /// The shape of `state`: [`Aggregate::STATE_SCHEMA`] when it was taken.
    pub schema_version: u32,
    /// As its JSON text: taking a snapshot writes it once, and restoring reads it
    /// once, without a JSON value built, kept and dropped in between.
    pub state: JsonText,
}

impl Snapshot {
    /// Takes a snapshot of aggregate `A`'s state.
    pub fn take<A: Aggregate>(stream_id: &str, stream_version: u64, position: u64, state: &A::State) -> Option<Snapshot> {
        Some(Snapshot {
            stream_id: stream_id.to_owned(),
            stream_type: A::STREAM_TYPE.to_owned(),
            stream_version,
            position,
            schema_version: A::STATE_SCHEMA,
            state: JsonText::of(state).ok()?,
        })
    }

    /// The state back, or `None` when it was taken for another aggregate or under
    /// another schema (then the stream is replayed from its first event).
    pub fn restore<A: Aggregate>(&self) -> Option<A::State> {
        if self.stream_type != A::STREAM_TYPE || self.schema_version != A::STATE_SCHEMA {
            return None;
        }
        serde_json::from_str(self.state.json()).ok()
    }
}

/// When to take snapshots: every N events, per stream type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SnapshotPolicy {
    /// Per stream type; types not named use [`DEFAULT_INTERVAL`].
    pub intervals: BTreeMap<String, u64>,
}

impl SnapshotPolicy {
    pub fn interval(&self, stream_type: &str) -> u64 {
        self.intervals.get(stream_type).copied().unwrap_or(DEFAULT_INTERVAL).max(1)
    }

    /// Sets the interval of one stream type (at least 1).
    pub fn set_interval(&mut self, stream_type: &str, every: u64) {
        self.intervals.insert(stream_type.to_owned(), every.max(1));
    }

    /// Whether a snapshot is due right after version `stream_version` of a stream.
    pub fn is_due(&self, stream_type: &str, stream_version: u64) -> bool {
        stream_version > 0 && stream_version % self.interval(stream_type) == 0
    }
}

/// The latest snapshot of each stream, and the policy that takes them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshots {
    pub policy: SnapshotPolicy,
    by_stream: HashMap<String, Snapshot>,
}

impl Snapshots {
    /// No snapshots yet, taken by `policy`.
    pub fn with_policy(policy: SnapshotPolicy) -> Self {
        Snapshots { policy, by_stream: HashMap::new() }
    }

    /// The latest snapshot of a stream.
    pub fn latest(&self, stream_id: &str) -> Option<&Snapshot> {
        self.by_stream.get(stream_id)
    }

    /// The latest snapshot of a stream taken at or before `position`.
    pub fn at_or_before(&self, stream_id: &str, position: u64) -> Option<&Snapshot> {
        self.latest(stream_id).filter(|snapshot| snapshot.position <= position)
    }

    /// Keeps `snapshot` if it is newer than the one kept for its stream.
    pub fn keep(&mut self, snapshot: Snapshot) -> bool {
        let newer = self.latest(&snapshot.stream_id).is_none_or(|kept| kept.stream_version < snapshot.stream_version);
        if newer {
            self.by_stream.insert(snapshot.stream_id.clone(), snapshot);
        }
        newer
    }

    pub fn len(&self) -> usize {
        self.by_stream.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_stream.is_empty()
    }

    /// Drops every snapshot for which `keep` says no (say, one past the log's head).
    pub fn retain(&mut self, mut keep: impl FnMut(&Snapshot) -> bool) {
        self.by_stream.retain(|_, snapshot| keep(snapshot));
    }
}
