//! The lab: one event log, its read models, and the commands, queries and time
//! travel that the UI and `window.kiroku` offer. Pure and generic over the store;
//! ids and time come in through [`Environment`].
//!
//! The lab keeps a working copy of the log in memory (an [`EventLog`]) and folds
//! it into the read models. The store stays the source of truth: before deciding,
//! the lab catches up with whatever the store gained (another tab may have written),
//! and the append carries the version the decision was made on, so a race is a
//! `conflict` and writes nothing.

mod demo;
mod log_file;
mod sagas;
mod time_travel;

pub use demo::{demo_options, demo_start, DemoHistory, DEMO_EVENTS, DEMO_MAX_EVENTS, DEMO_SEED};
pub use log_file::{EXPORT_FORMAT, EXPORT_VERSION};
pub use sagas::{SagaReport, SagaView};
pub use time_travel::{AggregateView, Replay, CHECKPOINT_EVERY};

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use chrono::{DateTime, SecondsFormat, Utc};
use futures::lock::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cqrs::command_bus::{self, Chain, Dispatch, LogEntry, Middleware};
use crate::cqrs::query_bus::{CacheStats, Lookup, QueryCache};
use crate::domain::authorization::{User, SAGA_RUNNER, USERS};
use crate::domain::{Command, Event};
use crate::event_sourcing::envelope::{typed, CommandEnvelope, CommandResult, ErrorBody, QueryEnvelope, QueryResult};
use crate::event_sourcing::log::EventLog;
use crate::event_sourcing::projection_engine::{self as engine, DeadLetter, Fault, Health, LaneState};
use crate::event_sourcing::recorded::{EventMetadata, NewEvent, RecordedEvent, StreamId};
use crate::event_sourcing::snapshot::Snapshots;
use crate::event_sourcing::shared_str::{Interner, SharedStr};
use crate::event_sourcing::store::{AppendError, EventStore, ExpectedVersion, StoreError};
use crate::messaging::broker::{Broker, Message};
use crate::messaging::inbox::{Inbox, InboxStats, Received};
use crate::messaging::{Delivery, DeliveryMode};
use crate::read_models::{ModelSet, ReadModels};

/// What the outside world gives the lab: the time, and fresh unique ids.
pub trait Environment {
    fn now(&self) -> DateTime<Utc>;
    fn new_id(&self) -> String;
    /// A clock for durations, in milliseconds; `0` where there is none (then every
    /// duration reads 0). The browser's is `performance.now()`.
    fn monotonic_ms(&self) -> f64 {
        0.0
    }

    /// Takes what the lab let go of (the whole state of a log an import, a demo
    /// history or a clear replaced) to be freed. At once by default; freeing a 100k
    /// log is ~780,000 allocations, ~100 ms in the browser, which frees it after the
    /// next paint so that the answer and the new state are not kept waiting.
    fn release(&self, garbage: Box<dyn Any>) {
        drop(garbage);
    }
}

/// How many lines the command log keeps.
pub const COMMAND_LOG_LENGTH: usize = 200;

pub struct Lab<S> {
    store: S,
    env: Box<dyn Environment>,
    state: RefCell<State>,
    /// Commands are decided one at a time, in the order they arrive.
    commands: Mutex<()>,
    /// Who sends the commands: authorization checks this user's role.
    user: Cell<&'static User>,
    /// The command bus's middleware, outermost first.
    chain: RefCell<Chain>,
    /// What the logging middleware recorded, newest last.
    command_log: RefCell<VecDeque<LogEntry>>,
    commands_handled: Cell<u64>,
    /// Where accepted events are published (every open tab), once connected.
    broker: RefCell<Option<Rc<dyn Broker>>>,
    /// This lab's name on the broker.
    tab: RefCell<String>,
    delivery: Cell<Delivery>,
    publisher: RefCell<Publisher>,
    /// This tab's idempotent consumer.
    inbox: RefCell<Inbox>,
    /// Sagas are being run (a saga's own commands do not start another run).
    pub(crate) sagas_running: Cell<bool>,
    /// Whether a confirmed order starts the order → inventory saga.
    pub(crate) fulfillment_enabled: Cell<bool>,
    /// OrderConfirmed events after this position may start a fulfillment.
    pub(crate) saga_checkpoint: Cell<u64>,
    /// The read models where a person is scrubbing (see `time_travel`).
    scrub: RefCell<Option<time_travel::Scrub>>,
    /// The read models the page last asked for at a position (what `measure` jumps to).
    shown: Cell<ModelSet>,
}

/// What [`Lab::catch_up`] changed in the working copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaughtUp {
    /// The store held nothing beyond it.
    Nothing,
    /// This many events followed its last one.
    Appended(usize),
    /// The store's log is another one (cleared or replaced in another tab): the copy
    /// was dropped and this many events loaded instead (none, after a clear).
    Reloaded(usize),
}

/// What the publisher of this tab did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Publisher {
    /// Messages sent the first time.
    pub published: u64,
    /// Messages sent again (the outbox after a crash before marking).
    pub republished: u64,
    /// Events recorded but never sent (the naive path's crash).
    pub lost: u64,
    /// Outbox messages waiting, as of the last poll.
    pub pending: u64,
    /// Messages already sent once by this tab (to tell a resend).
    #[serde(skip)]
    sent: std::collections::HashSet<String>,
    /// Messages whose one crash (before the mark) has happened.
    #[serde(skip)]
    crashed: std::collections::HashSet<String>,
}

/// What the broker panel shows of this tab.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BrokerStatus {
    pub tab: String,
    pub connected: bool,
    pub delivery: Delivery,
    pub publisher: Publisher,
    pub inbox: InboxStats,
    pub recent: Vec<Received>,
}

