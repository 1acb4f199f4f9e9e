//! Time travel: the read models and write models as they were at any position,
//! reached quickly. Two caches make it fast, both rebuilt from the log whenever
//! in doubt:
//!
//! - timeline checkpoints: a copy of every read model every [`CHECKPOINT_EVERY`]
//!   events, so any position is the nearest checkpoint plus a short fold (a copy
//!   shares its rows with the read models it was taken from: see `read_models::rows`);
//! - aggregate snapshots (seeds 000 §06, 002, 004): each stream's state every N of
//!   its events (N per stream type, default 100), so loading a long stream is its
//!   latest snapshot plus the events after it.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use rustc_hash::FxBuildHasher;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{Lab, State};
use crate::domain::AggregateState;
use crate::event_sourcing::envelope::{typed, ErrorBody};
use crate::event_sourcing::shared_str::SharedStr;
use crate::event_sourcing::snapshot::{Snapshot, SnapshotPolicy, Snapshots};
use crate::event_sourcing::store::{EventStore, StoreError};
use crate::read_models::{ModelSet, ReadModels};

/// Events between two timeline checkpoints of the read models. Measured on the 100k
/// demo history, side by side with 1,000: a reload 14 ms faster (each checkpoint makes
/// the fold after it copy the rows it changes) and 2.6 MB less wasm memory, for a jump
/// whose median went from 0.11 to 0.19 ms (p95 0.70 → 0.78 ms).
pub const CHECKPOINT_EVERY: u64 = 2_000;

/// The key of the saved snapshots (and their policy) among the store's documents.
pub const SNAPSHOTS_DOCUMENT: &str = "snapshots";

/// The write model of one stream at a position.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AggregateView {
    pub stream_id: String,
    pub stream_type: String,
    pub stream_version: u64,
    /// `null` before the aggregate was created.
    pub state: Value,
    /// How it was loaded: the snapshot's version, if one was used …
    pub snapshot_version: Option<u64>,
    /// … and how many events were folded (onto the snapshot, or from the start).
    pub events_replayed: u64,
    /// The version of the stream's snapshot when it was not used because it was
    /// taken later than this position (a stream keeps only its latest snapshot).
    pub snapshot_after: Option<u64>,
}

/// What `kiroku.replay` answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Replay {
    pub state: Value,
    pub stream_version: u64,
    pub events_replayed: u64,
    pub from_snapshot: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplayRequest {
    stream_id: String,
    to_position: Option<u64>,
    /// Start from the latest snapshot at or before the position (the default).
    #[serde(default = "yes")]
    use_snapshot: bool,
}

fn yes() -> bool {
    true
}

/// `kiroku.measure`: timings taken inside the page, for the benchmark.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum Measure {
    /// Fold the whole log into fresh read models (every projection).
    Fold,
    /// Reach the state of every panel at a position: the read models the page shows
    /// (at the position and one before, for what changed) and the write model of
    /// the event's stream.
    Jump { position: u64 },
    /// Load one stream's write model at the head, with or without its snapshot;
    /// `repeat` times (default 1), answering the time of one load (a short load
    /// is below the browser clock's resolution unless repeated).
    LoadStream { stream_id: String, use_snapshot: bool, repeat: Option<u32> },
    /// What the lab holds for time travel.
    Memory,
}

/// A stream's write model, loaded.
pub(super) struct Loaded {
    pub state: AggregateState,
    pub stream_version: u64,
    pub snapshot_version: Option<u64>,
    pub events_replayed: u64,
}

impl State {
    /// The write model of `stream_id` right after `position`: from the latest
    /// snapshot at or before it when `use_snapshot` (and its schema still matches),
    /// plus the events after it; otherwise a fold from the first event.
    pub(super) fn load_stream(&self, stream_id: &str, position: u64, use_snapshot: bool) -> Option<Loaded> {
        let stream_type = &self.log.stream(stream_id).next()?.stream_type;
        let snapshot = use_snapshot
            .then(|| self.snapshots.at_or_before(stream_id, position))
            .flatten()
            .and_then(|snapshot| Some((snapshot.stream_version, AggregateState::restore(snapshot)?)));
        let (from_version, start) = match snapshot {
            Some((version, state)) => (Some(version), state),
            None => (None, AggregateState::initial(stream_type)?),
        };
        let tail = self.log.stream_after(stream_id, from_version.unwrap_or(0), position);
        let mut stream_version = from_version.unwrap_or(0);
        let mut events_replayed = 0;
        let mut state = start;
        for recorded in tail {
            state = state.evolve(&self.events[recorded.position as usize - 1]);
            stream_version = recorded.stream_version;
            events_replayed += 1;
        }
        Some(Loaded { state, stream_version, snapshot_version: from_version, events_replayed })
    }

