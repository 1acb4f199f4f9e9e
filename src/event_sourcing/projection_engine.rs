//! The projection engine of seed 001: each projector reads the log from its own
//! checkpoint, in order. A projector that fails on an event stops there (it must
//! not apply later events out of order) while the others keep up; the failure is
//! recorded and retried on a backoff of 1 min → 5 min → 15 min → 1 h → 6 h. After
//! the 5th failed retry the event is dead-lettered: the projector waits for a
//! person to retry it or skip it. Any projector can be rebuilt from position 0, a
//! batch at a time, while the log keeps growing.
//!
//! Faults are injected by a person (a workshop teacher), so the class can watch
//! this happen; a real projector would fail on its own. Time comes in as `now`
//! (the workshop clock, which may run fast): the engine never reads a clock.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::projection::Delivery;
use super::recorded::RecordedEvent;

/// Seed 001's backoff: the wait before retry 1, 2, 3, 4 and 5.
pub const BACKOFF_MINUTES: [i64; 5] = [1, 5, 15, 60, 360];
/// Retries before an event is dead-lettered.
pub const MAX_RETRIES: u32 = BACKOFF_MINUTES.len() as u32;

/// A projector, seen without its read model's type.
pub trait Lane<E> {
    fn name(&self) -> &'static str;
    fn subscribes_to(&self) -> &'static [&'static str];
    fn checkpoint(&self) -> u64;
    /// How many events it applied (subscribed ones only).
    fn applied(&self) -> u64;
    /// Delivers one event (applied if subscribed, ignored if already seen).
    fn deliver(&mut self, recorded: &RecordedEvent, event: &E) -> Delivery;
    /// [`Lane::deliver`], told whether the lane subscribes to the event.
    fn deliver_routed(&mut self, recorded: &RecordedEvent, event: &E, subscribed: bool) -> Delivery;
    /// Moves the checkpoint past `position` without applying it.
    fn skip_to(&mut self, position: u64);
    /// Forgets everything: an empty read model at checkpoint 0.
    fn reset(&mut self);
}

/// How a fault decides to fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "n", rename_all = "snake_case")]
pub enum FaultMode {
    /// Every matching delivery fails.
    Always,
    /// Only the n-th matching delivery fails (1-based); later ones succeed.
    Nth(u32),
}

/// A fault a person injected into one projector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// Fails only on this event type; every subscribed event when `None`.
    pub event_type: Option<String>,
    pub mode: FaultMode,
    /// Matching deliveries so far.
    #[serde(default)]
    pub seen: u32,
}

impl Fault {
    /// Counts a delivery of `event_type`; `Some(message)` if it must fail.
    fn strikes(&mut self, event_type: &str) -> Option<String> {
        if self.event_type.as_deref().is_some_and(|wanted| wanted != event_type) {
            return None;
        }
        self.seen += 1;
        let fails = match self.mode {
            FaultMode::Always => true,
            FaultMode::Nth(n) => self.seen == n,
        };
        fails.then(|| match self.mode {
            FaultMode::Always => format!("injected fault: fails on every {event_type}"),
            FaultMode::Nth(n) => format!("injected fault: fails on delivery {n} of {event_type}"),
        })
    }
}

/// A failed event: what failed, how often, and when it is tried again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectionError {
    pub projector: String,
    pub position: u64,
    pub event_type: String,
    pub message: String,
    /// Retries done so far (0 after the first failure).
    pub retry_count: u32,
    /// When the next retry runs; `None` once dead-lettered.
    #[serde(with = "optional_time")]
    pub next_retry_at: Option<DateTime<Utc>>,
    #[serde(with = "super::recorded::rfc3339_millis")]
    pub failed_at: DateTime<Utc>,
}

mod optional_time {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => s.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Millis, true)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| DateTime::parse_from_rfc3339(&text).map(|at| at.with_timezone(&Utc)).map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// A dead-lettered event and what a person did about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub error: ProjectionError,
    /// `None` while it waits; then `retried` or `skipped`.
    pub resolution: Option<String>,
}

impl DeadLetter {
    /// Whether a person skipped this event (the projector never applied it).
    pub fn was_skipped(&self) -> bool {
        self.resolution.as_deref() == Some(SKIPPED)
    }
}

const RETRIED: &str = "retried";
const SKIPPED: &str = "skipped";

