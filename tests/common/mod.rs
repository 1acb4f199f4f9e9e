//! Helpers shared by the native test files: a deterministic environment, a store
//! handle that several labs (or several "opens") can share, and JSON shortcuts.
#![allow(dead_code)]

use std::cell::Cell;
use std::rc::Rc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use futures::executor::block_on;
use serde_json::Value;

use kiroku::event_sourcing::memory_store::MemoryStore;
use kiroku::event_sourcing::recorded::{NewEvent, RecordedEvent, StreamId};
use kiroku::event_sourcing::store::{AppendError, EventStore, ExpectedVersion, StoreError};
use kiroku::lab::{Environment, Lab};

/// The time the test environment starts at: 2026-11-22T10:00:00Z.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap()
}

/// Ids `id-1`, `id-2`, … and a clock that starts at [`start_time`] and moves on
/// one second at every `now()`.
pub struct TestEnv {
    prefix: String,
    ids: Cell<u64>,
    ticks: Cell<i64>,
}

impl TestEnv {
    pub fn new() -> Self {
        Self::with_prefix("id-")
    }

    /// A second environment whose ids do not collide with the first (`b-1`, `b-2`, …).
    pub fn with_prefix(prefix: &str) -> Self {
        TestEnv { prefix: prefix.to_owned(), ids: Cell::new(0), ticks: Cell::new(0) }
    }
}

impl Environment for TestEnv {
    fn now(&self) -> DateTime<Utc> {
        let tick = self.ticks.get();
        self.ticks.set(tick + 1);
        start_time() + Duration::seconds(tick)
    }

    fn new_id(&self) -> String {
        let next = self.ids.get() + 1;
        self.ids.set(next);
        format!("{}{next}", self.prefix)
    }
}

/// A handle on a shared in-memory store: every clone (every "open") sees the same log.
#[derive(Clone, Default)]
pub struct Shared(pub Rc<MemoryStore>);

impl EventStore for Shared {
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<Vec<RecordedEvent>, AppendError> {
        self.0.append(stream, expected, events).await
    }

    async fn read_stream(&self, stream_id: &str) -> Result<Vec<RecordedEvent>, StoreError> {
        self.0.read_stream(stream_id).await
    }

    async fn read_all(&self, after_position: u64) -> Result<Vec<RecordedEvent>, StoreError> {
        self.0.read_all(after_position).await
    }

    async fn head_position(&self) -> Result<u64, StoreError> {
        self.0.head_position().await
    }

    async fn clear(&self) -> Result<(), StoreError> {
        self.0.clear().await
    }

    async fn load_document(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.0.load_document(key).await
    }

    async fn append_with_outbox(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<Vec<RecordedEvent>, AppendError> {
        self.0.append_with_outbox(stream, expected, events).await
    }

    async fn unpublished(&self, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.0.unpublished(limit).await
    }

    async fn mark_published(&self, event_ids: &[String]) -> Result<(), StoreError> {
        self.0.mark_published(event_ids).await
    }

    async fn replace_all(&self, events: &[RecordedEvent]) -> Result<(), StoreError> {
        self.0.replace_all(events).await
    }

    async fn save_document(&self, key: &str, text: &str) -> Result<(), StoreError> {
        self.0.save_document(key, text).await
    }
}

/// A lab on a fresh in-memory store with the deterministic environment.
pub fn new_lab() -> Lab<MemoryStore> {
    Lab::new(MemoryStore::new(), Box::new(TestEnv::new()))
}

/// Sends a command envelope and returns the result as JSON.
pub fn send<S: EventStore>(lab: &Lab<S>, envelope: Value) -> Value {
    serde_json::to_value(block_on(lab.send(&envelope))).expect("a command result serializes")
}

/// Sends a command that must be accepted; returns the result as JSON.
#[track_caller]
pub fn accept<S: EventStore>(lab: &Lab<S>, envelope: Value) -> Value {
    let result = send(lab, envelope.clone());
    assert_eq!(result["status"], "accepted", "{envelope} was not accepted: {result}");
    result
}

/// Answers a query envelope and returns the result as JSON.
pub fn query<S: EventStore>(lab: &Lab<S>, envelope: Value) -> Value {
    serde_json::to_value(lab.query(&envelope)).expect("a query result serializes")
}

/// A command envelope without expected_version or metadata.
pub fn command(command_type: &str, aggregate_id: &str, data: Value) -> Value {
    serde_json::json!({ "command_type": command_type, "aggregate_id": aggregate_id, "data": data })
}

/// A hand on the clock of a [`ClockedEnv`]: moves its time forward without
/// waiting for `now()` calls. Clones move the same clock.
#[derive(Clone, Default)]
pub struct ClockHand(Rc<Cell<i64>>);

impl ClockHand {
    /// Moves the clock forward by `by` (on top of the second each `now()` adds).
    pub fn advance(&self, by: Duration) {
        self.0.set(self.0.get() + by.num_milliseconds());
    }
}

/// A [`TestEnv`] (same ids, same one-second tick per `now()`) whose clock a test can
/// also move forward through the [`ClockHand`] it was made with.
pub struct ClockedEnv {
    inner: TestEnv,
    offset: ClockHand,
}

impl ClockedEnv {
    pub fn new() -> (Self, ClockHand) {
        let hand = ClockHand::default();
        (ClockedEnv { inner: TestEnv::new(), offset: hand.clone() }, hand)
    }
}

impl Environment for ClockedEnv {
    fn now(&self) -> DateTime<Utc> {
        self.inner.now() + Duration::milliseconds(self.offset.0.get())
    }