    /// Takes the snapshot due right after the event at `position`, if any.
    pub(super) fn snapshot_if_due(&mut self, position: u64) {
        let Some(event) = self.log.at(position) else { return };
        let due = self.snapshots.policy.is_due(&event.stream_type, event.stream_version)
            // A saved snapshot may already hold it.
            && self.snapshots.latest(&event.stream_id).is_none_or(|kept| kept.stream_version < event.stream_version);
        if !due {
            return;
        }
        let stream_id = event.stream_id.clone();
        let Some(loaded) = self.load_stream(&stream_id, position, true) else { return };
        if let Some(snapshot) = loaded.state.snapshot(&stream_id, loaded.stream_version, position) {
            self.snapshots.keep(snapshot);
            self.snapshots_dirty = true;
        }
    }

    /// Takes the snapshots due after the events at `positions`, but of each stream
    /// only the last: a stream keeps only its latest snapshot, so on a whole log (a
    /// load, an import) the ones before it would each be taken only to be replaced.
    pub(super) fn take_last_snapshots_due(&mut self, positions: RangeInclusive<u64>) {
        let mut last_due: HashMap<SharedStr, u64, FxBuildHasher> = HashMap::default();
        for event in positions.filter_map(|position| self.log.at(position)) {
            if self.snapshots.policy.is_due(&event.stream_type, event.stream_version) {
                last_due.insert(event.stream_id.clone(), event.position);
            }
        }
        // In log order, as they would have been taken one by one.
        let mut due: Vec<u64> = last_due.into_values().collect();
        due.sort_unstable();
        for position in due {
            self.snapshot_if_due(position);
        }
    }

    /// Drops saved snapshots that do not belong to this log (another log was
    /// imported, or their schema is stale), then takes the ones due again.
    pub(super) fn check_snapshots(&mut self) {
        let log = &self.log;
        let before = self.snapshots.len();
        self.snapshots.retain(|snapshot| {
            let event = log.at(snapshot.position);
            event.is_some_and(|event| event.stream_id == snapshot.stream_id && event.stream_version == snapshot.stream_version)
                && AggregateState::restore(snapshot).is_some()
        });
        if self.snapshots.len() != before {
            self.snapshots_dirty = true;
            self.take_last_snapshots_due(1..=self.log.head());
        }
    }

    /// Keeps a timeline checkpoint of `fold_before` when its position is due.
    pub(super) fn checkpoint_if_due(&mut self) {
        keep_if_due(&mut self.checkpoints, &self.fold_before);
    }

    /// How many checkpoints the log calls for: one every [`CHECKPOINT_EVERY`] events up
    /// to the time-travel fold (one event before the head).
    fn checkpoints_due(&self) -> usize {
        (self.fold_before.order_summary.checkpoint / CHECKPOINT_EVERY) as usize
    }

    /// Applies the events after position `after` up to and including `to` to `models`.
    pub(super) fn fold(&self, models: &mut ReadModels, after: u64, to: u64) {
        self.fold_only(models, after, to, ModelSet::ALL);
    }

    /// [`State::fold`] into the read models in `set` only.
    fn fold_only(&self, models: &mut ReadModels, after: u64, to: u64, set: ModelSet) {
        let (from, to) = (after as usize, to as usize);
        for (recorded, event) in self.log.all()[from..to].iter().zip(&self.events[from..to]) {
            models.apply_to(recorded, event, set);
        }
    }

    /// The read models right after `position`: a copy of the nearest checkpoint (or
    /// of the fold one before the head) plus the events after it.
    pub(super) fn read_models_at(&self, position: u64) -> ReadModels {
        self.read_models_of_at(ModelSet::ALL, position)
    }

    /// [`State::read_models_at`] for the read models in `set`; the others are left
    /// wherever the copy it starts from stood.
    pub(super) fn read_models_of_at(&self, set: ModelSet, position: u64) -> ReadModels {
        let head = self.log.head();
        if position >= head {
            return self.head_models.clone();
        }
        if position + 1 == head {
            return self.fold_before.clone();
        }
        let nearest = (position / CHECKPOINT_EVERY).min(self.checkpoints.len() as u64);
        let mut models = match nearest {
            0 => ReadModels::default(),
            n => self.checkpoints[n as usize - 1].clone(),
        };
        self.fold_only(&mut models, nearest * CHECKPOINT_EVERY, position, set);
        models
    }
}

