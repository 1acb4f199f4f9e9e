//! The message broker port: publish a message, and every subscriber (every open
//! tab) receives it. The browser's is a BroadcastChannel; `MemoryBroker` is its twin
//! for native tests.

use std::cell::RefCell;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::event_sourcing::recorded::RecordedEvent;

/// A published event: its id is the message id consumers deduplicate on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub event: RecordedEvent,
    /// The tab (publisher) that sent it.
    pub sent_by: String,
    /// 1 the first time this publisher sent it, 2 when it sent it again.
    pub attempt: u32,
}

impl Message {
    pub fn id(&self) -> String {
        self.event.event_id.to_string()
    }
}

/// Where published messages go.
pub trait Broker {
    fn publish(&self, message: &Message);
}

/// A subscriber's callback.
pub type Subscriber = Rc<dyn Fn(&Message)>;

/// The in-memory broker: delivers each message to every subscriber at once.
#[derive(Default, Clone)]
pub struct MemoryBroker {
    subscribers: Rc<RefCell<Vec<Subscriber>>>,
}

impl MemoryBroker {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn subscribe(&self, subscriber: Subscriber) {
        self.subscribers.borrow_mut().push(subscriber);
    }
}

impl Broker for MemoryBroker {
    fn publish(&self, message: &Message) {
        let subscribers: Vec<Subscriber> = self.subscribers.borrow().clone();
        for subscriber in subscribers {
            subscriber(message);
        }
    }
}
