//! The in-memory event store: the reference implementation of the store contract,
//! used by native tests and as the model the IndexedDB store must match.

use std::cell::RefCell;
use std::collections::HashMap;

use super::log::EventLog;
use super::recorded::{NewEvent, RecordedEvent, StreamId};
use super::store::{check_expected, place, AppendError, EventStore, ExpectedVersion, StoreError};

#[derive(Debug, Default)]
pub struct MemoryStore {
    log: RefCell<EventLog>,
    documents: RefCell<HashMap<String, String>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl EventStore for MemoryStore {
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<Vec<RecordedEvent>, AppendError> {
        let mut log = self.log.borrow_mut();
        let actual = log.stream_version(&stream.id);
        check_expected(expected, actual)?;
        let recorded = place(stream, actual, log.head(), events);
        for event in &recorded {
            log.push(event.clone()).map_err(StoreError)?;
        }
        Ok(recorded)
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
