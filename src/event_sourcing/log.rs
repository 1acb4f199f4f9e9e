//! An in-memory log with an index per stream: the working copy of the event log
//! that the lab folds, scrubs and queries, and the body of the in-memory store.

use std::collections::HashMap;

use rustc_hash::FxBuildHasher;

use super::recorded::{begins_with_its_type, RecordedEvent, StreamNumber};
use super::shared_str::{Interner, SharedStr};

/// Checks that `event` comes right after position `head` and right after version
/// `stream_version` of its stream.
fn follows_on(event: &RecordedEvent, head: u64, stream_version: u64) -> Result<(), String> {
    if event.position != head + 1 {
        return Err(format!("event {} is at position {}, the log expects {}", event.event_id, event.position, head + 1));
    }
    if event.stream_version != stream_version + 1 {
        return Err(format!(
            "event {} is version {} of {}, the stream expects {}",
            event.event_id,
            event.stream_version,
            event.stream_id,
            stream_version + 1
        ));
    }
    Ok(())
}

/// Checks a sequence of events the way [`EventLog::push`] does, without keeping them.
#[derive(Debug, Default)]
pub struct SequenceCheck<'a> {
    head: u64,
    versions: HashMap<&'a str, u64, FxBuildHasher>,
}

impl<'a> SequenceCheck<'a> {
    pub fn next(&mut self, event: &'a RecordedEvent) -> Result<(), String> {
        let version = self.versions.entry(event.stream_id.as_str()).or_default();
        follows_on(event, self.head, *version)?;
        *version += 1;
        self.head += 1;
        Ok(())
    }
}

/// One stream of an [`EventLog`].
#[derive(Debug, Clone)]
struct Stream {
    /// Its [`StreamNumber`], given to each of its events as the log takes it.
    number: StreamNumber,
    /// Indexes into the log's events, in version order.
    events: Vec<usize>,
}

/// Events in position order, `events[i].position == i + 1`.
#[derive(Debug, Default, Clone)]
pub struct EventLog {
    events: Vec<RecordedEvent>,
    /// Stream id → the stream's number and its events.
    streams: HashMap<SharedStr, Stream, FxBuildHasher>,
    /// Stream type → how many streams of that type the log holds.
    streams_of_type: HashMap<SharedStr, u32, FxBuildHasher>,
    /// The one copy of each stream id, stream type, event type and actor that the
    /// events point to.
    names: Interner,
}

impl EventLog {
    pub fn new() -> Self {
        Self::default()
    }