struct State {
    log: EventLog,
    /// `events[i]` is `log.all()[i]`, typed.
    events: Vec<Event>,
    /// The live read models, each at its own checkpoint (a failing one lags).
    head_models: ReadModels,
    /// Each projector's health, fault, dead letters and rebuild, in lane order.
    lanes: Vec<LaneState>,
    /// Query answers; dropped when a read model moves.
    cache: QueryCache,
    /// The time retries are scheduled in.
    clock: WorkshopClock,
    /// The projection engine's state changed since it was last saved.
    dirty: bool,
    /// A fresh fold of the log (no faults) up to one event before the head: time
    /// travel's view just before the head, kept up as events arrive so that
    /// following the head never folds the log again (and is copied only when asked).
    fold_before: ReadModels,
    /// The streams of sagas not yet finished, oldest first: what the saga runner visits.
    open_sagas: Vec<SharedStr>,
    /// The latest snapshot of each stream, and when to take them.
    snapshots: Snapshots,
    /// The snapshots changed since they were last saved.
    snapshots_dirty: bool,
    /// Timeline checkpoints: `checkpoints[i]` is the read models right after
    /// position `(i + 1) * CHECKPOINT_EVERY` (see `time_travel`).
    checkpoints: Vec<ReadModels>,
    /// Counts the logs this state was built from: a new log (import, reset, another
    /// tab's clear) makes anything computed from the old one stale.
    generation: u64,
}

impl Default for State {
    fn default() -> Self {
        let mut head_models = ReadModels::default();
        let lanes = head_models.lanes_mut().iter().map(|lane| LaneState::new(lane.name())).collect();
        State {
            log: EventLog::default(),
            events: Vec::new(),
            head_models,
            lanes,
            cache: QueryCache::default(),
            clock: WorkshopClock::default(),
            dirty: false,
            fold_before: ReadModels::default(),
            open_sagas: Vec::new(),
            snapshots: Snapshots::default(),
            snapshots_dirty: false,
            checkpoints: Vec::new(),
            generation: 0,
        }
    }
}

/// The key of the projection engine's saved state among the store's documents.
pub const PROJECTIONS_DOCUMENT: &str = "projections";

/// One projector as saved: its engine state and its checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SavedLane {
    checkpoint: u64,
    #[serde(flatten)]
    lane: LaneState,
}

/// The workshop clock: real time, run faster (×60, ×3600) so that a retry schedule
/// of minutes and hours plays out in seconds. Pure: it is handed the real time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WorkshopClock {
    /// Workshop seconds per real second.
    pub speed: f64,
    /// The real time and workshop time when the speed last changed.
    anchor: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl Default for WorkshopClock {
    fn default() -> Self {
        WorkshopClock { speed: 1.0, anchor: None }
    }
}

impl WorkshopClock {
    /// The workshop time at real time `real`.
    pub fn at(&self, real: DateTime<Utc>) -> DateTime<Utc> {
        match self.anchor {
            None => real,
            Some((real_anchor, workshop_anchor)) => {
                let elapsed_ms = (real - real_anchor).num_milliseconds() as f64 * self.speed;
                workshop_anchor + chrono::Duration::milliseconds(elapsed_ms as i64)
            }
        }
    }

    /// Runs at `speed` from real time `real` on, without jumping.
    pub fn set_speed(&mut self, speed: f64, real: DateTime<Utc>) {
        self.anchor = Some((real, self.at(real)));
        self.speed = speed.max(0.0);
    }

    /// Moves workshop time forward by `by` at once.
    pub fn advance(&mut self, by: chrono::Duration, real: DateTime<Utc>) {
        self.anchor = Some((real, self.at(real) + by));
    }
}

/// One projector as `GetProjectionStatus` and the status panel show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectorReport {
    /// Also in `lane` (its name is what is saved), so not written twice.
    #[serde(skip)]
    pub name: &'static str,
    pub subscribes_to: &'static [&'static str],
    pub position: u64,
    pub lag: u64,
    #[serde(flatten)]
    pub lane: LaneState,
}

/// What `GetProjectionStatus` answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectionStatus {
    pub head: u64,
    /// The workshop clock's time now, and its speed.
    pub clock: String,
    pub clock_speed: f64,
    pub projectors: Vec<ProjectorReport>,
}

/// When a command was handled and how long it took, for its log line.
struct Timing {
    sequence: u64,
    at: DateTime<Utc>,
    duration_ms: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventFilter {
    stream_id: Option<String>,
    from_position: Option<u64>,
    to_position: Option<u64>,
    #[serde(default, with = "optional_time")]
    from_time: Option<DateTime<Utc>>,
    #[serde(default, with = "optional_time")]
    to_time: Option<DateTime<Utc>>,
}

mod optional_time {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| {
                DateTime::parse_from_rfc3339(&text)
                    .map(|at| at.with_timezone(&Utc))
                    .map_err(|error| serde::de::Error::custom(format!("`{text}` is not an RFC 3339 time: {error}")))
            })
            .transpose()
    }
}

impl<S: EventStore> Lab<S> {
    pub fn new(store: S, env: Box<dyn Environment>) -> Self {
        Lab {
            store,
            env,
            state: RefCell::new(State::default()),
            commands: Mutex::new(()),
            user: Cell::new(&USERS[0]),
            chain: RefCell::new(Chain::default()),
            command_log: RefCell::new(VecDeque::new()),
            commands_handled: Cell::new(0),
            broker: RefCell::new(None),
            tab: RefCell::new(String::new()),
            delivery: Cell::new(Delivery::default()),
            publisher: RefCell::new(Publisher::default()),
            inbox: RefCell::new(Inbox::default()),
            sagas_running: Cell::new(false),
            fulfillment_enabled: Cell::new(false),
            saga_checkpoint: Cell::new(0),
            scrub: RefCell::new(None),
            shown: Cell::new(ModelSet::ALL),
        }
    }

