//! Small display helpers: money, ids, JSON, and what changed between two states.

use serde_json::Value;

pub use crate::read_models::table::{money, thousands};

/// A signed count with thousands separators: `-1,069`.
pub fn count(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", thousands(n.unsigned_abs()))
}

/// The first 8 characters of a UUID (enough to tell orders apart on screen); any
/// other id as it is (`order-00816`, `o-1`).
pub fn short_id(id: &str) -> &str {
    let uuid_like = id.len() == 36 && id.bytes().filter(|&byte| byte == b'-').count() == 4;
    if uuid_like { id.get(..8).unwrap_or(id) } else { id }
}

pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// A value on one line: strings without quotes.
pub fn compact(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The top-level keys of `after` whose value differs in `before` (all of them when
/// `before` is not an object).
pub fn changed_keys(before: Option<&Value>, after: &Value) -> Vec<String> {
    let Some(after) = after.as_object() else { return Vec::new() };
    after
        .iter()
        .filter(|(key, value)| before.and_then(|before| before.get(key.as_str())) != Some(*value))
        .map(|(key, _)| key.clone())
        .collect()
}

/// The note under a panel that draws fewer rows (or `things`) than it has.
pub fn hidden_rows_note(count: usize, drawn: usize, things: &str) -> Option<String> {
    (drawn < count).then(|| format!("showing {drawn} of {count} {things}"))
}
