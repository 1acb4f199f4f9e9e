//! The transfer saga's own stream (seed 004): its state, persisted as events, so a
//! transfer survives a reload and resumes where it was. Withdraw from the source,
//! deposit to the target; when the deposit is refused, refund the source.

use serde::{Deserialize, Serialize};

use crate::event_sourcing::aggregate::{adjacent_data, from_adjacent, Aggregate, DecodeError, DomainEvent, Rejection};
use crate::event_sourcing::json_text::JsonText;

pub struct Transfer;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command_type", content = "data")]
pub enum TransferCommand {
    /// `TransferMoney` as the sender writes it: the envelope's aggregate id is the source account.
    TransferMoney { from_account: String, to_account: String, amount: i64 },
    RecordStep { step: TransferStep },
}

/// A step the saga records once the command behind it was answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum TransferStep {
    Withdrawn { event_id: String },
    Deposited { event_id: String },
    DepositRefused { reason: String },
    Refunded { event_id: String },
    WithdrawalRefused { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum TransferEvent {
    TransferStarted { from_account: String, to_account: String, amount: i64 },
    TransferWithdrawn { withdrawal_event_id: String },
    TransferCompleted { deposit_event_id: String },
    TransferCompensating { reason: String },
    TransferCompensated { refund_event_id: String },
    TransferFailed { reason: String },
}

impl DomainEvent for TransferEvent {
    fn event_type(&self) -> &'static str {
        match self {
            TransferEvent::TransferStarted { .. } => "TransferStarted",
            TransferEvent::TransferWithdrawn { .. } => "TransferWithdrawn",
            TransferEvent::TransferCompleted { .. } => "TransferCompleted",
            TransferEvent::TransferCompensating { .. } => "TransferCompensating",
            TransferEvent::TransferCompensated { .. } => "TransferCompensated",
            TransferEvent::TransferFailed { .. } => "TransferFailed",
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
pub enum TransferStatus {
    /// Next: withdraw from the source.
    Started,
    /// Next: deposit to the target.
    Withdrawn,
    Completed,
    /// The deposit was refused. Next: refund the source.
    Compensating,
    Compensated,
    /// The withdrawal was refused: nothing moved.
    Failed,
}

impl TransferStatus {
    pub fn is_finished(self) -> bool {
        matches!(self, TransferStatus::Completed | TransferStatus::Compensated | TransferStatus::Failed)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferState {
    pub from_account: String,
    pub to_account: String,
    pub amount: i64,
    pub status: TransferStatus,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferRejection {
    AlreadyExists,
    NotFound,
    InvalidAmount { amount: i64 },
    SameAccount,
    OutOfOrder { status: TransferStatus },
}

impl Rejection for TransferRejection {
    fn code(&self) -> &'static str {
        match self {
            TransferRejection::AlreadyExists => "already_exists",
            TransferRejection::NotFound => "not_found",
            TransferRejection::InvalidAmount { .. } => "invalid_amount",
            TransferRejection::SameAccount => "same_account",
            TransferRejection::OutOfOrder { .. } => "step_out_of_order",
        }
    }
}

impl std::fmt::Display for TransferRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransferRejection::AlreadyExists => write!(f, "This transfer already started."),
            TransferRejection::NotFound => write!(f, "There is no such transfer."),
            TransferRejection::InvalidAmount { amount } => write!(f, "A transfer must move more than 0 (got {amount})."),
            TransferRejection::SameAccount => write!(f, "A transfer needs two different accounts."),
            TransferRejection::OutOfOrder { status } => write!(f, "The transfer is {status:?}: that step does not come next."),
        }
    }
}

impl Aggregate for Transfer {
    const STREAM_TYPE: &'static str = "Transfer";
    type State = Option<TransferState>;
    type Command = TransferCommand;
    type Event = TransferEvent;
    type Rejection = TransferRejection;

    fn decide(state: &Self::State, command: &TransferCommand) -> Result<Vec<TransferEvent>, TransferRejection> {
        use TransferRejection as R;
        use TransferStatus as S;
        match (state, command) {
            (Some(_), TransferCommand::TransferMoney { .. }) => Err(R::AlreadyExists),
            (None, TransferCommand::TransferMoney { from_account, to_account, amount }) => {
                if *amount <= 0 {
                    return Err(R::InvalidAmount { amount: *amount });
                }
                if from_account == to_account {
                    return Err(R::SameAccount);
                }
                Ok(vec![TransferEvent::TransferStarted {
                    from_account: from_account.clone(),
                    to_account: to_account.clone(),
                    amount: *amount,
                }])
            }
            (None, TransferCommand::RecordStep { .. }) => Err(R::NotFound),
            (Some(transfer), TransferCommand::RecordStep { step }) => match (transfer.status, step) {
                (S::Started, TransferStep::Withdrawn { event_id }) => {
                    Ok(vec![TransferEvent::TransferWithdrawn { withdrawal_event_id: event_id.clone() }])
                }
                (S::Started, TransferStep::WithdrawalRefused { reason }) => {
                    Ok(vec![TransferEvent::TransferFailed { reason: reason.clone() }])
                }
                (S::Withdrawn, TransferStep::Deposited { event_id }) => {
                    Ok(vec![TransferEvent::TransferCompleted { deposit_event_id: event_id.clone() }])
                }
                (S::Withdrawn, TransferStep::DepositRefused { reason }) => {
                    Ok(vec![TransferEvent::TransferCompensating { reason: reason.clone() }])
                }
                (S::Compensating, TransferStep::Refunded { event_id }) => {
                    Ok(vec![TransferEvent::TransferCompensated { refund_event_id: event_id.clone() }])
                }
                (status, _) => Err(R::OutOfOrder { status }),
            },
        }
    }

    fn evolve(state: Self::State, event: &TransferEvent) -> Self::State {
        use TransferStatus as S;
        match (state, event) {
            (_, TransferEvent::TransferStarted { from_account, to_account, amount }) => Some(TransferState {
                from_account: from_account.clone(),
                to_account: to_account.clone(),
                amount: *amount,
                status: S::Started,
                reason: None,
            }),
            (None, _) => None,
            (Some(mut transfer), event) => {
                match event {
                    TransferEvent::TransferStarted { .. } => {}
                    TransferEvent::TransferWithdrawn { .. } => transfer.status = S::Withdrawn,
                    TransferEvent::TransferCompleted { .. } => transfer.status = S::Completed,
                    TransferEvent::TransferCompensating { reason } => {
                        transfer.status = S::Compensating;
                        transfer.reason = Some(reason.clone());
                    }
                    TransferEvent::TransferCompensated { .. } => transfer.status = S::Compensated,
                    TransferEvent::TransferFailed { reason } => {
                        transfer.status = S::Failed;
                        transfer.reason = Some(reason.clone());
                    }
                }
                Some(transfer)
            }
        }
    }
}