    /// Reads whatever the store holds beyond the working copy and projects it.
    /// Says what that changed in the working copy.
    ///
    /// The read starts one event early: if the store no longer holds the working
    /// copy's last event (another tab cleared or replaced the log), the whole log is
    /// reloaded, however many events it has, none included.
    pub async fn catch_up(&self) -> Result<CaughtUp, StoreError> {
        let (head, last_id) = {
            let state = self.state.borrow();
            (state.log.head(), state.log.at(state.log.head()).map(|event| event.event_id.clone()))
        };
        let mut names = Interner::default();
        let mut fresh = self.store.read_all_sharing(head.saturating_sub(1), &mut names).await?;
        let still_there = head == 0
            || fresh.first().is_some_and(|first| first.position == head && Some(&first.event_id) == last_id.as_ref());
        if still_there {
            if head > 0 {
                fresh.remove(0);
            }
        } else {
            names = Interner::default();
            fresh = self.store.read_all_sharing(0, &mut names).await?;
            let old = self.state.borrow_mut().restart();
            self.env.release(Box::new(old));
        }
        let now = self.env.now();
        let mut state = self.state.borrow_mut();
        // Another call may have caught up meanwhile: skip what is already here.
        let head = state.log.head();
        fresh.retain(|recorded| recorded.position > head);
        let caught_up = match fresh.len() {
            count if !still_there => CaughtUp::Reloaded(count),
            0 => CaughtUp::Nothing,
            count => CaughtUp::Appended(count),
        };
        // Room for every event at once: collected through a `Result`, the vector grew
        // by doubling from nothing, moving what it held each time.
        let mut typed = Vec::with_capacity(fresh.len());
        for recorded in &fresh {
            typed.push(read_stored(recorded)?);
        }
        state.integrate_all(fresh, typed, Some(names))?;
        state.pump_all(now);
        Ok(caught_up)
    }

    /// [`Lab::catch_up`] in its turn with commands, imports and clears, as the page
    /// catches up on another tab's change or on focus: none of them runs between its
    /// reads of the store and what it makes of them.
    pub async fn catch_up_in_turn(&self) -> Result<CaughtUp, StoreError> {
        let _turn = self.commands.lock().await;
        self.catch_up().await
    }

    /// Loads the stored log and brings every projector back to where it was saved
    /// (its checkpoint, failure, dead letters and fault), then lets it catch up.
    pub async fn load(&self) -> Result<(), StoreError> {
        let saved = self.store.load_document(PROJECTIONS_DOCUMENT).await?;
        self.load_snapshots().await?;
        self.catch_up().await?;
        self.state.borrow_mut().check_snapshots();
        // Orders confirmed while no page was open do not start sagas now; sagas
        // already started resume (see `run_sagas`).
        self.saga_checkpoint.set(self.head());
        // A document that no longer reads (an older layout) only costs a fresh start.
        let Some(saved) = saved.and_then(|text| serde_json::from_str::<Vec<SavedLane>>(&text).ok()) else {
            return Ok(());
        };
        let now = self.env.now();
        let mut state = self.state.borrow_mut();
        let names: Vec<&'static str> = state.head_models.lanes_mut().iter().map(|lane| lane.name()).collect();
        // Projectors that applied everything up to their checkpoint, grouped by checkpoint.
        let mut plain: BTreeMap<u64, ModelSet> = BTreeMap::new();
        for (place, name) in names.into_iter().enumerate() {
            let Some(saved) = saved.iter().find(|saved| saved.lane.name == name) else { continue };
            if saved.lane.dead_letters.iter().any(DeadLetter::was_skipped) {
                // Without the events a person skipped: replayed one by one.
                let State { log, events, head_models, lanes, .. } = &mut *state;
                let lane = head_models.lanes_mut().into_iter().nth(place).expect("a lane per name");
                engine::restore(lane, &mut lanes[place], saved.lane.clone(), saved.checkpoint, log.all(), events);
            } else {
                let set = plain.entry(saved.checkpoint).or_insert(ModelSet::NONE);
                *set = set.with(place);
                state.lanes[place] = LaneState { rebuild: None, ..saved.lane.clone() };
            }
        }
        // Their state is the time-travel state at their checkpoint: one fold per
        // checkpoint, into those read models only (none at all at the head).
        for (checkpoint, set) in plain {
            let there = state.read_models_of_at(set, checkpoint);
            for place in set.places() {
                state.head_models.copy_lane_from(place, &there);
            }
        }
        state.cache.clear();
        state.pump_all(now);
        Ok(())
    }

    /// [`Lab::load`], then resumes every saga that was left unfinished.
    pub async fn load_and_resume(&self) -> Result<(), StoreError> {
        self.load().await?;
        self.run_sagas().await;
        Ok(())
    }

    /// Saves the projection engine's state and the snapshots, each if it changed
    /// since it was last saved.
    pub async fn persist_if_changed(&self) -> Result<bool, StoreError> {
        let snapshots = self.persist_snapshots().await?;
        let engine = self.persist_engine().await?;
        Ok(snapshots || engine)
    }

    async fn persist_engine(&self) -> Result<bool, StoreError> {
        let text = {
            let mut state = self.state.borrow_mut();
            if !state.dirty {
                return Ok(false);
            }
            state.dirty = false;
            let State { head_models, lanes, .. } = &mut *state;
            let saved: Vec<SavedLane> = head_models
                .lanes_mut()
                .iter()
                .zip(lanes.iter())
                .map(|(lane, lane_state)| SavedLane { checkpoint: lane.checkpoint(), lane: lane_state.clone() })
                .collect();
            serde_json::to_string(&saved).map_err(|error| StoreError(error.to_string()))?
        };
        self.store.save_document(PROJECTIONS_DOCUMENT, &text).await?;
        Ok(true)
    }

    /// The position of the last event in the working copy.
    pub fn head(&self) -> u64 {
        self.state.borrow().log.head()
    }