    fn new_id(&self) -> String {
        self.inner.new_id()
    }
}

/// A lab on a fresh in-memory store whose clock the test can move forward.
pub fn new_lab_with_clock() -> (Lab<MemoryStore>, ClockHand) {
    let (env, hand) = ClockedEnv::new();
    (Lab::new(MemoryStore::new(), Box::new(env)), hand)
}

/// A clock that stands still: it moves only when its [`ClockHand`] moves it (no
/// second per `now()`), with [`TestEnv`]'s ids. For schedules checked to the millisecond.
pub struct StillEnv {
    ids: TestEnv,
    hand: ClockHand,
}

impl StillEnv {
    pub fn new() -> (Self, ClockHand) {
        let hand = ClockHand::default();
        (StillEnv { ids: TestEnv::new(), hand: hand.clone() }, hand)
    }
}

impl Environment for StillEnv {
    fn now(&self) -> DateTime<Utc> {
        start_time() + Duration::milliseconds(self.hand.0.get())
    }

    fn new_id(&self) -> String {
        self.ids.new_id()
    }
}

/// A lab on a fresh in-memory store whose clock stands at [`start_time`] until the
/// test moves it.
pub fn new_lab_with_still_clock() -> (Lab<MemoryStore>, ClockHand) {
    let (env, hand) = StillEnv::new();
    (Lab::new(MemoryStore::new(), Box::new(env)), hand)
}

/// The whole log of a lab, each event beside its typed form.
pub fn log_of<S: EventStore>(lab: &Lab<S>) -> Vec<(RecordedEvent, kiroku::domain::Event)> {
    typed(lab.events(&serde_json::json!({})).expect("the whole log"))
}

/// Each event beside its typed form.
pub fn typed(events: impl IntoIterator<Item = RecordedEvent>) -> Vec<(RecordedEvent, kiroku::domain::Event)> {
    events
        .into_iter()
        .map(|recorded| {
            let event = kiroku::domain::Event::decode(&recorded).expect("every recorded event decodes");
            (recorded, event)
        })
        .collect()
}

/// Every read model folded afresh from the first `position` events of `log`.
pub fn fresh_fold(log: &[(RecordedEvent, kiroku::domain::Event)], position: u64) -> kiroku::read_models::ReadModels {
    let mut models = kiroku::read_models::ReadModels::default();
    for (recorded, event) in log.iter().take(position as usize) {
        models.apply(recorded, event);
    }
    models
}

pub fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("serializes")
}

/// Every event reads back from its recorded `data` alone, and its data is a JSON object.
#[track_caller]
pub fn assert_reads_back_from_data<E>(events: Vec<E>)
where
    E: kiroku::event_sourcing::aggregate::DomainEvent + PartialEq + std::fmt::Debug,
{
    for event in events {
        let data = event.to_data();
        assert!(data.to_value().is_object(), "{} data is a JSON object: {data:?}", event.event_type());
        let back = E::from_recorded(event.event_type(), event.schema_version(), &data)
            .unwrap_or_else(|error| panic!("{} does not read back: {error}", event.event_type()));
        assert_eq!(back, event);
    }
}

/// Every event, recorded on `stream`, decodes back as the lab's `Event` (`wrap` of it).
#[track_caller]
pub fn assert_decodes_when_recorded<E>(events: Vec<E>, stream: &StreamId, wrap: impl Fn(E) -> kiroku::domain::Event)
where
    E: kiroku::event_sourcing::aggregate::DomainEvent,
{
    for (event, position) in events.into_iter().zip(1u64..) {
        let recorded = record_on(&event, stream, position);
        assert_eq!(recorded.stream_id, stream.id);
        assert_eq!(kiroku::domain::Event::decode(&recorded), Ok(wrap(event)));
    }
}

/// A typed event as recorded at `position` (and stream version `position`) of `stream`.
pub fn record_on<E: kiroku::event_sourcing::aggregate::DomainEvent>(event: &E, stream: &StreamId, position: u64) -> RecordedEvent {
    NewEvent {
        event_id: format!("e{position}").into(),
        event_type: event.event_type().into(),
        schema_version: event.schema_version(),
        data: event.to_data(),
        metadata: kiroku::event_sourcing::recorded::EventMetadata {
            correlation_id: "c".into(),
            causation_id: "c".into(),
            recorded_at: chrono::DateTime::UNIX_EPOCH,
            actor: "workshop-user".into(),
        },
    }
    .record(stream, position, position)
}
