//! The saga runner (process managers, seeds 003 and 004). Each saga's state is its
//! own stream (`Transfer-…`, `Fulfillment-…`), so it survives a reload and resumes.
//! A step: send the next business command through the command bus as the saga
//! runner, then record on the saga's stream what came of it, at the version the
//! step was decided on (two tabs cannot both record the same step).
//!
//! Each business command carries, as its causation id, the id of the saga event
//! that called for it. The lab, after catching up and before deciding, looks for
//! an event with that causation in the target stream: if one is there, the command
//! already ran (a reload, or another tab, came between the command and the step)
//! and is not run again. Two tabs racing past that check both append at the same
//! stream version: one of them gets a conflict, and finds the other's event next round.

use serde::Serialize;
use serde_json::{json, Value};

use super::Lab;
use crate::domain::authorization::SAGA_RUNNER;
use crate::domain::fulfillment::{Fulfillment, FulfillmentCommand, FulfillmentState, FulfillmentStatus, FulfillmentStep, Line};
use crate::domain::order::Order;
use crate::domain::transfer::{Transfer, TransferCommand, TransferState, TransferStatus, TransferStep};
use crate::domain::{Command, Event};
use crate::event_sourcing::aggregate::Aggregate;
use crate::event_sourcing::envelope::{CommandEnvelope, CommandMetadata, CommandResult};
use crate::event_sourcing::recorded::RecordedEvent;
use crate::event_sourcing::shared_str::SharedStr;
use crate::event_sourcing::store::EventStore;

/// What came of a business command a saga sent.
enum Outcome {
    /// Recorded: the id of its first event.
    Done(String),
    /// Refused: why.
    Refused(String),
    /// Not answered (a conflict or storage error): try again on the next run.
    Unsettled,
}

/// One saga as the saga panel shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SagaView {
    /// `transfer` or `fulfillment`.
    pub kind: &'static str,
    pub id: String,
    pub stream_id: String,
    /// `running`, `completed`, `compensated`, `failed` or `cancelled`.
    pub outcome: &'static str,
    pub status: String,
    pub reason: Option<String>,
    pub steps: Vec<SagaStepView>,
}

/// One event of a saga's stream and the events it caused (through causation ids).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SagaStepView {
    pub position: u64,
    pub event_type: String,
    pub caused: Vec<CausedEvent>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CausedEvent {
    pub position: u64,
    pub event_type: String,
    pub stream_id: String,
}

/// Every saga and seed 004's saga metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SagaReport {
    pub sagas: Vec<SagaView>,
    pub running: usize,
    pub completed: usize,
    pub compensated: usize,
    /// Completed ÷ finished (`None` before any finished).
    pub completion_rate: Option<f64>,
    pub fulfillment_enabled: bool,
}

impl<S: EventStore> Lab<S> {
    /// Whether confirming an order starts the order → inventory saga.
    pub fn set_fulfillment_enabled(&self, enabled: bool) {
        if enabled && !self.fulfillment_enabled.get() {
            // Only orders confirmed from now on.
            self.saga_checkpoint.set(self.head());
        }
        self.fulfillment_enabled.set(enabled);
    }

    pub fn fulfillment_enabled(&self) -> bool {
        self.fulfillment_enabled.get()
    }

    /// Starts the sagas that new events call for, and moves every unfinished saga
    /// on until none can go further.
    pub async fn run_sagas(&self) {
        if self.sagas_running.replace(true) {
            return;
        }
        // At most as many rounds as it takes: every round moves a saga one step or stops.
        for _ in 0..1000 {
            let started = self.start_fulfillments().await;
            let mut moved = false;
            for stream_id in self.saga_streams() {
                moved |= self.advance(&stream_id).await;
            }
            if !started && !moved {
                break;
            }
        }
        self.sagas_running.set(false);
    }