    /// The position of the last event, `0` when empty.
    pub fn head(&self) -> u64 {
        self.events.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Adds the next event. Positions and stream versions must follow on without gaps.
    pub fn push(&mut self, mut event: RecordedEvent) -> Result<(), String> {
        share_texts(&mut self.names, self.events.last(), &mut event);
        self.index(&mut event, self.events.len())?;
        self.events.push(event);
        Ok(())
    }

    /// Adds events in order, as [`EventLog::push`] does. An empty log keeps the
    /// vector it is given, without a copy: a load or an import of 100k events does not
    /// hold them twice on the way (12 MB each time in the browser).
    pub fn append_all(&mut self, events: Vec<RecordedEvent>) -> Result<(), String> {
        if !self.events.is_empty() {
            return self.push_all(events);
        }
        self.take_all(events, true)
    }

    /// [`EventLog::append_all`] for events a store read with their names shared
    /// through `names` ([`EventStore::read_all_sharing`]): an empty log keeps that
    /// interner as its own instead of looking up each name of each event again (a
    /// load of 100,000 events: 21 → 9 ms in the browser). Their correlation and
    /// causation ids stay as the store shared them.
    ///
    /// [`EventStore::read_all_sharing`]: super::store::EventStore::read_all_sharing
    pub fn append_all_read(&mut self, events: Vec<RecordedEvent>, names: Interner) -> Result<(), String> {
        if !self.events.is_empty() {
            return self.push_all(events);
        }
        self.names = names;
        self.take_all(events, false)
    }

    fn push_all(&mut self, events: Vec<RecordedEvent>) -> Result<(), String> {
        self.events.reserve_exact(events.len());
        events.into_iter().try_for_each(|event| self.push(event))
    }

    /// Takes `events` as an empty log's own, sharing their texts first if `share`.
    fn take_all(&mut self, mut events: Vec<RecordedEvent>, share: bool) -> Result<(), String> {
        for at in 0..events.len() {
            let (before, rest) = events.split_at_mut(at);
            if share {
                share_texts(&mut self.names, before.last(), &mut rest[0]);
            }
            if let Err(error) = self.index(&mut rest[0], at) {
                self.clear();
                return Err(error);
            }
        }
        events.shrink_to_fit();
        self.events = events;
        Ok(())
    }

    /// Indexes the event about to take place `at` in its stream, if it follows on,
    /// and gives it its stream's number when its stream id is its type, a dash and an
    /// id (checked on each event: an import checks it too, but an event of another
    /// type may name the same stream).
    fn index(&mut self, event: &mut RecordedEvent, at: usize) -> Result<(), String> {
        // One lookup, and the stream id is copied only for a new stream.
        let number = match self.streams.get_mut(event.stream_id.as_str()) {
            Some(stream) => {
                follows_on(event, at as u64, stream.events.len() as u64)?;
                stream.events.push(at);
                stream.number
            }
            None => {
                follows_on(event, at as u64, 0)?;
                let of_type = self.streams_of_type.entry(event.stream_type.clone()).or_default();
                let number = StreamNumber::nth(*of_type);
                *of_type += 1;
                self.streams.insert(event.stream_id.clone(), Stream { number, events: vec![at] });
                number
            }
        };
        event.stream_number = begins_with_its_type(&event.stream_type, &event.stream_id).then_some(number);
        Ok(())
    }

    /// The current version of a stream, `0` when it does not exist.
    pub fn stream_version(&self, stream_id: &str) -> u64 {
        self.streams.get(stream_id).map_or(0, |stream| stream.events.len() as u64)
    }

    /// The events of one stream up to and including `to_position`, in version order.
    pub fn stream_until<'a>(
        &'a self,
        stream_id: &str,
        to_position: u64,
    ) -> impl Iterator<Item = &'a RecordedEvent> + 'a {
        self.streams
            .get(stream_id)
            .into_iter()
            .flat_map(|stream| &stream.events)
            .map(move |&index| &self.events[index])
            .take_while(move |event| event.position <= to_position)
    }

    /// The events of one stream after version `after_version`, up to and including
    /// `to_position`, in version order: the tail after a snapshot.
    pub fn stream_after<'a>(
        &'a self,
        stream_id: &str,
        after_version: u64,
        to_position: u64,
    ) -> impl Iterator<Item = &'a RecordedEvent> + 'a {
        let indexes = self.streams.get(stream_id).map_or(&[][..], |stream| stream.events.as_slice());
        indexes[(after_version as usize).min(indexes.len())..]
            .iter()
            .map(move |&index| &self.events[index])
            .take_while(move |event| event.position <= to_position)
    }

    /// The events of one stream, in version order.
    pub fn stream<'a>(&'a self, stream_id: &str) -> impl Iterator<Item = &'a RecordedEvent> + 'a {
        self.stream_until(stream_id, u64::MAX)
    }

    /// All events, in position order.
    pub fn all(&self) -> &[RecordedEvent] {
        &self.events
    }

    /// The events after `after` up to and including `to`, in position order.
    pub fn range(&self, after: u64, to: u64) -> &[RecordedEvent] {
        let start = (after as usize).min(self.events.len());
        let end = (to as usize).clamp(start, self.events.len());
        &self.events[start..end]
    }

    /// The event at a position (1-based).
    pub fn at(&self, position: u64) -> Option<&RecordedEvent> {
        position.checked_sub(1).and_then(|index| self.events.get(index as usize))
    }

    /// The ids of every stream, in the order they first appeared.
    pub fn stream_ids(&self) -> Vec<&str> {
        let mut ids: Vec<(&usize, &str)> = self
            .streams
            .iter()
            .map(|(id, stream)| (&stream.events[0], id.as_str()))
            .collect();
        ids.sort();
        ids.into_iter().map(|(_, id)| id).collect()
    }

    pub fn clear(&mut self) {
        self.events.clear();
        self.streams.clear();
        self.streams_of_type.clear();
        self.names.clear();
    }
}

