//! The query bus's result cache (seed 004: answers kept 60 s, dropped on write).
//!
//! An answer at the head of the log is valid until the log grows or it expires.
//! An answer `as_of` a past position can never change, so it is kept until the log
//! is cleared: time travel is cheap to cache.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{json, Value};

use crate::event_sourcing::envelope::QueryEnvelope;

/// How long an answer at the head is kept, as seed 004 configures it.
pub const DEFAULT_TTL_MS: i64 = 60_000;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
    /// Answers dropped because the log grew.
    pub invalidated: u64,
    /// Answers dropped because they were older than the time to live.
    pub expired: u64,
    pub entries: usize,
}

/// Whether the last lookup found its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lookup {
    Hit,
    Miss,
}

#[derive(Debug, Clone)]
struct Entry {
    data: Value,
    stored_at_ms: i64,
    /// Answered `as_of` a past position: never stale.
    pinned: bool,
}

#[derive(Debug, Clone)]
pub struct QueryCache {
    entries: HashMap<String, Entry>,
    stats: CacheStats,
    pub ttl_ms: i64,
    pub enabled: bool,
}

impl Default for QueryCache {
    fn default() -> Self {
        QueryCache { entries: HashMap::new(), stats: CacheStats::default(), ttl_ms: DEFAULT_TTL_MS, enabled: true }
    }
}

impl QueryCache {
    /// The key of a query answered at `position`: a past position is part of the
    /// key, the head is not (its answers are dropped when the log grows).
    pub fn key(query: &QueryEnvelope, position: Option<u64>) -> String {
        json!([query.query_type, query.filters, query.projection, position]).to_string()
    }

    /// The cached answer, if there is a fresh one. Counts a hit or a miss.
    pub fn get(&mut self, key: &str, now_ms: i64) -> Option<Value> {
        if !self.enabled {
            return None;
        }
        let fresh = match self.entries.get(key) {
            Some(entry) if entry.pinned || now_ms - entry.stored_at_ms < self.ttl_ms => Some(entry.data.clone()),
            Some(_) => {
                self.entries.remove(key);
                self.stats.expired += 1;
                None
            }
            None => None,
        };
        match fresh {
            Some(_) => self.stats.hits += 1,
            None => self.stats.misses += 1,
        }
        self.stats.entries = self.entries.len();
        fresh
    }

    pub fn put(&mut self, key: String, data: Value, now_ms: i64, pinned: bool) {
        if !self.enabled {
            return;
        }
        self.entries.insert(key, Entry { data, stored_at_ms: now_ms, pinned });
        self.stats.entries = self.entries.len();
    }

    /// The log grew: every answer at the head is stale.
    pub fn log_grew(&mut self) {
        let before = self.entries.len();
        self.entries.retain(|_, entry| entry.pinned);
        self.stats.invalidated += (before - self.entries.len()) as u64;
        self.stats.entries = self.entries.len();
    }

    /// The log was cleared or replaced: nothing cached holds.
    pub fn clear(&mut self) {
        self.stats.invalidated += self.entries.len() as u64;
        self.entries.clear();
        self.stats.entries = 0;
    }

    pub fn stats(&self) -> CacheStats {
        self.stats
    }
}