    /// The streams of the sagas not yet finished, oldest first.
    fn saga_streams(&self) -> Vec<SharedStr> {
        self.state.borrow().open_sagas.clone()
    }

    /// Starts a fulfillment for each order confirmed since the saga checkpoint.
    async fn start_fulfillments(&self) -> bool {
        if !self.fulfillment_enabled.get() {
            self.saga_checkpoint.set(self.head());
            return false;
        }
        let (scanned_to, confirmed): (u64, Vec<(String, Vec<Line>, RecordedEvent)>) = {
            let state = self.state.borrow();
            let from = self.saga_checkpoint.get();
            let confirmed = state
                .log
                .range(from, state.log.head())
                .iter()
                .filter(|event| event.event_type == "OrderConfirmed")
                .map(|event| {
                    let order = Order::fold(
                        state.log.stream_until(&event.stream_id, event.position).filter_map(|e| state.events[e.position as usize - 1].as_order()),
                    );
                    let lines = order
                        .map(|order| order.items.into_iter().map(|item| Line { sku: item.product_name, quantity: item.quantity }).collect())
                        .unwrap_or_default();
                    (event.aggregate_id().to_owned(), lines, event.clone())
                })
                .collect();
            (state.log.head(), confirmed)
        };
        let mut started = false;
        for (order_id, lines, cause) in confirmed {
            let command = Command::Fulfillment(FulfillmentCommand::StartFulfillment { lines });
            match self.record(&order_id, command, Some(0), &cause).await {
                CommandResult::Accepted { .. } => started = true,
                // Storage failed: this order's start is tried again on the next run.
                CommandResult::Error { .. } => return started,
                // Another tab started it already (`already_exists` or a conflict): fine.
                _ => {}
            }
            self.saga_checkpoint.set(cause.position);
        }
        self.saga_checkpoint.set(scanned_to);
        started
    }

    /// Moves one saga one step. Returns whether it moved.
    async fn advance(&self, stream_id: &str) -> bool {
        let Some((kind, id, version, last)) = self.saga_head(stream_id) else { return false };
        match kind {
            "Transfer" => {
                let Some(transfer) = self.fold_saga::<Transfer, _>(stream_id, Event::as_transfer) else { return false };
                self.advance_transfer(&id, version, &last, transfer).await
            }
            _ => {
                let Some(fulfillment) = self.fold_saga::<Fulfillment, _>(stream_id, Event::as_fulfillment) else { return false };
                self.advance_fulfillment(&id, version, &last, fulfillment).await
            }
        }
    }

    async fn advance_transfer(&self, id: &str, version: u64, last: &RecordedEvent, transfer: TransferState) -> bool {
        let amount = transfer.amount;
        let (target, command_type, data) = match transfer.status {
            status if status.is_finished() => return false,
            TransferStatus::Started => (&transfer.from_account, "WithdrawMoney", json!({ "amount": amount, "description": format!("transfer to {}", transfer.to_account) })),
            TransferStatus::Withdrawn => (&transfer.to_account, "DepositMoney", json!({ "amount": amount, "description": format!("transfer from {}", transfer.from_account) })),
            _ => (&transfer.from_account, "DepositMoney", json!({ "amount": amount, "description": "refund of a transfer that could not be deposited" })),
        };
        let step = match (transfer.status, self.saga_command(target, command_type, data, last).await) {
            (_, Outcome::Unsettled) => return false,
            (TransferStatus::Started, Outcome::Done(event_id)) => TransferStep::Withdrawn { event_id },
            (TransferStatus::Started, Outcome::Refused(reason)) => TransferStep::WithdrawalRefused { reason },
            (TransferStatus::Withdrawn, Outcome::Done(event_id)) => TransferStep::Deposited { event_id },
            (TransferStatus::Withdrawn, Outcome::Refused(reason)) => TransferStep::DepositRefused { reason },
            (_, Outcome::Done(event_id)) => TransferStep::Refunded { event_id },
            // A refund refused: it stays compensating and is tried again on the next run.
            (_, Outcome::Refused(_)) => return false,
        };
        let command = Command::Transfer(TransferCommand::RecordStep { step });
        matches!(self.record(id, command, Some(version), last).await, CommandResult::Accepted { .. })
    }