    /// Handles a command envelope (CONTRACT §2) through the command bus: the
    /// middleware chain, then the aggregate (decide, append, project).
    pub async fn send(&self, raw: &Value) -> CommandResult {
        let result = self.send_as(raw, self.user.get()).await;
        if matches!(result, CommandResult::Accepted { .. }) {
            self.run_sagas().await;
        }
        result
    }

    /// [`Lab::send`] as a given user (sagas send as [`crate::domain::authorization::SAGA_RUNNER`]).
    pub(crate) async fn send_as(&self, raw: &Value, user: &User) -> CommandResult {
        let started = self.env.monotonic_ms();
        let now = self.env.now();
        let parsed = command_bus::parse(raw);
        let chain = self.chain.borrow().clone();
        let (stopped, entered) = chain.run_before(&Dispatch { raw, parsed: &parsed, user });
        let (result, stopped_by) = match (stopped, parsed) {
            (Some((middleware, result)), _) => (result, Some(middleware)),
            (None, Ok((envelope, command))) => (self.handle(&envelope, &command, now, user).await, None),
            // No validation in the chain, and the bus cannot route what it cannot read.
            (None, Err(error)) => (CommandResult::Invalid { error }, None),
        };
        let sequence = self.commands_handled.get() + 1;
        self.commands_handled.set(sequence);
        if entered.contains(&Middleware::Logging) {
            let timing = Timing { sequence, at: now, duration_ms: self.env.monotonic_ms() - started };
            self.log_command(raw, &result, stopped_by, user, timing);
        }
        result
    }

    /// The end of the bus: load, decide, append, project.
    ///
    /// The command is decided on the working copy, which is current unless another
    /// tab wrote since this one last caught up. The append checks the stream's
    /// version in the store, so a decision on a stale stream is never written: an
    /// answer that a stale copy may have caused (a conflict, a refusal) is given
    /// only after catching up and deciding once more.
    pub(crate) async fn handle(&self, envelope: &CommandEnvelope, command: &Command, now: DateTime<Utc>, user: &User) -> CommandResult {
        let _turn = self.commands.lock().await;
        let (result, maybe_stale) = self.decide_and_append(envelope, command, now, user).await;
        if !maybe_stale {
            return result;
        }
        match self.catch_up().await {
            Err(error) => CommandResult::Error { error: ErrorBody::new("storage_failed", error.0) },
            Ok(CaughtUp::Nothing) if !matches!(result, CommandResult::Conflict { .. }) => result,
            Ok(_) => {
                let (result, _) = self.decide_and_append(envelope, command, now, user).await;
                if matches!(result, CommandResult::Conflict { .. }) {
                    // Someone else wrote first again: catch up so the next try sees it.
                    let _ = self.catch_up().await;
                }
                result
            }
        }
    }

    /// One try of [`Lab::handle`] on the working copy as it is. The flag says the
    /// answer may come from a stale working copy (a conflict or a refusal).
    async fn decide_and_append(&self, envelope: &CommandEnvelope, command: &Command, now: DateTime<Utc>, user: &User) -> (CommandResult, bool) {
        // A command that starts something new (a transfer) gets a stream of its own.
        let aggregate_id = if command.starts_new_stream() { self.env.new_id() } else { envelope.aggregate_id.clone() };
        let stream = StreamId::new(command.stream_type(), &aggregate_id);
        // A saga's command that already ran (found by its causation id) is not run
        // again: its events are the answer.
        if user.name == SAGA_RUNNER.name {
            if let Some(cause) = &envelope.metadata.causation_id {
                let state = self.state.borrow();
                let done: Vec<RecordedEvent> =
                    state.log.stream(&stream.id).filter(|event| &event.metadata.causation_id == cause).cloned().collect();
                if let Some(last) = done.last() {
                    return (CommandResult::Accepted { stream_version: last.stream_version, events: done }, false);
                }
            }
        }
        let (actual_version, decided) = {
            let state = self.state.borrow();
            let actual = state.log.stream_version(&stream.id);
            if let Some(expected) = envelope.expected_version {
                if expected != actual {
                    return (CommandResult::Conflict { expected_version: expected, actual_version: actual }, true);
                }
            }
            // Loading = the stream's latest snapshot plus the events after it.
            let loaded = state.load_stream(&stream.id, u64::MAX, true);
            (actual, command.decide_on(loaded.as_ref().map(|loaded| &loaded.state)))
        };
        let events = match decided {
            Ok(events) => events,
            Err(error) => return (CommandResult::Rejected { error }, true),
        };
        let new_events = self.stamp(envelope, events, now, user);
        let delivery = self.delivery.get();
        let appended = match delivery.mode {
            DeliveryMode::Naive => self.store.append(&stream, ExpectedVersion::Exact(actual_version), new_events).await,
            DeliveryMode::Outbox => {
                self.store.append_with_outbox(&stream, ExpectedVersion::Exact(actual_version), new_events).await
            }
        };
        let result = match appended {
            Ok(recorded) => {
                let stream_version = recorded.last().map_or(actual_version, |event| event.stream_version);
                if let Err(error) = self.take_own(&recorded).await {
                    return (CommandResult::Error { error: ErrorBody::new("storage_failed", error.0) }, false);
                }
                if delivery.mode == DeliveryMode::Naive {
                    // The second write of the dual write: lost if the process dies first.
                    if delivery.crash_between {
                        self.publisher.borrow_mut().lost += recorded.len() as u64;
                    } else {
                        self.publish(&recorded);
                    }
                }
                CommandResult::Accepted { stream_version, events: recorded }
            }
            Err(AppendError::Conflict { expected, actual }) => {
                return (CommandResult::Conflict { expected_version: expected, actual_version: actual }, true);
            }
            Err(AppendError::Storage(error)) => CommandResult::Error { error: ErrorBody::new("storage_failed", error.0) },
        };
        (result, false)
    }

