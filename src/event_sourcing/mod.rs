//! The event-sourcing machinery, pure: no browser, no clock, no randomness.
//! Ids and timestamps arrive from outside.

pub mod aggregate;
pub mod envelope;
pub mod event_id;
pub mod json_text;
pub mod log;
pub mod memory_store;
pub mod projection;
pub mod projection_engine;
pub mod recorded;
pub mod shared_str;
pub mod snapshot;
pub mod store;
pub mod testing;