    async fn advance_fulfillment(&self, order_id: &str, version: u64, last: &RecordedEvent, saga: FulfillmentState) -> bool {
        let reserve_data = |line: &Line| json!({ "order_id": order_id, "quantity": line.quantity });
        let step = match saga.status {
            status if status.is_finished() => return false,
            FulfillmentStatus::Reserving => match saga.lines.iter().find(|line| !saga.reserved.contains(&line.sku)) {
                Some(line) => match self.saga_command(&line.sku, "ReserveStock", reserve_data(line), last).await {
                    Outcome::Done(_) => FulfillmentStep::Reserved { sku: line.sku.clone() },
                    Outcome::Refused(reason) => FulfillmentStep::ReservationRefused { sku: line.sku.clone(), reason },
                    Outcome::Unsettled => return false,
                },
                None => match self.saga_command(order_id, "MarkReadyToShip", json!({}), last).await {
                    Outcome::Done(_) => FulfillmentStep::MarkedReady,
                    Outcome::Refused(reason) => FulfillmentStep::ReservationRefused { sku: "order".to_owned(), reason },
                    Outcome::Unsettled => return false,
                },
            },
            _ => match saga.reserved.iter().find(|sku| !saga.released.contains(sku)) {
                Some(sku) => match self.saga_command(sku, "ReleaseStock", json!({ "order_id": order_id }), last).await {
                    // Nothing left to release counts as released.
                    Outcome::Done(_) | Outcome::Refused(_) => FulfillmentStep::Released { sku: sku.clone() },
                    Outcome::Unsettled => return false,
                },
                None => {
                    let reason = format!("insufficient stock: {}", saga.reason.clone().unwrap_or_default());
                    match self.saga_command(order_id, "CancelOrder", json!({ "reason": reason }), last).await {
                        Outcome::Done(_) | Outcome::Refused(_) => FulfillmentStep::OrderCancelled,
                        Outcome::Unsettled => return false,
                    }
                }
            },
        };
        let command = Command::Fulfillment(FulfillmentCommand::RecordStep { step });
        matches!(self.record(order_id, command, Some(version), last).await, CommandResult::Accepted { .. })
    }

    /// The kind, id, version and last event of a saga stream.
    fn saga_head(&self, stream_id: &str) -> Option<(&'static str, String, u64, RecordedEvent)> {
        let state = self.state.borrow();
        let last = state.log.stream(stream_id).last()?.clone();
        let kind = if last.stream_type == "Transfer" { "Transfer" } else { "Fulfillment" };
        Some((kind, last.aggregate_id().to_owned(), last.stream_version, last))
    }

    fn fold_saga<A: Aggregate<State = Option<T>>, T>(&self, stream_id: &str, pick: fn(&Event) -> Option<&A::Event>) -> Option<T> {
        let state = self.state.borrow();
        A::fold(state.log.stream(stream_id).filter_map(|event| pick(&state.events[event.position as usize - 1])))
    }

    /// Sends a business command for a saga (once: see the module's notes).
    async fn saga_command(&self, aggregate_id: &str, command_type: &str, data: Value, cause: &RecordedEvent) -> Outcome {
        let envelope = json!({
            "command_type": command_type,
            "aggregate_id": aggregate_id,
            "data": data,
            "metadata": { "correlation_id": cause.metadata.correlation_id, "causation_id": cause.event_id },
        });
        match self.send_as(&envelope, &SAGA_RUNNER).await {
            CommandResult::Accepted { events, .. } => Outcome::Done(events.first().map(|e| e.event_id.to_string()).unwrap_or_default()),
            CommandResult::Rejected { error } | CommandResult::Invalid { error } => Outcome::Refused(format!("{}: {}", error.code, error.message)),
            CommandResult::Conflict { .. } | CommandResult::Error { .. } => Outcome::Unsettled,
        }
    }