/// Where a projector stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Health {
    /// Keeping up with the log.
    Running,
    /// Stopped on a failed event, waiting for its next retry.
    Retrying { error: ProjectionError },
    /// Out of retries: waits for a person to retry or skip the event.
    DeadLettered { error: ProjectionError },
}

/// A rebuild in progress: the projector replays the log from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rebuild {
    /// How many events the rebuild has read so far.
    pub done: u64,
}

/// One projector's runtime state beside its read model: what is kept across reloads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaneState {
    pub name: String,
    pub health: Health,
    pub fault: Option<Fault>,
    pub dead_letters: Vec<DeadLetter>,
    pub rebuild: Option<Rebuild>,
    /// Subscribed events applied since the page opened (for events per second).
    pub applied: u64,
}

impl LaneState {
    pub fn new(name: &str) -> Self {
        LaneState { name: name.to_owned(), health: Health::Running, fault: None, dead_letters: Vec::new(), rebuild: None, applied: 0 }
    }

    fn is_stopped(&self) -> bool {
        !matches!(self.health, Health::Running)
    }
}

/// What one call to [`pump`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pumped {
    /// Events read (applied or not subscribed).
    pub read: u64,
    /// Whether it stopped on a failure.
    pub failed: bool,
}

/// Reads up to `limit` events after the projector's checkpoint. Stops on the first
/// failure, recording it (a first failure schedules retry 1).
pub fn pump<E>(
    lane: &mut dyn Lane<E>,
    state: &mut LaneState,
    log: &[RecordedEvent],
    events: &[E],
    now: DateTime<Utc>,
    limit: u64,
) -> Pumped {
    let mut pumped = Pumped::default();
    if state.is_stopped() {
        return pumped;
    }
    let start = lane.checkpoint() as usize;
    let end = (start as u64).saturating_add(limit).min(log.len() as u64) as usize;
    for (recorded, event) in log[start.min(end)..end].iter().zip(&events[start.min(end)..end]) {
        match attempt(lane, state, recorded, event) {
            Ok(()) => pumped.read += 1,
            Err(message) => {
                state.health = Health::Retrying { error: first_failure(&state.name, recorded, message, now) };
                pumped.failed = true;
                break;
            }
        }
    }
    sync_rebuild(lane, state);
    pumped
}

/// A rebuild's progress is where the projector stands, however it got there.
fn sync_rebuild<E>(lane: &dyn Lane<E>, state: &mut LaneState) {
    if let Some(rebuild) = state.rebuild.as_mut() {
        rebuild.done = lane.checkpoint();
    }
}

/// Delivers one event through the projector's fault, if it has one.
fn attempt<E>(lane: &mut dyn Lane<E>, state: &mut LaneState, recorded: &RecordedEvent, event: &E) -> Result<(), String> {
    let subscribed = lane.subscribes_to().contains(&recorded.event_type.as_str());
    if subscribed {
        if let Some(message) = state.fault.as_mut().and_then(|fault| fault.strikes(&recorded.event_type)) {
            return Err(message);
        }
    }
    if lane.deliver_routed(recorded, event, subscribed) == Delivery::Applied {
        state.applied += 1;
    }
    Ok(())
}

fn first_failure(projector: &str, recorded: &RecordedEvent, message: String, now: DateTime<Utc>) -> ProjectionError {
    ProjectionError {
        projector: projector.to_owned(),
        position: recorded.position,
        event_type: recorded.event_type.to_string(),
        message,
        retry_count: 0,
        next_retry_at: Some(now + Duration::minutes(BACKOFF_MINUTES[0])),
        failed_at: now,
    }
}

/// Why a retry or skip could not be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotStopped {
    /// The projector has no failed event to retry or skip.
    Running,
}

