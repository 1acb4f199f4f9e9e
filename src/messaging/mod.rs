//! Messaging, pure: the broker port and its in-memory twin, idempotent consumers,
//! and how events leave the lab (seed 000 §04: the dual-write problem and the
//! transactional outbox). The BroadcastChannel broker is in `browser/`.

pub mod broker;
pub mod inbox;

use serde::{Deserialize, Serialize};

/// How accepted events reach the broker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMode {
    /// Append the events, then publish them: two writes, and a crash between them
    /// loses the message.
    Naive,
    /// Append the events and their outbox messages in one transaction; a polling
    /// publisher sends them later and marks them published. Nothing is lost; a crash
    /// between sending and marking sends a message twice.
    #[default]
    Outbox,
}

/// The publisher's settings, all the user's to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Delivery {
    pub mode: DeliveryMode,
    /// Crash at the dangerous moment: between append and publish (naive), or between
    /// publish and mark-published (outbox).
    pub crash_between: bool,
    /// How often the outbox is polled, in milliseconds.
    pub poll_interval_ms: u32,
    /// How many outbox messages one poll publishes at most.
    pub batch_size: u32,
}

impl Default for Delivery {
    fn default() -> Self {
        Delivery { mode: DeliveryMode::Outbox, crash_between: false, poll_interval_ms: 1000, batch_size: 10 }
    }
}