    fn log_command(&self, raw: &Value, result: &CommandResult, stopped_by: Option<Middleware>, user: &User, timing: Timing) {
        let Timing { sequence, at, duration_ms } = timing;
        let text = |field: &str| raw.get(field).and_then(Value::as_str).unwrap_or("").to_owned();
        let actor = raw
            .pointer("/metadata/actor")
            .and_then(Value::as_str)
            .map_or_else(|| user.name.to_owned(), str::to_owned);
        let (status, code) = command_bus::status_of(result);
        let mut log = self.command_log.borrow_mut();
        log.push_back(LogEntry {
            sequence,
            command_type: text("command_type"),
            aggregate_id: text("aggregate_id"),
            actor,
            status,
            code,
            stopped_by,
            duration_ms,
            at: at.to_rfc3339_opts(SecondsFormat::Millis, true),
        });
        while log.len() > COMMAND_LOG_LENGTH {
            log.pop_front();
        }
    }

    /// Connects the lab to a broker as `tab`: accepted events are published there.
    pub fn connect_broker(&self, broker: Rc<dyn Broker>, tab: &str) {
        *self.broker.borrow_mut() = Some(broker);
        *self.tab.borrow_mut() = tab.to_owned();
    }

    pub fn delivery(&self) -> Delivery {
        self.delivery.get()
    }

    pub fn set_delivery(&self, delivery: Delivery) {
        self.delivery.set(delivery);
    }

    /// Sends events to the broker now; counts first sends and resends.
    fn publish(&self, events: &[RecordedEvent]) {
        let Some(broker) = self.broker.borrow().clone() else { return };
        for event in events {
            let first = self.publisher.borrow_mut().sent.insert(event.event_id.to_string());
            {
                let mut publisher = self.publisher.borrow_mut();
                if first {
                    publisher.published += 1;
                } else {
                    publisher.republished += 1;
                }
            }
            let sent_by = self.tab.borrow().clone();
            broker.publish(&Message { event: event.clone(), sent_by, attempt: if first { 1 } else { 2 } });
        }
    }

    /// The polling publisher: sends up to a batch of the outbox's messages, then marks
    /// them published. With the crash switch on, the first send of a message "crashes"
    /// before the mark, so the next poll sends it again (at-least-once delivery).
    /// Returns how many messages it sent.
    pub async fn publish_pending(&self) -> Result<usize, StoreError> {
        let delivery = self.delivery.get();
        let pending = self.store.unpublished(delivery.batch_size as usize).await?;
        if pending.is_empty() {
            self.publisher.borrow_mut().pending = 0;
            return Ok(0);
        }
        self.publish(&pending);
        let marked: Vec<String> = {
            let mut publisher = self.publisher.borrow_mut();
            pending
                .iter()
                .map(|event| event.event_id.to_string())
                // With the crash switch, each message's first send dies before its mark;
                // the next poll sends it again and marks it.
                .filter(|id| !delivery.crash_between || !publisher.crashed.insert(id.clone()))
                .collect()
        };
        self.store.mark_published(&marked).await?;
        let left = self.store.unpublished(1000).await?.len() as u64;
        self.publisher.borrow_mut().pending = left;
        Ok(pending.len())
    }

    /// This tab's consumer takes a message; `false` for a duplicate it dropped.
    pub fn receive(&self, message: &Message) -> bool {
        self.inbox.borrow_mut().receive(message)
    }

    pub fn broker_status(&self) -> BrokerStatus {
        let inbox = self.inbox.borrow();
        BrokerStatus {
            tab: self.tab.borrow().clone(),
            connected: self.broker.borrow().is_some(),
            delivery: self.delivery.get(),
            publisher: self.publisher.borrow().clone(),
            inbox: inbox.stats(),
            recent: inbox.recent(),
        }
    }