/// Keeps a copy of `models` as the next checkpoint when they stand right at it.
fn keep_if_due(checkpoints: &mut Vec<ReadModels>, models: &ReadModels) {
    let at = models.order_summary.checkpoint;
    if at > 0 && at % CHECKPOINT_EVERY == 0 && checkpoints.len() as u64 == at / CHECKPOINT_EVERY - 1 {
        checkpoints.push(models.clone());
    }
}

/// The read models at a position away from the head and just before it, kept
/// while a person scrubs: a step forward costs one copy and one event, a step
/// back one copy and a short fold.
pub(super) struct Scrub {
    generation: u64,
    /// The read models brought to the position; the others are not.
    set: ModelSet,
    position: u64,
    at: ReadModels,
    before: ReadModels,
}

impl<S: EventStore> Lab<S> {
    /// Reads the read models right after `position` and right after the event before
    /// it (what the selected event changed), without copying them at the head.
    ///
    /// Only the read models in `set` (the ones the page shows) are brought to the
    /// position, so a jump folds what is seen and nothing else: `read` must look at
    /// those only. At the head every read model is there.
    pub fn with_read_models_around<R>(&self, position: u64, set: ModelSet, read: impl FnOnce(&ReadModels, &ReadModels) -> R) -> R {
        self.shown.set(set);
        let state = self.state.borrow();
        let head = state.log.head();
        let position = position.min(head);
        if position == head && head > 0 {
            self.scrub.replace(None); // following the head: no copies held
            return read(&state.head_models, &state.fold_before);
        }
        let Ok(mut scrub) = self.scrub.try_borrow_mut() else {
            let at = state.read_models_of_at(set, position);
            return read(&at, &state.read_models_of_at(set, position.saturating_sub(1)));
        };
        let step = |from: &ReadModels| {
            let mut at = from.clone();
            state.fold_only(&mut at, position.saturating_sub(1), position, set);
            at
        };
        let kept = scrub.take().filter(|kept| kept.generation == state.generation && kept.set == set);
        let next = match kept {
            Some(kept) if kept.position == position => kept,
            Some(kept) if kept.position + 1 == position => Scrub { at: step(&kept.at), before: kept.at, ..kept },
            Some(kept) if kept.position == position + 1 => {
                Scrub { position, at: kept.before, before: state.read_models_of_at(set, position.saturating_sub(1)), ..kept }
            }
            _ => {
                let before = state.read_models_of_at(set, position.saturating_sub(1));
                let at = if position == 0 { before.clone() } else { step(&before) };
                Scrub { generation: state.generation, set, position, at, before }
            }
        };
        let answer = read(&next.at, &next.before);
        *scrub = Some(Scrub { position, ..next });
        answer
    }

    /// The read models as they were right after `position`.
    pub fn read_models_at(&self, position: u64) -> ReadModels {
        self.state.borrow().read_models_at(position)
    }

    /// The write model of one stream right after `position` (from its snapshot when it has one).
    pub fn aggregate_at(&self, stream_id: &str, position: u64) -> Option<AggregateView> {
        self.view(stream_id, position, true)
    }

    fn view(&self, stream_id: &str, position: u64, use_snapshot: bool) -> Option<AggregateView> {
        let state = self.state.borrow();
        let loaded = state.load_stream(stream_id, position, use_snapshot)?;
        let stream_type = state.log.stream(stream_id).next()?.stream_type.to_string();
        let snapshot_after = (use_snapshot && loaded.snapshot_version.is_none())
            .then(|| state.snapshots.latest(stream_id))
            .flatten()
            .map(|snapshot| snapshot.stream_version)
            .filter(|&version| version > loaded.stream_version);
        Some(AggregateView {
            stream_id: stream_id.to_owned(),
            stream_type,
            stream_version: loaded.stream_version,
            state: loaded.state.to_value(),
            snapshot_version: loaded.snapshot_version,
            events_replayed: loaded.events_replayed,
            snapshot_after,
        })
    }

    /// `kiroku.replay`: a stream's state rebuilt from its latest snapshot (unless
    /// `use_snapshot: false`) and the events after it.
    pub fn replay(&self, request: &Value) -> Result<Replay, ErrorBody> {
        let request: ReplayRequest = typed("replay", request)?;
        let to_position = request.to_position.unwrap_or(u64::MAX);
        let view = self
            .view(&request.stream_id, to_position, request.use_snapshot)
            .ok_or_else(|| ErrorBody::new("not_found", format!("there is no stream `{}`", request.stream_id)))?;
        Ok(Replay {
            state: view.state,
            stream_version: view.stream_version,
            events_replayed: view.events_replayed,
            from_snapshot: view.snapshot_version.is_some(),
        })
    }

