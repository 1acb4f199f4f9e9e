//! Kiroku (記録, "record"): an event sourcing + CQRS lab that runs in the browser.
//!
//! The module map, from the pure core outwards:
//! - [`event_sourcing`]: the machinery: recorded events, the store contract and the
//!   in-memory store, aggregates, projections, the JSON envelopes, test harnesses.
//! - [`domain`]: the business rules of each aggregate (`decide` / `evolve`).
//! - [`read_models`]: one projector per read model, and the queries they answer.
//! - [`cqrs`]: the command bus's middleware chain and the query bus's cache.
//! - [`messaging`]: the broker port, idempotent consumers, naive vs outbox delivery.
//! - [`lab`]: the application: a log, its read models, commands, queries, time travel.
//! - `browser` (wasm only): IndexedDB, localStorage, `window.kiroku`: the only code
//!   that touches browser APIs.
//! - `ui` (wasm only): Leptos components that call the lab.
//!
//! The first four never touch the browser, the clock or randomness.

pub mod cqrs;
pub mod domain;
pub mod event_sourcing;
pub mod lab;
pub mod messaging;
pub mod read_models;

#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod ui;