/// Tries the failed event again now: on success the projector runs on; on failure
/// the next retry is scheduled, or the event is dead-lettered after the 5th retry.
/// A retry by hand of a dead-lettered event that fails again stays dead-lettered.
pub fn retry<E>(
    lane: &mut dyn Lane<E>,
    state: &mut LaneState,
    log: &[RecordedEvent],
    events: &[E],
    now: DateTime<Utc>,
) -> Result<bool, NotStopped> {
    let (error, was_dead) = match &state.health {
        Health::Running => return Err(NotStopped::Running),
        Health::Retrying { error } => (error.clone(), false),
        Health::DeadLettered { error } => (error.clone(), true),
    };
    let index = error.position as usize - 1;
    match attempt(lane, state, &log[index], &events[index]) {
        Ok(()) => {
            state.health = Health::Running;
            if was_dead {
                resolve_dead_letter(state, error.position, RETRIED);
            }
            sync_rebuild(lane, state);
            Ok(true)
        }
        Err(message) if was_dead => {
            state.health = Health::DeadLettered { error: ProjectionError { message, failed_at: now, ..error } };
            Ok(false)
        }
        Err(message) => {
            let retry_count = error.retry_count + 1;
            let failed = ProjectionError { message, retry_count, failed_at: now, ..error };
            state.health = if retry_count >= MAX_RETRIES {
                let dead = ProjectionError { next_retry_at: None, ..failed };
                state.dead_letters.push(DeadLetter { error: dead.clone(), resolution: None });
                Health::DeadLettered { error: dead }
            } else {
                let wait = Duration::minutes(BACKOFF_MINUTES[retry_count as usize]);
                Health::Retrying { error: ProjectionError { next_retry_at: Some(now + wait), ..failed } }
            };
            Ok(false)
        }
    }
}

/// Runs the retry if it is due at `now`. Returns whether a retry ran.
pub fn retry_if_due<E>(
    lane: &mut dyn Lane<E>,
    state: &mut LaneState,
    log: &[RecordedEvent],
    events: &[E],
    now: DateTime<Utc>,
) -> bool {
    let due = matches!(&state.health, Health::Retrying { error } if error.next_retry_at.is_some_and(|at| at <= now));
    due && retry(lane, state, log, events, now).is_ok()
}

/// Skips the failed event by hand: the projector moves past it without applying it.
pub fn skip<E>(lane: &mut dyn Lane<E>, state: &mut LaneState) -> Result<(), NotStopped> {
    let position = match &state.health {
        Health::Running => return Err(NotStopped::Running),
        Health::Retrying { error } | Health::DeadLettered { error } => error.position,
    };
    if matches!(state.health, Health::DeadLettered { .. }) {
        resolve_dead_letter(state, position, SKIPPED);
    } else {
        state.dead_letters.push(DeadLetter {
            error: match &state.health {
                Health::Retrying { error } => ProjectionError { next_retry_at: None, ..error.clone() },
                _ => unreachable!("checked above"),
            },
            resolution: Some(SKIPPED.to_owned()),
        });
    }
    lane.skip_to(position);
    state.health = Health::Running;
    sync_rebuild(lane, state);
    Ok(())
}

fn resolve_dead_letter(state: &mut LaneState, position: u64, how: &str) {
    if let Some(letter) = state
        .dead_letters
        .iter_mut()
        .rev()
        .find(|letter| letter.error.position == position && letter.resolution.is_none())
    {
        letter.resolution = Some(how.to_owned());
    }
}

/// Starts rebuilding: the read model is emptied and read again from position 0 by
/// later [`pump`]s. The failure it was stopped on and its dead letters are
/// forgotten: the rebuild applies every event again (a skipped one included), and
/// meets a fault again if it is still there.
pub fn start_rebuild<E>(lane: &mut dyn Lane<E>, state: &mut LaneState) {
    lane.reset();
    state.health = Health::Running;
    state.dead_letters.clear();
    state.rebuild = Some(Rebuild { done: 0 });
}

/// Ends the rebuild once the projector has caught up with the log.
pub fn finish_rebuild_if_caught_up<E>(lane: &dyn Lane<E>, state: &mut LaneState, head: u64) -> bool {
    if state.rebuild.is_some() && lane.checkpoint() >= head {
        state.rebuild = None;
        return true;
    }
    false
}

/// Brings a projector back to a saved state: its read model is rebuilt by applying
/// exactly what it had applied (the log up to its checkpoint, without the events a
/// person skipped), and its health, fault and dead letters are restored. Projectors
/// are pure functions of the events they applied, so this gives back the same model.
pub fn restore<E>(lane: &mut dyn Lane<E>, state: &mut LaneState, saved: LaneState, checkpoint: u64, log: &[RecordedEvent], events: &[E]) {
    let skipped: Vec<u64> = saved.dead_letters.iter().filter(|letter| letter.was_skipped()).map(|letter| letter.error.position).collect();
    lane.reset();
    let end = (checkpoint as usize).min(log.len());
    for (recorded, event) in log[..end].iter().zip(&events[..end]) {
        if skipped.contains(&recorded.position) {
            lane.skip_to(recorded.position);
        } else {
            lane.deliver(recorded, event);
        }
    }
    *state = LaneState { rebuild: None, ..saved };
}
