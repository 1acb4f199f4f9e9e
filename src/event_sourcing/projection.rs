//! Projections, declared the way seed 001 declares projectors: a name, the event
//! types they subscribe to, and what to do on each. A [`Projector`] wraps one with
//! its own checkpoint, so redelivering an event it has already seen changes nothing.

use serde::Serialize;

use super::recorded::RecordedEvent;

/// A read model built from events of type `E`.
pub trait Projection<E>: Default + Clone + Serialize {
    /// Stable, snake case: `order_summary`.
    const NAME: &'static str;
    /// The only event types routed to [`Projection::apply`].
    const SUBSCRIBES_TO: &'static [&'static str];

    /// Updates the read model for one subscribed event.
    fn apply(&mut self, recorded: &RecordedEvent, event: &E);
}

/// What happened to one delivered event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The projection subscribes to it and applied it.
    Applied,
    /// Not subscribed: only the checkpoint moved.
    NotSubscribed,
    /// At or before the checkpoint: a redelivery, ignored.
    AlreadySeen,
}

/// A projection with its checkpoint: the position of the last event it has seen.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Projector<P> {
    pub model: P,
    pub checkpoint: u64,
    /// How many events it applied (subscribed ones only).
    pub applied: u64,
}

impl<P> Projector<P> {
    pub fn new(model: P) -> Self {
        Projector { model, checkpoint: 0, applied: 0 }
    }

    /// Delivers one event: applied once if subscribed, ignored if already seen.
    pub fn handle<E>(&mut self, recorded: &RecordedEvent, event: &E) -> Delivery
    where
        P: Projection<E>,
    {
        let subscribed = P::SUBSCRIBES_TO.contains(&recorded.event_type.as_str());
        self.handle_routed(recorded, event, subscribed)
    }

    /// [`Projector::handle`], told whether the projection subscribes to the event: a
    /// fold over many projections looks that up once per event, not once per projection.
    pub fn handle_routed<E>(&mut self, recorded: &RecordedEvent, event: &E, subscribed: bool) -> Delivery
    where
        P: Projection<E>,
    {
        if recorded.position <= self.checkpoint {
            return Delivery::AlreadySeen;
        }
        self.checkpoint = recorded.position;
        if subscribed {
            self.model.apply(recorded, event);
            self.applied += 1;
            Delivery::Applied
        } else {
            Delivery::NotSubscribed
        }
    }
}

impl<P: Projection<E>, E> super::projection_engine::Lane<E> for Projector<P> {
    fn name(&self) -> &'static str {
        P::NAME
    }

    fn subscribes_to(&self) -> &'static [&'static str] {
        P::SUBSCRIBES_TO
    }

    fn checkpoint(&self) -> u64 {
        self.checkpoint
    }

    fn applied(&self) -> u64 {
        self.applied
    }

    fn deliver(&mut self, recorded: &RecordedEvent, event: &E) -> Delivery {
        self.handle(recorded, event)
    }

    fn deliver_routed(&mut self, recorded: &RecordedEvent, event: &E, subscribed: bool) -> Delivery {
        self.handle_routed(recorded, event, subscribed)
    }

    fn skip_to(&mut self, position: u64) {
        self.checkpoint = self.checkpoint.max(position);
    }

    fn reset(&mut self) {
        *self = Projector::new(P::default());
    }
}