    /// Records a step on a saga's own stream, caused by `cause`.
    async fn record(&self, id: &str, command: Command, expected_version: Option<u64>, cause: &RecordedEvent) -> CommandResult {
        let envelope = CommandEnvelope {
            command_type: String::new(),
            aggregate_id: id.to_owned(),
            data: Value::Null,
            expected_version,
            metadata: CommandMetadata {
                correlation_id: Some(cause.metadata.correlation_id.to_string()),
                causation_id: Some(cause.event_id.to_string()),
                actor: Some(SAGA_RUNNER.name.to_owned()),
            },
        };
        let now = self.env.now();
        self.handle(&envelope, &command, now, &SAGA_RUNNER).await
    }

    /// Every saga, its steps and what they caused, and the completion rate.
    pub fn sagas(&self) -> SagaReport {
        let state = self.state.borrow();
        let mut sagas = Vec::new();
        for stream_id in state.log.stream_ids() {
            let Some(Standing { kind, status, outcome, reason }) = standing(&state, stream_id) else { continue };
            let steps = state
                .log
                .stream(stream_id)
                .map(|step| SagaStepView {
                    position: step.position,
                    event_type: step.event_type.to_string(),
                    caused: state
                        .log
                        .all()
                        .iter()
                        .filter(|event| event.metadata.causation_id == step.event_id && event.stream_id != stream_id)
                        .map(|event| CausedEvent { position: event.position, event_type: event.event_type.to_string(), stream_id: event.stream_id.to_string() })
                        .collect(),
                })
                .collect();
            let id = stream_id.split_once('-').map(|(_, id)| id.to_owned()).unwrap_or_default();
            sagas.push(SagaView { kind, id, stream_id: stream_id.to_owned(), outcome, status, reason, steps });
        }
        let count = |outcome: &str| sagas.iter().filter(|saga| saga.outcome == outcome).count();
        let (running, completed, compensated, failed) = (count("running"), count("completed"), count("compensated"), count("failed"));
        let finished = completed + compensated + failed;
        SagaReport {
            running,
            completed,
            compensated,
            completion_rate: (finished > 0).then(|| completed as f64 / finished as f64),
            fulfillment_enabled: self.fulfillment_enabled.get(),
            sagas,
        }
    }
}

/// Where a saga stands: its kind, status, outcome and reason.
struct Standing {
    kind: &'static str,
    status: String,
    outcome: &'static str,
    reason: Option<String>,
}

/// The standing of the saga whose stream is `stream_id`; `None` for any other stream.
fn standing(state: &super::State, stream_id: &str) -> Option<Standing> {
    let events = state.log.stream(stream_id).map(|e| &state.events[e.position as usize - 1]);
    if stream_id.starts_with("Transfer-") {
        let transfer = Transfer::fold(events.filter_map(Event::as_transfer))?;
        let outcome = match transfer.status {
            TransferStatus::Completed => "completed",
            TransferStatus::Compensated => "compensated",
            TransferStatus::Failed => "failed",
            _ => "running",
        };
        Some(Standing { kind: "transfer", status: format!("{:?}", transfer.status).to_lowercase(), outcome, reason: transfer.reason })
    } else if stream_id.starts_with("Fulfillment-") {
        let saga = Fulfillment::fold(events.filter_map(Event::as_fulfillment))?;
        let outcome = match saga.status {
            FulfillmentStatus::Completed => "completed",
            FulfillmentStatus::Cancelled => "compensated",
            _ => "running",
        };
        Some(Standing { kind: "fulfillment", status: format!("{:?}", saga.status).to_lowercase(), outcome, reason: saga.reason })
    } else {
        None
    }
}