    /// The user commands are sent as.
    pub fn user(&self) -> &'static User {
        self.user.get()
    }

    /// Acts as another of [`USERS`]; `false` if there is no user of that name.
    pub fn switch_user(&self, name: &str) -> bool {
        match USERS.iter().find(|user| user.name == name) {
            Some(user) => {
                self.user.set(user);
                true
            }
            None => false,
        }
    }

    /// The command bus's middleware chain.
    pub fn chain(&self) -> Chain {
        self.chain.borrow().clone()
    }

    /// Replaces the chain (a chain missing a middleware is refused and `false` returned).
    pub fn set_chain(&self, chain: Chain) -> bool {
        if !chain.is_complete() {
            return false;
        }
        *self.chain.borrow_mut() = chain;
        true
    }

    /// What the logging middleware recorded, oldest first.
    pub fn command_log(&self) -> Vec<LogEntry> {
        self.command_log.borrow().iter().cloned().collect()
    }

    /// The query cache's hits, misses and invalidations.
    pub fn cache_stats(&self) -> CacheStats {
        self.state.borrow().cache.stats()
    }

    /// The workshop clock's time now.
    pub fn workshop_now(&self) -> DateTime<Utc> {
        self.state.borrow().clock.at(self.env.now())
    }

    /// Runs the workshop clock at `speed` × real time (1, 60, 3600…).
    pub fn set_clock_speed(&self, speed: f64) {
        let now = self.env.now();
        self.state.borrow_mut().clock.set_speed(speed, now);
    }

    /// Moves the workshop clock forward at once, then runs what became due.
    pub fn advance_clock(&self, by: chrono::Duration) -> bool {
        let now = self.env.now();
        self.state.borrow_mut().clock.advance(by, now);
        self.tick()
    }

    /// Runs every retry that is due on the workshop clock, and lets recovered
    /// projectors catch up. Returns whether any read model moved or any error changed.
    pub fn tick(&self) -> bool {
        let now = self.env.now();
        let mut state = self.state.borrow_mut();
        let workshop_now = state.clock.at(now);
        let before: Vec<LaneState> = state.lanes.clone();
        let checkpoints_before: Vec<u64> = state.head_models.lanes_mut().iter().map(|lane| lane.checkpoint()).collect();
        {
            let State { log, events, head_models, lanes, .. } = &mut *state;
            for (lane, lane_state) in head_models.lanes_mut().into_iter().zip(lanes.iter_mut()) {
                engine::retry_if_due(lane, lane_state, log.all(), events, workshop_now);
            }
        }
        state.pump_all(now);
        let checkpoints_after: Vec<u64> = state.head_models.lanes_mut().iter().map(|lane| lane.checkpoint()).collect();
        let changed = before != state.lanes || checkpoints_before != checkpoints_after;
        if changed {
            state.cache.log_grew();
            state.dirty = true;
        }
        changed
    }

    /// Injects a fault into a projector (`None` removes it). `false` if there is no such projector.
    pub fn set_fault(&self, projector: &str, fault: Option<Fault>) -> bool {
        let mut state = self.state.borrow_mut();
        match state.lanes.iter_mut().find(|lane| lane.name == projector) {
            Some(lane) => {
                lane.fault = fault;
                state.dirty = true;
                true
            }
            None => false,
        }
    }

    /// Retries a projector's failed or dead-lettered event now.
    pub fn retry_projector(&self, projector: &str) -> Result<bool, ErrorBody> {
        self.by_hand(projector, |lane, lane_state, log, events, now| {
            engine::retry(lane, lane_state, log, events, now)
        })
    }

    /// Skips a projector's failed or dead-lettered event: it moves on without it.
    pub fn skip_projector(&self, projector: &str) -> Result<bool, ErrorBody> {
        self.by_hand(projector, |lane, lane_state, _, _, _| engine::skip(lane, lane_state).map(|()| true))
    }

    fn by_hand(
        &self,
        projector: &str,
        act: impl FnOnce(
            &mut dyn engine::Lane<Event>,
            &mut LaneState,
            &[RecordedEvent],
            &[Event],
            DateTime<Utc>,
        ) -> Result<bool, engine::NotStopped>,
    ) -> Result<bool, ErrorBody> {
        let now = self.env.now();
        let mut state = self.state.borrow_mut();
        let workshop_now = state.clock.at(now);
        let result = {
            let State { log, events, head_models, lanes, .. } = &mut *state;
            let at = lanes
                .iter()
                .position(|lane| lane.name == projector)
                .ok_or_else(|| ErrorBody::new("not_found", format!("there is no projector `{projector}`")))?;
            let lane = head_models.lanes_mut().into_iter().nth(at).expect("one lane per projector");
            act(lane, &mut lanes[at], log.all(), events, workshop_now)
                .map_err(|_| ErrorBody::new("not_stopped", format!("{projector} has no failed event")))?
        };
        state.pump_all(now);
        state.cache.log_grew();
        state.dirty = true;
        Ok(result)
    }

    /// Starts rebuilding a projector from position 0; [`Lab::rebuild_step`] reads on.
    pub fn start_rebuild(&self, projector: &str) -> Result<(), ErrorBody> {
        let mut state = self.state.borrow_mut();
        let (lane, lane_state) = state
            .lane(projector)
            .ok_or_else(|| ErrorBody::new("not_found", format!("there is no projector `{projector}`")))?;
        engine::start_rebuild(lane, lane_state);
        state.cache.log_grew();
        state.dirty = true;
        Ok(())
    }

    /// Reads up to `batch` more events into a rebuilding projector. Returns
    /// `(done, total)`; the rebuild is over when they are equal (`None` when no
    /// rebuild runs). Commands may append between steps: the total grows with them.
    pub fn rebuild_step(&self, projector: &str, batch: u64) -> Option<(u64, u64)> {
        let now = self.env.now();
        let mut state = self.state.borrow_mut();
        let workshop_now = state.clock.at(now);
        state.dirty = true;
        let State { log, events, head_models, lanes, cache, .. } = &mut *state;
        let at = lanes.iter().position(|lane| lane.name == projector)?;
        lanes[at].rebuild?;
        let lane = head_models.lanes_mut().into_iter().nth(at).expect("one lane per projector");
        engine::pump(lane, &mut lanes[at], log.all(), events, workshop_now, batch);
        let done = lane.checkpoint();
        let total = log.head();
        engine::finish_rebuild_if_caught_up(lane, &mut lanes[at], total);
        cache.log_grew();
        Some((done, total))
    }

    /// Every projector's checkpoint, lag, health, fault, dead letters and rebuild.
    pub fn projection_status(&self) -> ProjectionStatus {
        let now = self.env.now();
        let mut state = self.state.borrow_mut();
        let head = state.log.head();
        let clock = state.clock;
        let State { head_models, lanes, .. } = &mut *state;
        let projectors = head_models
            .lanes_mut()
            .into_iter()
            .zip(lanes.iter())
            .map(|(lane, lane_state)| ProjectorReport {
                name: lane.name(),
                subscribes_to: lane.subscribes_to(),
                position: lane.checkpoint(),
                lag: head.saturating_sub(lane.checkpoint()),
                lane: lane_state.clone(),
            })
            .collect();
        ProjectionStatus {
            head,
            clock: clock.at(now).to_rfc3339_opts(SecondsFormat::Millis, true),
            clock_speed: clock.speed,
            projectors,
        }
    }

    /// Whether the query cache answers.
    pub fn cache_enabled(&self) -> bool {
        self.state.borrow().cache.enabled
    }

    /// Turns the query cache on or off (off also empties it).
    pub fn set_cache_enabled(&self, enabled: bool) {
        let mut state = self.state.borrow_mut();
        state.cache.enabled = enabled;
        if !enabled {
            state.cache.clear();
        }
    }

    /// Gives decided events their ids and metadata.
    fn stamp(&self, envelope: &CommandEnvelope, events: Vec<Event>, now: DateTime<Utc>, user: &User) -> Vec<NewEvent> {
        let command_id = self.env.new_id();
        let metadata = EventMetadata {
            correlation_id: envelope.metadata.correlation_id.as_deref().unwrap_or(&command_id).into(),
            causation_id: envelope.metadata.causation_id.as_deref().unwrap_or(&command_id).into(),
            recorded_at: now,
            actor: envelope.metadata.actor.as_deref().unwrap_or(user.name).into(),
        };
        events
            .into_iter()
            .map(|event| NewEvent {
                event_id: self.env.new_id().into(),
                event_type: event.event_type().into(),
                schema_version: event.schema_version(),
                data: event.data(),
                metadata: metadata.clone(),
            })
            .collect()
    }

    /// Adds events this lab just appended: directly when they follow the working
    /// copy, otherwise by catching up (another tab appended in between).
    async fn take_own(&self, recorded: &[RecordedEvent]) -> Result<(), StoreError> {
        let follows = recorded.first().is_some_and(|first| first.position == self.head() + 1);
        if follows {
            let now = self.env.now();
            let mut state = self.state.borrow_mut();
            for event in recorded {
                state.integrate(event.clone())?;
            }
            state.pump_all(now);
            Ok(())
        } else {
            self.catch_up().await.map(|_| ())
        }
    }

    /// Answers a query envelope (CONTRACT §2) through the query bus: from the cache
    /// when it holds a fresh answer, otherwise from the read models, at the head or
    /// `as_of` a position.
    pub fn query(&self, envelope: &Value) -> QueryResult {
        let query = match QueryEnvelope::parse(envelope) {
            Ok(query) => query,
            Err(error) => return QueryResult::Invalid { error },
        };
        let head = self.head();
        let position = query.as_of.unwrap_or(head);
        if position > head {
            return QueryResult::Invalid {
                error: ErrorBody::new("position_out_of_range", format!("as_of {position} is past the head of the log ({head})")),
            };
        }
        let past = (position < head).then_some(position);
        // The engine's status changes with the clock, not only with the log: never cached.
        if query.query_type == "GetProjectionStatus" && past.is_none() {
            let checked = self.state.borrow().head_models.answer(&query, position);
            return match checked {
                Ok(_) => QueryResult::Ok {
                    position,
                    data: serde_json::to_value(self.projection_status()).unwrap_or(Value::Null),
                    cache: None,
                },
                Err(error) => QueryResult::Invalid { error },
            };
        }
        let key = QueryCache::key(&query, past);
        let now = self.env.now().timestamp_millis();
        if let Some(data) = self.state.borrow_mut().cache.get(&key, now) {
            return QueryResult::Ok { position, data, cache: Some(Lookup::Hit) };
        }
        let answer = match past {
            None => self.state.borrow().head_models.answer(&query, position),
            Some(position) => self.read_models_at(position).answer(&query, position),
        };
        match answer {
            Ok(data) => {
                self.state.borrow_mut().cache.put(key, data.clone(), now, past.is_some());
                QueryResult::Ok { position, data, cache: Some(Lookup::Miss) }
            }
            Err(error) => QueryResult::Invalid { error },
        }
    }

    /// Reads the live read models at the head without copying them.
    pub fn with_head_models<R>(&self, read: impl FnOnce(&ReadModels) -> R) -> R {
        read(&self.state.borrow().head_models)
    }

    /// `kiroku.events`: recorded events in position order, filtered.
    pub fn events(&self, filter: &Value) -> Result<Vec<RecordedEvent>, ErrorBody> {
        let filter: EventFilter = typed("events", filter)?;
        let state = self.state.borrow();
        let from = filter.from_position.unwrap_or(1).max(1);
        let to = filter.to_position.unwrap_or(u64::MAX);
        let in_range = |event: &&RecordedEvent| {
            filter.from_time.is_none_or(|from| event.metadata.recorded_at >= from)
                && filter.to_time.is_none_or(|to| event.metadata.recorded_at <= to)
        };
        let selected: Vec<RecordedEvent> = match &filter.stream_id {
            Some(stream_id) => state
                .log
                .stream(stream_id)
                .filter(|event| event.position >= from && event.position <= to)
                .filter(in_range)
                .cloned()
                .collect(),
            None => state.log.range(from - 1, to).iter().filter(in_range).cloned().collect(),
        };
        Ok(selected)
    }

    /// The aggregate ids of every stream of one type, in the order they were created.
    pub fn aggregate_ids(&self, stream_type: &str) -> Vec<String> {
        let state = self.state.borrow();
        let prefix = format!("{stream_type}-");
        state
            .log
            .stream_ids()
            .into_iter()
            .filter_map(|id| id.strip_prefix(&prefix).map(str::to_owned))
            .collect()
    }

    /// The event at a position (1-based).
    pub fn event_at(&self, position: u64) -> Option<RecordedEvent> {
        self.state.borrow().log.at(position).cloned()
    }

    /// The events after `after` up to and including `to`.
    pub fn events_between(&self, after: u64, to: u64) -> Vec<RecordedEvent> {
        self.state.borrow().log.range(after, to).to_vec()
    }

    /// Clears the log and every read model.
    pub async fn reset(&self) -> Result<(), StoreError> {
        let _turn = self.commands.lock().await;
        self.store.clear().await?;
        let old = self.state.borrow_mut().restart();
        self.env.release(Box::new(old));
        Ok(())
    }
}

