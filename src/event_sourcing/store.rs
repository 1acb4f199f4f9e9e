//! The event store contract. Reading and appending are the two capabilities; an
//! append carries the version its writer expects, and the check is part of the
//! append itself: a stale version is a [`AppendError::Conflict`] and nothing is written.
//!
//! Stores are single-threaded (the browser is), so the futures are not `Send`.
#![allow(async_fn_in_trait)]

use super::recorded::{NewEvent, RecordedEvent, StreamId};
use super::shared_str::Interner;

/// What the writer believes about the stream it appends to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// Append whatever the stream holds (no concurrency check).
    Any,
    /// The stream's current version must be exactly this; `0` means "no stream yet".
    Exact(u64),
}

#[derive(Debug, Clone, PartialEq)]
pub enum AppendError {
    /// Someone else appended first. Nothing was written.
    Conflict { expected: u64, actual: u64 },
    /// The storage itself failed. Nothing was written.
    Storage(StoreError),
}

impl From<StoreError> for AppendError {
    fn from(error: StoreError) -> Self {
        AppendError::Storage(error)
    }
}

/// The storage failed (quota, a closed database, unreadable data).
#[derive(Debug, Clone, PartialEq)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An append-only log of events, ordered globally by position and per stream by version.
pub trait EventStore {
    /// Appends `events` to `stream` atomically, if its version is `expected`.
    /// Returns the events as recorded, with their versions and positions.
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<Vec<RecordedEvent>, AppendError>;

    /// Every event of one stream, in version order.
    async fn read_stream(&self, stream_id: &str) -> Result<Vec<RecordedEvent>, StoreError>;

    /// Every event after `after_position`, in position order (`0` reads the whole log).
    async fn read_all(&self, after_position: u64) -> Result<Vec<RecordedEvent>, StoreError>;

    /// [`EventStore::read_all`], with each event's names (stream id and type, event
    /// type, actor) shared through `names`: an empty log then keeps that interner
    /// as its own instead of sharing the names again ([`EventLog::append_all_read`]).
    ///
    /// [`EventLog::append_all_read`]: super::log::EventLog::append_all_read
    async fn read_all_sharing(&self, after_position: u64, names: &mut Interner) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut events = self.read_all(after_position).await?;
        for event in &mut events {
            event.share_names(names);
        }
        Ok(events)
    }

    /// The position of the last event, `0` for an empty log.
    async fn head_position(&self) -> Result<u64, StoreError>;

    /// Removes every event and every document.
    async fn clear(&self) -> Result<(), StoreError>;

    /// Appends like [`EventStore::append`] and, in the same atomic step, puts each
    /// event in the transactional outbox (seed 000 §04): either both are written or
    /// neither is.
    async fn append_with_outbox(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<Vec<RecordedEvent>, AppendError>;

    /// The outbox's messages not yet marked published, oldest first, at most `limit`.
    async fn unpublished(&self, limit: usize) -> Result<Vec<RecordedEvent>, StoreError>;

    /// Takes published messages out of the outbox (by event id); unknown ids are ignored.
    async fn mark_published(&self, event_ids: &[String]) -> Result<(), StoreError>;

    /// Replaces everything (events, outbox, documents) with `events`, which must
    /// already be a valid log: positions 1, 2, 3… and per-stream versions without
    /// gaps. One atomic step: on failure the old log stays.
    async fn replace_all(&self, events: &[RecordedEvent]) -> Result<(), StoreError>;

    /// A small named document kept beside the log (the projection engine's state),
    /// `None` if none was saved.
    async fn load_document(&self, key: &str) -> Result<Option<String>, StoreError>;

    /// Saves a document under `key`, replacing what was there.
    async fn save_document(&self, key: &str, text: &str) -> Result<(), StoreError>;
}

/// The concurrency check every store makes, inside its own atomic step.
pub fn check_expected(expected: ExpectedVersion, actual: u64) -> Result<(), AppendError> {
    match expected {
        ExpectedVersion::Exact(version) if version != actual => {
            Err(AppendError::Conflict { expected: version, actual })
        }
        _ => Ok(()),
    }
}

/// Gives `events` their versions and positions after the given heads.
pub fn place(
    stream: &StreamId,
    stream_version: u64,
    head_position: u64,
    events: Vec<NewEvent>,
) -> Vec<RecordedEvent> {
    events
        .into_iter()
        .zip(1u64..)
        .map(|(event, offset)| event.record(stream, stream_version + offset, head_position + offset))
        .collect()
}
