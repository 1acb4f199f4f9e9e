//! The command bus's middleware chain (seed 004: logging, validation, authorization).
//!
//! Middleware run in the chain's order before the command reaches its aggregate;
//! any of them may stop it there with a result, and then nothing is written. Like
//! the layers of an onion, a middleware sees the outcome of everything inside it:
//! logging placed first records every command, even one that validation or
//! authorization stopped; placed last, it records only those that reached the
//! aggregate. The chain's order and which middleware are on are the user's to change.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::authorization::{authorize, User};
use crate::domain::Command;
use crate::event_sourcing::envelope::{CommandEnvelope, CommandResult, ErrorBody};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Middleware {
    /// Records each command, its outcome and how long it took.
    Logging,
    /// Refuses malformed or out-of-range input as `invalid` before any aggregate runs.
    Validation,
    /// Refuses commands the current user's role may not send.
    Authorization,
}

impl Middleware {
    pub const ALL: [Middleware; 3] = [Middleware::Logging, Middleware::Validation, Middleware::Authorization];

    pub fn as_str(self) -> &'static str {
        match self {
            Middleware::Logging => "logging",
            Middleware::Validation => "validation",
            Middleware::Authorization => "authorization",
        }
    }

    /// Runs before the aggregate: `Some(result)` stops the command here.
    pub fn before(self, command: &Dispatch<'_>) -> Option<CommandResult> {
        match self {
            Middleware::Logging => None,
            Middleware::Validation => match command.parsed {
                Err(error) => Some(CommandResult::Invalid { error: error.clone() }),
                Ok((envelope, typed)) => {
                    typed.validate(&envelope.aggregate_id).err().map(|error| CommandResult::Invalid { error })
                }
            },
            Middleware::Authorization => {
                let command_type = command.raw.get("command_type").and_then(Value::as_str)?;
                authorize(command.user, command_type)
                    .err()
                    .map(|message| CommandResult::Rejected { error: ErrorBody::new("forbidden", message) })
            }
        }
    }
}

/// One place in the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub middleware: Middleware,
    pub enabled: bool,
}

/// The chain, outermost first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chain {
    pub slots: Vec<Slot>,
}

impl Default for Chain {
    fn default() -> Self {
        Chain { slots: Middleware::ALL.iter().map(|&middleware| Slot { middleware, enabled: true }).collect() }
    }
}

impl Chain {
    /// The middleware that run, in order.
    pub fn enabled(&self) -> Vec<Middleware> {
        self.slots.iter().filter(|slot| slot.enabled).map(|slot| slot.middleware).collect()
    }

    pub fn set_enabled(&mut self, middleware: Middleware, enabled: bool) {
        for slot in self.slots.iter_mut().filter(|slot| slot.middleware == middleware) {
            slot.enabled = enabled;
        }
    }

    /// Moves a middleware one place outwards (`-1`) or inwards (`+1`).
    pub fn shift(&mut self, middleware: Middleware, by: isize) {
        let Some(at) = self.slots.iter().position(|slot| slot.middleware == middleware) else { return };
        let to = at as isize + by;
        if to >= 0 && (to as usize) < self.slots.len() {
            self.slots.swap(at, to as usize);
        }
    }

    /// A chain read from settings keeps every middleware exactly once.
    pub fn is_complete(&self) -> bool {
        self.slots.len() == Middleware::ALL.len()
            && Middleware::ALL.iter().all(|m| self.slots.iter().filter(|slot| slot.middleware == *m).count() == 1)
    }

    /// Runs the `before` of each enabled middleware in order. Returns the result of
    /// the one that stopped the command, with how many middleware it went through
    /// (the one that stopped it included); `None` when the command passed them all.
    pub fn run_before(&self, command: &Dispatch<'_>) -> (Option<(Middleware, CommandResult)>, Vec<Middleware>) {
        let mut entered = Vec::new();
        for middleware in self.enabled() {
            entered.push(middleware);
            if let Some(result) = middleware.before(command) {
                return (Some((middleware, result)), entered);
            }
        }
        (None, entered)
    }
}

/// What the middleware see of a command.
pub struct Dispatch<'a> {
    /// The envelope as sent.
    pub raw: &'a Value,
    /// The envelope and typed command, or why they could not be read.
    pub parsed: &'a Result<(CommandEnvelope, Command), ErrorBody>,
    /// Who is sending it.
    pub user: &'a User,
}

/// Reads an envelope and its typed command.
pub fn parse(raw: &Value) -> Result<(CommandEnvelope, Command), ErrorBody> {
    let envelope = CommandEnvelope::parse(raw)?;
    let command = Command::parse(&envelope)?;
    Ok((envelope, command))
}

/// One line of the logging middleware's log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEntry {
    /// 1 for the first command the lab handled, then 2, 3…
    pub sequence: u64,
    pub command_type: String,
    pub aggregate_id: String,
    pub actor: String,
    /// `accepted`, `rejected`, `conflict`, `invalid` or `error`.
    pub status: &'static str,
    pub code: Option<String>,
    /// The middleware that stopped the command, if one did.
    pub stopped_by: Option<Middleware>,
    pub duration_ms: f64,
    pub at: String,
}

/// The status word and error code of a result.
pub fn status_of(result: &CommandResult) -> (&'static str, Option<String>) {
    match result {
        CommandResult::Accepted { .. } => ("accepted", None),
        CommandResult::Rejected { error } => ("rejected", Some(error.code.clone())),
        CommandResult::Conflict { .. } => ("conflict", None),
        CommandResult::Invalid { error } => ("invalid", Some(error.code.clone())),
        CommandResult::Error { error } => ("error", Some(error.code.clone())),
    }
}