    /// The snapshot policy: every how many events each stream type is snapshotted.
    pub fn snapshot_policy(&self) -> SnapshotPolicy {
        self.state.borrow().snapshots.policy.clone()
    }

    /// Snapshots of `stream_type` are taken every `every` events from now on.
    pub fn set_snapshot_interval(&self, stream_type: &str, every: u64) {
        let mut state = self.state.borrow_mut();
        state.snapshots.policy.set_interval(stream_type, every);
        state.snapshots_dirty = true;
    }

    /// The latest snapshot of a stream.
    pub fn snapshot_of(&self, stream_id: &str) -> Option<Snapshot> {
        self.state.borrow().snapshots.latest(stream_id).cloned()
    }

    /// Loads the snapshots saved beside the log, before the log is read.
    pub(super) async fn load_snapshots(&self) -> Result<(), StoreError> {
        let saved = self.store.load_document(SNAPSHOTS_DOCUMENT).await?;
        // A document that no longer reads costs only a replay of each stream.
        if let Some(snapshots) = saved.and_then(|text| serde_json::from_str::<Snapshots>(&text).ok()) {
            self.state.borrow_mut().snapshots = snapshots;
        }
        Ok(())
    }

    /// Saves the snapshots if they changed since the last save.
    pub(super) async fn persist_snapshots(&self) -> Result<bool, StoreError> {
        let text = {
            let mut state = self.state.borrow_mut();
            if !state.snapshots_dirty {
                return Ok(false);
            }
            state.snapshots_dirty = false;
            serde_json::to_string(&state.snapshots).map_err(|error| StoreError(error.to_string()))?
        };
        self.store.save_document(SNAPSHOTS_DOCUMENT, &text).await?;
        Ok(true)
    }

    /// `kiroku.measure`: one timing taken inside the page (see [`Measure`]).
    pub fn measure(&self, request: &Value) -> Result<Value, ErrorBody> {
        let clock = || self.env.monotonic_ms();
        match typed::<Measure>("measure", request)? {
            Measure::Fold => {
                let state = self.state.borrow();
                let started = clock();
                let mut models = ReadModels::default();
                state.fold(&mut models, 0, state.log.head());
                let ms = clock() - started;
                Ok(json!({ "events": state.log.head(), "ms": ms, "folded_to": models.order_summary.checkpoint }))
            }
            Measure::Jump { position } => {
                let head = self.head();
                if position > head {
                    return Err(ErrorBody::new("position_out_of_range", format!("position {position} is past the head ({head})")));
                }
                // What the page does on a jump: the read models at and before the
                // position (as scrubbing reads them), and the write model there.
                let started = clock();
                let rows = self.with_read_models_around(position, self.shown.get(), |at, before| {
                    at.order_summary.checkpoint + before.order_summary.checkpoint
                });
                let stream = self.state.borrow().log.at(position).map(|event| event.stream_id.clone());
                let write_model = stream.and_then(|stream| self.aggregate_at(&stream, position));
                let ms = clock() - started;
                std::hint::black_box((rows, write_model));
                Ok(json!({ "position": position, "ms": ms }))
            }
            Measure::LoadStream { stream_id, use_snapshot, repeat } => {
                let state = self.state.borrow();
                let repeat = repeat.unwrap_or(1).max(1);
                let started = clock();
                let mut loaded = None;
                for _ in 0..repeat {
                    loaded = Some(std::hint::black_box(state.load_stream(&stream_id, u64::MAX, use_snapshot)));
                }
                let ms = (clock() - started) / f64::from(repeat);
                let loaded = loaded
                    .flatten()
                    .ok_or_else(|| ErrorBody::new("not_found", format!("there is no stream `{stream_id}`")))?;
                Ok(json!({
                    "ms": ms,
                    "stream_version": loaded.stream_version,
                    "events_replayed": loaded.events_replayed,
                    "from_snapshot": loaded.snapshot_version.is_some(),
                }))
            }
            Measure::Memory => {
                let state = self.state.borrow();
                Ok(json!({
                    "events": state.log.head(),
                    "checkpoints": state.checkpoints.len(),
                    "checkpoints_due": state.checkpoints_due(),
                    "checkpoint_every": CHECKPOINT_EVERY,
                    "snapshots": state.snapshots.len(),
                }))
            }
        }
    }
}