/// The typed event of a stored one; one the domain cannot read is a storage error.
fn read_stored(recorded: &RecordedEvent) -> Result<Event, StoreError> {
    Event::decode(recorded).map_err(|error| StoreError(format!("the event at position {} cannot be read: {error}", recorded.position)))
}

impl State {
    /// Forgets the log and everything built from it; the cache keeps its settings.
    /// Answers the state it replaced, for the caller to hand to [`Environment::release`].
    #[must_use = "the replaced state is for Environment::release"]
    fn restart(&mut self) -> State {
        let mut cache = std::mem::take(&mut self.cache);
        cache.clear();
        // Faults stay injected, counting their deliveries afresh.
        let faults: Vec<Option<Fault>> =
            self.lanes.iter().map(|lane| lane.fault.clone().map(|fault| Fault { seen: 0, ..fault })).collect();
        // The snapshot policy is the teacher's choice: it stays.
        let snapshots = Snapshots::with_policy(self.snapshots.policy.clone());
        let generation = self.generation + 1;
        let old = std::mem::replace(
            self,
            State { cache, clock: self.clock, dirty: true, snapshots, snapshots_dirty: true, generation, ..State::default() },
        );
        for (lane, fault) in self.lanes.iter_mut().zip(faults) {
            lane.fault = fault;
        }
        old
    }

