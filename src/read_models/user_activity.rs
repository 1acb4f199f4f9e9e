//! UserActivity (seed 004 "user activity timeline"): per actor named in the events'
//! metadata, everything they caused, in order.

use serde::Serialize;
use serde_json::json;

use crate::read_models::Timestamp;
use crate::domain::Event;
use crate::event_sourcing::projection::Projection;
use crate::event_sourcing::recorded::RecordedEvent;
use crate::event_sourcing::shared_str::SharedStr;

use super::rows::{List, Rows};
use super::table::{NumberColumns, Numbers, Table, TableRow, TableWindow};
use super::{timestamp, ALL_EVENT_TYPES};

/// One thing an actor did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activity {
    pub position: u64,
    pub recorded_at: Timestamp,
    /// One of the domain's event types: a name shared by every activity, not a copy.
    pub event_type: &'static str,
    /// The log's copy of the stream id, shared.
    pub stream_id: SharedStr,
}

/// One actor's timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActorActivity {
    pub actor: String,
    /// Oldest first.
    pub activity: List<Activity>,
}

/// Timelines per actor, actors in the order they first acted.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UserActivity {
    pub actors: Rows<ActorActivity>,
}

impl Projection<Event> for UserActivity {
    const NAME: &'static str = "user_activity";
    const SUBSCRIBES_TO: &'static [&'static str] = ALL_EVENT_TYPES;

    fn apply(&mut self, recorded: &RecordedEvent, event: &Event) {
        let actor = recorded.metadata.actor.as_str();
        let activity = Activity {
            position: recorded.position,
            recorded_at: timestamp(recorded),
            event_type: event.event_type(),
            stream_id: recorded.stream_id.clone(),
        };
        match self.actors.get_mut(actor) {
            Some(row) => row.activity.push_back(activity),
            None => self.actors.upsert(actor, ActorActivity { actor: actor.to_owned(), activity: List::of(activity) }),
        }
    }
}

const TITLE: &str = "User activity";
const COLUMNS: [&str; 5] = ["Actor", "Position", "Time", "Event", "Stream"];
const NUMBERS: NumberColumns = &[("Position", Numbers::Position)];

/// One activity as a table row, keyed `<actor>@<position>`.
fn row(actor: &str, activity: &Activity) -> TableRow {
    TableRow::new(
        format!("{actor}@{}", activity.position),
        vec![json!(actor), json!(activity.position), json!(activity.recorded_at), json!(activity.event_type), json!(activity.stream_id)],
    )
}

impl UserActivity {
    /// One row per activity, keyed `<actor>@<position>`, in log order.
    pub fn table(&self) -> Table {
        Table {
            name: <Self as Projection<Event>>::NAME,
            title: TITLE,
            columns: COLUMNS.to_vec(),
            numbers: NUMBERS,
            rows: self.in_log_order().into_iter().map(|(_, (actor, activity))| row(actor, activity)).collect(),
        }
    }

    /// The table's first `first` rows and the rows the event after `before` added:
    /// an activity, once recorded, never changes, so only the drawn rows are built.
    pub fn window(&self, before: &UserActivity, first: usize) -> TableWindow {
        let before_last = before.actors.iter().filter_map(|row| row.activity.iter().next_back()).map(|activity| activity.position).max().unwrap_or(0);
        TableWindow::append_only(TITLE, COLUMNS.to_vec(), NUMBERS, self.in_log_order(), before_last, first, |(actor, activity)| row(actor, activity))
    }

    /// Every activity with its actor and position, in the order of the log.
    fn in_log_order(&self) -> Vec<(u64, (&str, &Activity))> {
        let mut all: Vec<(u64, (&str, &Activity))> = self
            .actors
            .iter()
            .flat_map(|row| row.activity.iter().map(move |activity| (activity.position, (row.actor.as_str(), activity))))
            .collect();
        all.sort_unstable_by_key(|(position, _)| *position);
        all
    }
}