/// Points the event's repeated texts at the copies the log keeps. A command's events
/// share one correlation id and one causation id, which is often the correlation id
/// too: those are shared with the event before.
fn share_texts(names: &mut Interner, before: Option<&RecordedEvent>, event: &mut RecordedEvent) {
    event.share_names(names);
    let metadata = &mut event.metadata;
    if let Some(before) = before.map(|before| &before.metadata) {
        if metadata.correlation_id == before.correlation_id {
            metadata.correlation_id = before.correlation_id.clone();
        }
        if metadata.causation_id == before.causation_id {
            metadata.causation_id = before.causation_id.clone();
        }
    }
    if metadata.causation_id == metadata.correlation_id {
        metadata.causation_id = metadata.correlation_id.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event_sourcing::json_text::JsonText;
    use crate::event_sourcing::recorded::{EventMetadata, NewEvent, StreamId};

    fn event(id: &str, correlation_id: &str, causation_id: &str) -> NewEvent {
        NewEvent {
            event_id: id.into(),
            event_type: "ItemAdded".into(),
            schema_version: 1,
            data: JsonText::empty(),
            metadata: EventMetadata {
                correlation_id: correlation_id.into(),
                causation_id: causation_id.into(),
                recorded_at: chrono::DateTime::UNIX_EPOCH,
                actor: "clerk-sato".into(),
            },
        }
    }

    #[test]
    fn the_log_keeps_one_copy_of_each_repeated_text() {
        let mut log = EventLog::new();
        let (first, second) = (StreamId::new("Order", "o-1"), StreamId::new("Order", "o-2"));
        log.push(event("e1", "cmd-1", "cmd-1").record(&first, 1, 1)).unwrap();
        log.push(event("e2", "cmd-1", "cmd-1").record(&first, 2, 2)).unwrap();
        log.push(event("e3", "cmd-2", "e2").record(&second, 1, 3)).unwrap();
        let [one, two, three] = log.all() else { panic!("three events") };
        assert!(one.stream_id.is_same_copy(&two.stream_id));
        assert!(one.stream_type.is_same_copy(&three.stream_type));
        assert!(one.event_type.is_same_copy(&three.event_type));
        assert!(one.metadata.actor.is_same_copy(&three.metadata.actor));
        assert!(one.metadata.causation_id.is_same_copy(&one.metadata.correlation_id), "a command's own id, once");
        assert!(one.metadata.correlation_id.is_same_copy(&two.metadata.correlation_id), "one command, one copy");
        assert_eq!((three.stream_id.as_str(), three.metadata.causation_id.as_str()), ("Order-o-2", "e2"));
        assert_eq!(log.stream_ids(), ["Order-o-1", "Order-o-2"]);
    }

    #[test]
    fn appending_all_at_once_equals_pushing_each_and_a_gap_leaves_an_empty_log_empty() {
        let (first, second) = (StreamId::new("Order", "o-1"), StreamId::new("Order", "o-2"));
        let events = vec![
            event("e1", "cmd-1", "cmd-1").record(&first, 1, 1),
            event("e2", "cmd-2", "cmd-2").record(&second, 1, 2),
            event("e3", "cmd-2", "cmd-2").record(&first, 2, 3),
        ];
        let mut pushed = EventLog::new();
        events.iter().cloned().try_for_each(|event| pushed.push(event)).unwrap();
        let (mut at_once, mut in_two) = (EventLog::new(), EventLog::new());
        at_once.append_all(events.clone()).unwrap();
        in_two.append_all(events[..1].to_vec()).unwrap();
        in_two.append_all(events[1..].to_vec()).unwrap();
        for log in [&at_once, &in_two] {
            assert_eq!(log.all(), pushed.all());
            assert_eq!(log.stream("Order-o-1").map(|event| event.position).collect::<Vec<_>>(), [1, 3]);
            assert_eq!((log.stream_version("Order-o-2"), log.stream_ids()), (1, vec!["Order-o-1", "Order-o-2"]));
        }
        let [_, two, three] = at_once.all() else { panic!("three events") };
        assert!(two.stream_type.is_same_copy(&three.stream_type) && two.metadata.correlation_id.is_same_copy(&three.metadata.correlation_id));
        let mut gap = EventLog::new();
        assert!(gap.append_all(vec![events[0].clone(), events[2].clone()]).is_err(), "position 3 right after 1");
        assert!(gap.is_empty() && gap.stream_ids().is_empty());
    }

    #[test]
    fn an_empty_log_keeps_the_interner_a_read_shared_its_events_names_through() {
        let (first, second) = (StreamId::new("Order", "o-1"), StreamId::new("Order", "o-2"));
        let read = vec![event("e1", "cmd-1", "cmd-1").record(&first, 1, 1), event("e2", "cmd-2", "cmd-2").record(&second, 1, 2)];
        let mut names = Interner::default();
        let read: Vec<RecordedEvent> = read
            .into_iter()
            .map(|mut event| {
                event.share_names(&mut names);
                event
            })
            .collect();
        let mut pushed = EventLog::new();
        read.iter().cloned().try_for_each(|event| pushed.push(event)).unwrap();
        let mut log = EventLog::new();
        log.append_all_read(read.clone(), names).unwrap();
        assert_eq!(log.all(), pushed.all());
        assert_eq!(log.stream("Order-o-2").map(|event| event.position).collect::<Vec<_>>(), [2]);
        // The next event, with copies of its own, shares the read's copies.
        log.push(event("e3", "cmd-3", "cmd-3").record(&first, 2, 3)).unwrap();
        let [one, _, three] = log.all() else { panic!("three events") };
        assert!(three.stream_id.is_same_copy(&one.stream_id) && three.event_type.is_same_copy(&read[1].event_type));
        assert!(three.metadata.actor.is_same_copy(&one.metadata.actor));
        // A log that holds events shares a read's events one by one.
        let later = event("e4", "cmd-4", "cmd-4").record(&second, 2, 4);
        log.append_all_read(vec![later], Interner::default()).unwrap();
        assert!(log.all()[3].stream_id.is_same_copy(&read[1].stream_id));
    }

    impl RecordedEvent {
        fn renumbered(mut self, position: u64) -> Self {
            self.position = position;
            self.stream_number = Some(StreamNumber::nth(7));
            self
        }
    }

    #[test]
    fn each_stream_is_numbered_among_the_streams_of_its_type_in_the_order_they_began() {
        let (o1, o2, a1) = (StreamId::new("Order", "o-1"), StreamId::new("Order", "o-2"), StreamId::new("Account", "a-1"));
        let events = vec![
            event("e1", "c", "c").record(&o1, 1, 1),
            event("e2", "c", "c").record(&a1, 1, 2),
            event("e3", "c", "c").record(&o2, 1, 3),
            event("e4", "c", "c").record(&o1, 2, 4),
        ];
        let numbers = |log: &EventLog| log.all().iter().map(|event| event.stream_number.map(StreamNumber::index)).collect::<Vec<_>>();
        let (mut pushed, mut at_once) = (EventLog::new(), EventLog::new());
        events.iter().cloned().try_for_each(|event| pushed.push(event)).unwrap();
        at_once.append_all(events.clone()).unwrap();
        assert_eq!(numbers(&pushed), [Some(0), Some(0), Some(1), Some(0)]);
        assert_eq!(numbers(&at_once), numbers(&pushed));
        assert_eq!(pushed.all(), events.as_slice(), "the number is the log's, not part of the event");
        pushed.clear();
        pushed.push(events[2].clone().renumbered(1)).unwrap();
        assert_eq!(numbers(&pushed), [Some(0)], "a cleared log numbers afresh, whatever number an event came with");
    }

    #[test]
    fn an_event_whose_stream_id_is_not_its_type_a_dash_and_an_id_is_not_numbered_and_its_id_is_the_stream_id() {
        let o1 = StreamId::new("Order", "o-1");
        let mut of_another_type = event("e2", "c", "c").record(&o1, 2, 2);
        of_another_type.stream_type = "Ordex".into();
        let mut log = EventLog::new();
        log.push(event("e1", "c", "c").record(&o1, 1, 1)).unwrap();
        log.push(of_another_type).unwrap();
        let [numbered, unnumbered] = log.all() else { panic!("two events") };
        assert_eq!((numbered.stream_number.map(StreamNumber::index), numbered.aggregate_id()), (Some(0), "o-1"));
        assert_eq!((unnumbered.stream_number, unnumbered.aggregate_id()), (None, "Order-o-1"));
    }
}
