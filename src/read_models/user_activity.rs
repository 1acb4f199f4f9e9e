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
use super::table::{Table, TableRow};
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

impl UserActivity {
    /// One row per activity, keyed `<actor>@<position>`, in log order.
    pub fn table(&self) -> Table {
        let mut rows: Vec<(u64, TableRow)> = self
            .actors
            .iter()
            .flat_map(|row| {
                row.activity.iter().map(move |activity| {
                    (
                        activity.position,
                        TableRow::new(
                            format!("{}@{}", row.actor, activity.position),
                            vec![
                                json!(row.actor),
                                json!(activity.position),
                                json!(activity.recorded_at),
                                json!(activity.event_type),
                                json!(activity.stream_id),
                            ],
                        ),
                    )
                })
            })
            .collect();
        rows.sort_by_key(|(position, _)| *position);
        Table {
            name: <Self as Projection<Event>>::NAME,
            title: "User activity",
            columns: vec!["Actor", "Position", "Time", "Event", "Stream"],
            rows: rows.into_iter().map(|(_, row)| row).collect(),
        }
    }
}
