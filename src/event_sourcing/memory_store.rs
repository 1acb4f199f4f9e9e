//! The in-memory event store: the reference implementation of the store contract,
//! used by native tests and as the model the IndexedDB store must match.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};

use super::log::EventLog;
use super::recorded::{NewEvent, RecordedEvent, StreamId};
use super::store::{check_expected, place, AppendError, EventStore, ExpectedVersion, StoreError};

#[derive(Debug, Default)]
pub struct MemoryStore {
    log: RefCell<EventLog>,
    documents: RefCell<HashMap<String, String>>,
    /// Unpublished outbox messages by position.
    outbox: RefCell<BTreeMap<u64, RecordedEvent>>,
    /// Makes the next outbox append fail after its events were staged (tests).
    fail_next_outbox_write: Cell<bool>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the next [`EventStore::append_with_outbox`] fail between writing its
    /// events and its outbox messages, as a crash or a full disk would.
    pub fn fail_next_outbox_write(&self) {
        self.fail_next_outbox_write.set(true);
    }

    /// Writes `events` (and, with `outbox`, their outbox messages) as one step: a
    /// failure is found before anything changes, so it leaves neither.
    fn write(&self, stream: &StreamId, expected: ExpectedVersion, events: Vec<NewEvent>, outbox: bool) -> Result<Vec<RecordedEvent>, AppendError> {
        let mut log = self.log.borrow_mut();
        let actual = log.stream_version(&stream.id);
        check_expected(expected, actual)?;
        if outbox && self.fail_next_outbox_write.replace(false) {
            return Err(AppendError::Storage(StoreError("the outbox write failed".to_owned())));
        }
        let recorded = place(stream, actual, log.head(), events);
        for event in &recorded {
            log.push(event.clone()).map_err(StoreError)?;
        }
        if outbox {
            self.outbox.borrow_mut().extend(recorded.iter().map(|event| (event.position, event.clone())));
        }
        Ok(recorded)
    }
}

impl EventStore for MemoryStore {
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<Vec<RecordedEvent>, AppendError> {
        self.write(stream, expected, events, false)
    }

    async fn append_with_outbox(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<Vec<RecordedEvent>, AppendError> {
        self.write(stream, expected, events, true)
    }

    async fn replace_all(&self, events: &[RecordedEvent]) -> Result<(), StoreError> {
        let mut log = EventLog::new();
        for event in events {
            log.push(event.clone()).map_err(StoreError)?;
        }
        *self.log.borrow_mut() = log;
        self.outbox.borrow_mut().clear();
        self.documents.borrow_mut().clear();
        Ok(())
    }

    async fn unpublished(&self, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        Ok(self.outbox.borrow().values().take(limit).cloned().collect())
    }

    async fn mark_published(&self, event_ids: &[String]) -> Result<(), StoreError> {
        self.outbox.borrow_mut().retain(|_, event| !event_ids.iter().any(|id| event.event_id == id.as_str()));
        Ok(())
    }

    async fn read_stream(&self, stream_id: &str) -> Result<Vec<RecordedEvent>, StoreError> {
        Ok(self.log.borrow().stream(stream_id).cloned().collect())
    }

    async fn read_all(&self, after_position: u64) -> Result<Vec<RecordedEvent>, StoreError> {
        let log = self.log.borrow();
        Ok(log.range(after_position, log.head()).to_vec())
    }

    async fn head_position(&self) -> Result<u64, StoreError> {
        Ok(self.log.borrow().head())
    }

    async fn clear(&self) -> Result<(), StoreError> {
        self.log.borrow_mut().clear();
        self.documents.borrow_mut().clear();
        self.outbox.borrow_mut().clear();
        Ok(())
    }

    async fn load_document(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.documents.borrow().get(key).cloned())
    }

    async fn save_document(&self, key: &str, text: &str) -> Result<(), StoreError> {
        self.documents.borrow_mut().insert(key.to_owned(), text.to_owned());
        Ok(())
    }
}
