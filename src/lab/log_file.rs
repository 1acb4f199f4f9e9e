//! The log as a whole: the export file of CONTRACT §4, importing one, and the
//! demo history. Each replaces the log in one step, after checking all of it.

use std::collections::HashSet;
use std::io::Write;

use chrono::SecondsFormat;
use rustc_hash::FxBuildHasher;
use serde::{Deserialize, Serialize};

use super::{demo::DemoHistory, Lab};
use crate::domain::Event;
use crate::event_sourcing::envelope::ErrorBody;
use crate::event_sourcing::log::SequenceCheck;
use crate::event_sourcing::recorded::{begins_with_its_type, RecordedEvent};
use crate::event_sourcing::store::EventStore;

/// The `format` of an export file.
pub const EXPORT_FORMAT: &str = "kiroku-event-log";
/// The `version` of the export file this lab writes.
pub const EXPORT_VERSION: u32 = 1;

/// An export file as read back.
#[derive(Deserialize)]
struct ImportFile {
    format: String,
    version: u32,
    events: Vec<RecordedEvent>,
}

#[derive(Serialize)]
struct ExportFile<'a> {
    format: &'static str,
    version: u32,
    exported_at: String,
    events: &'a [RecordedEvent],
}

/// How an export file is written: compact JSON with each event on a line of its own,
/// so that a file reads (and `grep`s, and diffs) as the log it holds, one event per
/// line. Written with indents, the 100k demo history's file was a third larger
/// (59 MB against 43), and an import of it parsed that much more text.
#[derive(Default)]
struct EventPerLine {
    /// How many objects and arrays the next value is inside: the events are the
    /// values of the one array two deep (the file's object, its `events`).
    depth: usize,
    /// An event was written: the array's end goes on a line of its own.
    wrote_events: bool,
}

impl serde_json::ser::Formatter for EventPerLine {
    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        writer.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.depth -= 1;
        writer.write_all(b"}")
    }

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        writer.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        let events = self.depth == 2 && self.wrote_events;
        self.depth -= 1;
        writer.write_all(if events { b"\n]" } else { b"]" })
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> std::io::Result<()> {
        if !first {
            writer.write_all(b",")?;
        }
        if self.depth == 2 {
            self.wrote_events = true;
            writer.write_all(b"\n")?;
        }
        Ok(())
    }
}

fn invalid(message: String) -> ErrorBody {
    ErrorBody::new("invalid_export", message)
}

impl<S: EventStore> Lab<S> {
    /// The export file of CONTRACT §4: the whole log, in position order.
    pub fn export_log(&self) -> String {
        let mut text = Vec::new();
        // Writing the data out checks it is JSON (`JsonText`): every event in the log was
        // read as its typed event from that data, which only JSON passes.
        self.write_export(&mut text).expect("writing into memory does not fail, and the log holds only JSON data");
        String::from_utf8(text).expect("JSON text is UTF-8")
    }

    /// [`Lab::export_log`] written to `out` as it is made, never held whole: the
    /// browser hands it over in parts (at 100k events the file is 43 MB, and wasm
    /// memory never shrinks).
    pub fn write_export<W: std::io::Write>(&self, out: W) -> std::io::Result<()> {
        let state = self.state.borrow();
        let file = ExportFile {
            format: EXPORT_FORMAT,
            version: EXPORT_VERSION,
            exported_at: self.env.now().to_rfc3339_opts(SecondsFormat::Millis, true),
            events: state.log.all(),
        };
        let mut out = serde_json::Serializer::with_formatter(out, EventPerLine::default());
        file.serialize(&mut out).map_err(std::io::Error::from)?;
        out.into_inner().write_all(b"\n")
    }

    /// Replaces the log with an export file's events (CONTRACT §4). The whole file is
    /// checked first (see [`Lab::replace_log`]); anything wrong is answered with where
    /// it is, and nothing already stored is changed. Returns how many were imported.
    ///
    /// `file` is the file's bytes (UTF-8, as the export writes it) or its text. A
    /// browser hands a chosen file over fastest as its bytes: its text would first be
    /// decoded into a JS string, then encoded again into wasm memory.
    ///
    /// The file is let go of once read: what the import builds next (the log's
    /// state, its checkpoints) then takes the room the file took, instead of adding to
    /// it (in the browser, wasm memory never shrinks).
    pub async fn import_log(&self, file: impl Into<Vec<u8>>) -> Result<usize, ErrorBody> {
        let bytes = file.into();
        let text = std::str::from_utf8(&bytes).map_err(|error| {
            let line = 1 + bytes[..error.valid_up_to()].iter().filter(|&&byte| byte == b'\n').count();
            invalid(format!("not an export file: line {line} is not UTF-8 text (was the file saved in another encoding?)"))
        })?;
        let file: ImportFile = serde_json::from_str(text).map_err(|error| invalid(format!("not an export file: {error}")))?;
        drop(bytes);
        if file.format != EXPORT_FORMAT {
            return Err(invalid(format!("the format is `{}`, not `{EXPORT_FORMAT}`", file.format)));
        }
        if file.version != EXPORT_VERSION {
            return Err(invalid(format!("version {} files cannot be read; this lab reads version {EXPORT_VERSION}", file.version)));
        }
        self.replace_log(file.events).await
    }

    /// Replaces the log with a seeded demo history of about `events` events.
    pub async fn load_demo(&self, seed: u64, events: usize) -> Result<usize, ErrorBody> {
        self.replace_log(DemoHistory::generate(seed, events, super::demo_start())).await
    }

    /// Replaces the log with `events` after checking all of them: positions 1, 2, 3…,
    /// stream versions without gaps, stream ids that match their types, unique event
    /// ids, and every event readable as a known event. On any error nothing changes.
    pub async fn replace_log(&self, events: Vec<RecordedEvent>) -> Result<usize, ErrorBody> {
        let mut check = SequenceCheck::default();
        let mut ids = HashSet::with_capacity_and_hasher(events.len(), FxBuildHasher);
        let mut typed = Vec::with_capacity(events.len());
        for event in &events {
            if !begins_with_its_type(&event.stream_type, &event.stream_id) {
                return Err(invalid(format!("event {}: stream {} is not of type {}", event.position, event.stream_id, event.stream_type)));
            }
            if !ids.insert(&event.event_id) {
                return Err(invalid(format!("event {}: the event id {} appears twice", event.position, event.event_id)));
            }
            typed.push(Event::decode(event).map_err(|error| invalid(format!("event {}: {error}", event.position)))?);
            check.next(event).map_err(invalid)?;
        }
        drop((ids, check));
        let count = events.len();
        let _turn = self.commands.lock().await;
        self.store.replace_all(&events).await.map_err(|error| ErrorBody::new("storage_failed", error.0))?;
        let now = self.env.now();
        {
            let mut state = self.state.borrow_mut();
            self.env.release(Box::new(state.restart()));
            state.integrate_all(events, typed, None).map_err(|error| ErrorBody::new("storage_failed", error.0))?;
            state.pump_all(now);
        }
        self.saga_checkpoint.set(self.head());
        Ok(count)
    }
}
