//! The order → inventory cycle of seed 003, as a saga with its own stream (one per
//! order): when an order is confirmed, reserve stock for each line (the SKU is the
//! product's name); all reserved marks the order ready to ship; a refusal releases
//! what was reserved and cancels the order with the reason.

use serde::{Deserialize, Serialize};

use crate::event_sourcing::aggregate::{adjacent_data, from_adjacent, Aggregate, DecodeError, DomainEvent, Rejection};
use crate::event_sourcing::json_text::JsonText;

pub struct Fulfillment;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub sku: String,
    pub quantity: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command_type", content = "data")]
pub enum FulfillmentCommand {
    StartFulfillment { lines: Vec<Line> },
    RecordStep { step: FulfillmentStep },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum FulfillmentStep {
    Reserved { sku: String },
    ReservationRefused { sku: String, reason: String },
    Released { sku: String },
    MarkedReady,
    OrderCancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum FulfillmentEvent {
    FulfillmentStarted { lines: Vec<Line> },
    LineReserved { sku: String },
    FulfillmentCompensating { reason: String },
    LineReleased { sku: String },
    FulfillmentCompleted {},
    FulfillmentCancelled {},
}

impl DomainEvent for FulfillmentEvent {
    fn event_type(&self) -> &'static str {
        match self {
            FulfillmentEvent::FulfillmentStarted { .. } => "FulfillmentStarted",
            FulfillmentEvent::LineReserved { .. } => "LineReserved",
            FulfillmentEvent::FulfillmentCompensating { .. } => "FulfillmentCompensating",
            FulfillmentEvent::LineReleased { .. } => "LineReleased",
            FulfillmentEvent::FulfillmentCompleted {} => "FulfillmentCompleted",
            FulfillmentEvent::FulfillmentCancelled {} => "FulfillmentCancelled",
        }
    }

    fn to_data(&self) -> JsonText {
        adjacent_data(self)
    }

    fn from_recorded(event_type: &str, _schema_version: u32, data: &JsonText) -> Result<Self, DecodeError> {
        from_adjacent(event_type, data)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FulfillmentStatus {
    /// Next: reserve the first line not yet reserved, or mark the order ready.
    Reserving,
    Completed,
    /// A reservation was refused. Next: release what was reserved, then cancel the order.
    Compensating,
    Cancelled,
}

impl FulfillmentStatus {
    pub fn is_finished(self) -> bool {
        matches!(self, FulfillmentStatus::Completed | FulfillmentStatus::Cancelled)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfillmentState {
    pub lines: Vec<Line>,
    pub reserved: Vec<String>,
    pub released: Vec<String>,
    pub status: FulfillmentStatus,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FulfillmentRejection {
    AlreadyExists,
    NotFound,
    OutOfOrder { status: FulfillmentStatus },
}

impl Rejection for FulfillmentRejection {
    fn code(&self) -> &'static str {
        match self {
            FulfillmentRejection::AlreadyExists => "already_exists",
            FulfillmentRejection::NotFound => "not_found",
            FulfillmentRejection::OutOfOrder { .. } => "step_out_of_order",
        }
    }
}

impl std::fmt::Display for FulfillmentRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FulfillmentRejection::AlreadyExists => write!(f, "This order's fulfillment already started."),
            FulfillmentRejection::NotFound => write!(f, "There is no such fulfillment."),
            FulfillmentRejection::OutOfOrder { status } => write!(f, "The fulfillment is {status:?}: that step does not come next."),
        }
    }
}

impl Aggregate for Fulfillment {
    const STREAM_TYPE: &'static str = "Fulfillment";
    type State = Option<FulfillmentState>;
    type Command = FulfillmentCommand;
    type Event = FulfillmentEvent;
    type Rejection = FulfillmentRejection;

    fn decide(state: &Self::State, command: &FulfillmentCommand) -> Result<Vec<FulfillmentEvent>, FulfillmentRejection> {
        use FulfillmentRejection as R;
        use FulfillmentStatus as S;
        match (state, command) {
            (Some(_), FulfillmentCommand::StartFulfillment { .. }) => Err(R::AlreadyExists),
            (None, FulfillmentCommand::StartFulfillment { lines }) => {
                Ok(vec![FulfillmentEvent::FulfillmentStarted { lines: lines.clone() }])
            }
            (None, FulfillmentCommand::RecordStep { .. }) => Err(R::NotFound),
            (Some(saga), FulfillmentCommand::RecordStep { step }) => match (saga.status, step) {
                (S::Reserving, FulfillmentStep::Reserved { sku }) => Ok(vec![FulfillmentEvent::LineReserved { sku: sku.clone() }]),
                (S::Reserving, FulfillmentStep::ReservationRefused { sku, reason }) => {
                    Ok(vec![FulfillmentEvent::FulfillmentCompensating { reason: format!("{sku}: {reason}") }])
                }
                (S::Reserving, FulfillmentStep::MarkedReady) => Ok(vec![FulfillmentEvent::FulfillmentCompleted {}]),
                (S::Compensating, FulfillmentStep::Released { sku }) => Ok(vec![FulfillmentEvent::LineReleased { sku: sku.clone() }]),
                (S::Compensating, FulfillmentStep::OrderCancelled) => Ok(vec![FulfillmentEvent::FulfillmentCancelled {}]),
                (status, _) => Err(R::OutOfOrder { status }),
            },
        }
    }

    fn evolve(state: Self::State, event: &FulfillmentEvent) -> Self::State {
        use FulfillmentStatus as S;
        match (state, event) {
            (_, FulfillmentEvent::FulfillmentStarted { lines }) => Some(FulfillmentState {
                lines: lines.clone(),
                reserved: Vec::new(),
                released: Vec::new(),
                status: S::Reserving,
                reason: None,
            }),
            (None, _) => None,
            (Some(mut saga), event) => {
                match event {
                    FulfillmentEvent::FulfillmentStarted { .. } => {}
                    FulfillmentEvent::LineReserved { sku } => saga.reserved.push(sku.clone()),
                    FulfillmentEvent::FulfillmentCompensating { reason } => {
                        saga.status = S::Compensating;
                        saga.reason = Some(reason.clone());
                    }
                    FulfillmentEvent::LineReleased { sku } => saga.released.push(sku.clone()),
                    FulfillmentEvent::FulfillmentCompleted {} => saga.status = S::Completed,
                    FulfillmentEvent::FulfillmentCancelled {} => saga.status = S::Cancelled,
                }
                Some(saga)
            }
        }
    }
}
