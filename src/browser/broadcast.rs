//! The message broker between tabs: a BroadcastChannel. Every open tab of the app
//! (on the same database) subscribes; a tab's own messages reach its own consumer too.
//! Beside it, [`LogChanges`]: the tabs telling each other that the log changed.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::{BroadcastChannel, MessageEvent};

use crate::messaging::broker::{Broker, Message};

pub struct BroadcastBroker {
    channel: BroadcastChannel,
    /// This tab's own subscriber (a BroadcastChannel does not echo to its sender).
    local: Rc<dyn Fn(&Message)>,
}

impl BroadcastBroker {
    /// Joins the channel of `database`; `deliver` receives every message, from any tab.
    pub fn connect(database: &str, deliver: Rc<dyn Fn(&Message)>) -> Result<BroadcastBroker, JsValue> {
        let channel = BroadcastChannel::new(&format!("kiroku-broker-{database}"))?;
        let from_others = deliver.clone();
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            // Anything that does not read as a message (another version of the app) is ignored.
            if let Some(message) = event.data().as_string().and_then(|text| serde_json::from_str::<Message>(&text).ok()) {
                from_others(&message);
            }
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget(); // lives as long as the page
        Ok(BroadcastBroker { channel, local: deliver })
    }
}

impl Broker for BroadcastBroker {
    fn publish(&self, message: &Message) {
        if let Ok(text) = serde_json::to_string(message) {
            let _ = self.channel.post_message(&JsValue::from_str(&text));
        }
        (self.local)(message);
    }
}

/// Tells the other tabs on the same database that the log changed, and hears when
/// they say so: a tab then catches up at once, not on its next focus or command.
/// Not the broker above, whose deliveries the messaging lab drops or repeats on
/// purpose. One channel object both says and hears, so a tab never hears itself.
pub struct LogChanges {
    /// A change is waiting to be told, in a task after the one that made it.
    pending: Rc<Cell<bool>>,
    /// Tells it (and lets the next change wait again).
    tell: Closure<dyn Fn()>,
}

impl LogChanges {
    /// Joins the log's channel of `database`; `heard` runs when another tab changed the log.
    pub fn connect(database: &str, heard: Rc<dyn Fn()>) -> Result<LogChanges, JsValue> {
        let channel = BroadcastChannel::new(&format!("kiroku-log-{database}"))?;
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |_: MessageEvent| heard());
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget(); // lives as long as the page
        let pending = Rc::new(Cell::new(false));
        let waiting = pending.clone();
        let tell = Closure::<dyn Fn()>::new(move || {
            waiting.set(false);
            let _ = channel.post_message(&JsValue::from_str("log changed"));
        });
        Ok(LogChanges { pending, tell })
    }

    /// Tells the other tabs that the log changed (what changed, they read from the
    /// store), in a later task: a command answers first (posting costs ~0.1–0.2 ms
    /// here), and the changes of a burst are told once.
    pub fn announce(&self) {
        if self.pending.replace(true) {
            return;
        }
        let told = web_sys::window()
            .and_then(|window| window.set_timeout_with_callback(self.tell.as_ref().unchecked_ref()).ok())
            .is_some();
        if !told {
            self.pending.set(false);
        }
    }
}