    fn integrate(&mut self, recorded: RecordedEvent) -> Result<(), StoreError> {
        let event = read_stored(&recorded)?;
        self.integrate_typed(recorded, event)
    }

    /// [`State::integrate`] for an event already read.
    fn integrate_typed(&mut self, recorded: RecordedEvent, event: Event) -> Result<(), StoreError> {
        self.log.push(recorded).map_err(StoreError)?;
        self.integrated(event);
        Ok(())
    }

    /// [`State::integrate_typed`] for many events at once (a load, an import): an empty
    /// working copy keeps the vectors they came in (the recorded and the typed events),
    /// and takes of each stream only its last due snapshot. A working copy that holds
    /// events takes them one by one, so that on an error the log and the typed events
    /// still hold the same events. `names`: the interner a store's read shared the
    /// events' names through, if they came from one.
    fn integrate_all(&mut self, recorded: Vec<RecordedEvent>, typed: Vec<Event>, names: Option<Interner>) -> Result<(), StoreError> {
        if !self.log.is_empty() {
            self.events.reserve_exact(typed.len());
            return recorded.into_iter().zip(typed).try_for_each(|(recorded, event)| self.integrate_typed(recorded, event));
        }
        match names {
            Some(names) => self.log.append_all_read(recorded, names),
            None => self.log.append_all(recorded),
        }
        .map_err(StoreError)?;
        for (index, event) in typed.iter().enumerate() {
            self.follow_sagas(index as u64 + 1, event);
        }
        self.events = typed;
        self.take_last_snapshots_due(1..=self.log.head());
        Ok(())
    }

    /// Keeps the typed event of the next position the log holds, and what follows
    /// from it: the open sagas, a snapshot when one is due.
    fn integrated(&mut self, event: Event) {
        let position = self.events.len() as u64 + 1;
        self.keep_typed(event);
        self.snapshot_if_due(position);
    }

    /// Keeps the typed event of the next position the log holds, and the open sagas.
    fn keep_typed(&mut self, event: Event) {
        let position = self.events.len() as u64 + 1;
        self.follow_sagas(position, &event);
        self.events.push(event);
    }

    /// Keeps the open sagas up to date with the event at `position`.
    fn follow_sagas(&mut self, position: u64, event: &Event) {
        if event.is_saga_event() {
            let stream_id = &self.log.at(position).expect("the log holds the event").stream_id;
            if event.ends_saga() {
                self.open_sagas.retain(|open| open != stream_id);
            } else if !self.open_sagas.contains(stream_id) {
                self.open_sagas.push(stream_id.clone());
            }
        }
    }

    /// Lets every running projector read up to the head (a rebuilding one reads in
    /// its own batches; a stopped one waits for its retry).
    fn pump_all(&mut self, now: DateTime<Utc>) {
        self.advance_fold();
        self.start_from_fold();
        let workshop_now = self.clock.at(now);
        let (log, events) = (self.log.all(), &self.events);
        let mut moved = false;
        for (lane, state) in self.head_models.lanes_mut().into_iter().zip(self.lanes.iter_mut()) {
            if state.rebuild.is_none() {
                moved |= engine::pump(lane, state, log, events, workshop_now, u64::MAX).read > 0;
            }
        }
        if moved {
            self.cache.log_grew();
            self.dirty = true;
        }
    }

    /// A projector that has applied nothing yet and runs without a fault would fold
    /// exactly what the time-travel fold holds: it takes a copy of it (free; the rows
    /// are shared) and goes on from there, so a log is folded once, not twice.
    fn start_from_fold(&mut self) {
        let State { fold_before, head_models, lanes, .. } = self;
        if fold_before.order_summary.checkpoint == 0 {
            return;
        }
        let fresh: Vec<bool> = head_models.lanes_mut().iter().map(|lane| lane.checkpoint() == 0).collect();
        for (place, lane_state) in lanes.iter_mut().enumerate() {
            let runs_clean = lane_state.health == Health::Running && lane_state.fault.is_none() && lane_state.rebuild.is_none();
            if fresh[place] && runs_clean {
                head_models.copy_lane_from(place, fold_before);
                let copied = head_models.lanes_mut().into_iter().nth(place).map_or(0, |lane| lane.applied());
                lane_state.applied += copied;
            }
        }
    }

    /// Brings the time-travel fold to one event before the head.
    fn advance_fold(&mut self) {
        let at = self.fold_before.order_summary.checkpoint as usize;
        let until = self.log.all().len().saturating_sub(1);
        if at >= until {
            return;
        }
        // A long stretch too (a load, an import) takes its checkpoints as it goes: the
        // checkpoints then share their rows with the read models at the head. Taken
        // afterwards by another fold, they held a copy of every row of their own, and
        // a load cost a third more memory (see README, "Performance").
        for index in at..until {
            self.fold_before.apply(&self.log.all()[index], &self.events[index]);
            self.checkpoint_if_due();
        }
    }

    /// The lane and state of a projector by name.
    fn lane(&mut self, name: &str) -> Option<(&mut dyn engine::Lane<Event>, &mut LaneState)> {
        let at = self.lanes.iter().position(|state| state.name == name)?;
        let lane = self.head_models.lanes_mut().into_iter().nth(at)?;
        Some((lane, &mut self.lanes[at]))
    }
}
