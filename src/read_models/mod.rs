//! Read models, pure: one projector per file, and the queries they answer.

pub mod order_details;
pub mod order_summary;
pub mod rows;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::domain::order::OrderStatus;
use crate::domain::Event;
use crate::event_sourcing::envelope::{typed, ErrorBody, QueryEnvelope};
use crate::event_sourcing::projection::{Projection, Projector};
use crate::event_sourcing::recorded::RecordedEvent;
use order_details::OrderDetails;
use order_summary::OrderSummary;

/// Every read model of the lab, each behind its own checkpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReadModels {
    pub order_summary: Projector<OrderSummary>,
    pub order_details: Projector<OrderDetails>,
}

/// One projector's progress, for status panels and `GetProjectionStatus`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectorStatus {
    pub name: &'static str,
    pub subscribes_to: &'static [&'static str],
    pub checkpoint: u64,
    pub applied: u64,
}

fn status_of<P: Projection<Event>>(projector: &Projector<P>) -> ProjectorStatus {
    ProjectorStatus {
        name: P::NAME,
        subscribes_to: P::SUBSCRIBES_TO,
        checkpoint: projector.checkpoint,
        applied: projector.applied,
    }
}

/// The query types the read models answer.
pub const QUERY_TYPES: &[&str] = &["ListOrders", "GetOrder"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListOrders {
    status: Option<OrderStatus>,
    customer_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GetOrder {
    order_id: String,
}

impl ReadModels {
    /// Delivers one event to every projector (each skips what it has seen or does not subscribe to).
    pub fn apply(&mut self, recorded: &RecordedEvent, event: &Event) {
        self.order_summary.handle(recorded, event);
        self.order_details.handle(recorded, event);
    }

    pub fn statuses(&self) -> Vec<ProjectorStatus> {
        vec![status_of(&self.order_summary), status_of(&self.order_details)]
    }

    /// Answers a query from these read models.
    pub fn answer(&self, query: &QueryEnvelope) -> Result<Value, ErrorBody> {
        match query.query_type.as_str() {
            "ListOrders" => {
                let filter: ListOrders = typed("ListOrders filters", &query.filters)?;
                let needle = filter.customer_name.map(|name| name.to_lowercase());
                let rows: Vec<&order_summary::OrderSummaryRow> = self
                    .order_summary
                    .model
                    .orders
                    .iter()
                    .filter(|row| filter.status.is_none_or(|status| row.status == status))
                    .filter(|row| {
                        needle.as_ref().is_none_or(|needle| row.customer_name.to_lowercase().contains(needle))
                    })
                    .collect();
                Ok(json!({ "orders": rows }))
            }
            "GetOrder" => {
                let filter: GetOrder = typed("GetOrder filters", &query.filters)?;
                let summary = self.order_summary.model.orders.get(&filter.order_id);
                let details = self.order_details.model.orders.get(&filter.order_id);
                Ok(match (summary, details) {
                    (Some(summary), Some(details)) => json!({ "summary": summary, "details": details }),
                    _ => Value::Null,
                })
            }
            other => Err(ErrorBody::new(
                "unknown_query",
                format!("`{other}` is not a query; known queries: {}", QUERY_TYPES.join(", ")),
            )),
        }
    }
}
