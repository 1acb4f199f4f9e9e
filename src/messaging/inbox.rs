//! An idempotent consumer: it remembers the ids of the messages it processed, so a
//! message delivered twice (at-least-once delivery) is processed once.

use std::collections::{HashSet, VecDeque};

use serde::Serialize;

use super::broker::Message;

/// How many received messages the inbox lists.
pub const RECENT: usize = 50;

/// One message as the inbox saw it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Received {
    pub message_id: String,
    pub event_type: String,
    pub position: u64,
    pub sent_by: String,
    pub attempt: u32,
    /// Already processed: dropped.
    pub duplicate: bool,
}

/// What a tab's consumer counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct InboxStats {
    /// Messages processed for the first time.
    pub delivered: u64,
    /// Messages received again and dropped.
    pub deduplicated: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Inbox {
    processed: HashSet<String>,
    stats: InboxStats,
    recent: VecDeque<Received>,
}

impl Inbox {
    /// Takes a message; `true` if it was new (processed), `false` for a duplicate.
    pub fn receive(&mut self, message: &Message) -> bool {
        let id = message.id();
        let new = self.processed.insert(id.clone());
        if new {
            self.stats.delivered += 1;
        } else {
            self.stats.deduplicated += 1;
        }
        self.recent.push_front(Received {
            message_id: id,
            event_type: message.event.event_type.to_string(),
            position: message.event.position,
            sent_by: message.sent_by.clone(),
            attempt: message.attempt,
            duplicate: !new,
        });
        self.recent.truncate(RECENT);
        new
    }

    pub fn stats(&self) -> InboxStats {
        self.stats
    }

    /// The latest messages, newest first.
    pub fn recent(&self) -> Vec<Received> {
        self.recent.iter().cloned().collect()
    }

    pub fn has_processed(&self, message_id: &str) -> bool {
        self.processed.contains(message_id)
    }
}
