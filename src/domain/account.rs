//! The bank account of seeds 003 and 004: opened with a balance, money in and out,
//! never below zero. Money is integer minor units.

use serde::{Deserialize, Serialize};

use crate::event_sourcing::aggregate::{adjacent_data, from_adjacent, Aggregate, DecodeError, DomainEvent, Rejection};
use crate::event_sourcing::json_text::JsonText;
use crate::event_sourcing::shared_str::SharedStr;

pub struct Account;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command_type", content = "data")]
pub enum AccountCommand {
    /// Seed 004 repeats the aggregate id as `account_id` in every account command;
    /// the validation middleware checks that the two agree.
    CreateAccount {
        #[serde(default)]
        account_id: Option<String>,
        owner: String,
        initial_balance: i64,
    },
    DepositMoney {
        #[serde(default)]
        account_id: Option<String>,
        amount: i64,
        /// What the money is for ("salary"); shown in the history.
        #[serde(default)]
        description: Option<String>,
    },
    WithdrawMoney {
        #[serde(default)]
        account_id: Option<String>,
        amount: i64,
        /// What the money is for ("purchase"); shown in the history.
        #[serde(default)]
        description: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum AccountEvent {
    AccountCreated { owner: String, initial_balance: i64 },
    MoneyDeposited {
        amount: i64,
        balance_after: i64,
        /// Shared with the account history's line of this event (a copy is a count).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<SharedStr>,
    },
    MoneyWithdrawn {
        amount: i64,
        balance_after: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<SharedStr>,
    },
}

impl DomainEvent for AccountEvent {
    fn event_type(&self) -> &'static str {
        match self {
            AccountEvent::AccountCreated { .. } => "AccountCreated",
            AccountEvent::MoneyDeposited { .. } => "MoneyDeposited",
            AccountEvent::MoneyWithdrawn { .. } => "MoneyWithdrawn",
        }
    }

    fn to_data(&self) -> JsonText {
        adjacent_data(self)
    }

    fn from_recorded(event_type: &str, _schema_version: u32, data: &JsonText) -> Result<Self, DecodeError> {
        from_adjacent(event_type, data)
    }
}

/// The write model of one account. `None` is "not opened yet".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountState {
    pub owner: String,
    pub balance: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountRejection {
    AlreadyExists,
    NotFound,
    OwnerRequired,
    InvalidAmount { amount: i64 },
    InsufficientFunds { balance: i64, requested: i64 },
}

impl Rejection for AccountRejection {
    fn code(&self) -> &'static str {
        match self {
            AccountRejection::AlreadyExists => "already_exists",
            AccountRejection::NotFound => "not_found",
            AccountRejection::OwnerRequired => "owner_required",
            AccountRejection::InvalidAmount { .. } => "invalid_amount",
            AccountRejection::InsufficientFunds { .. } => "insufficient_funds",
        }
    }
}

impl std::fmt::Display for AccountRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AccountRejection::AlreadyExists => write!(f, "This account already exists."),
            AccountRejection::NotFound => write!(f, "There is no such account: create it first."),
            AccountRejection::OwnerRequired => write!(f, "An account needs an owner."),
            AccountRejection::InvalidAmount { amount } => {
                write!(f, "The amount must be more than 0 (got {amount}).")
            }
            AccountRejection::InsufficientFunds { balance, requested } => write!(
                f,
                "Insufficient funds: the balance is {balance}, {requested} was requested."
            ),
        }
    }
}

impl Aggregate for Account {
    const STREAM_TYPE: &'static str = "Account";
    type State = Option<AccountState>;
    type Command = AccountCommand;
    type Event = AccountEvent;
    type Rejection = AccountRejection;

    fn decide(state: &Self::State, command: &AccountCommand) -> Result<Vec<AccountEvent>, AccountRejection> {
        use AccountRejection as R;
        match (state, command) {
            (Some(_), AccountCommand::CreateAccount { .. }) => Err(R::AlreadyExists),
            (None, AccountCommand::CreateAccount { owner, initial_balance, .. }) => {
                if owner.trim().is_empty() {
                    return Err(R::OwnerRequired);
                }
                if *initial_balance < 0 {
                    return Err(R::InvalidAmount { amount: *initial_balance });
                }
                Ok(vec![AccountEvent::AccountCreated { owner: owner.trim().to_owned(), initial_balance: *initial_balance }])
            }
            (None, _) => Err(R::NotFound),
            (Some(account), AccountCommand::DepositMoney { amount, description, .. }) => {
                if *amount <= 0 {
                    return Err(R::InvalidAmount { amount: *amount });
                }
                Ok(vec![AccountEvent::MoneyDeposited {
                    amount: *amount,
                    balance_after: account.balance + amount,
                    description: description.as_deref().map(SharedStr::from),
                }])
            }
            (Some(account), AccountCommand::WithdrawMoney { amount, description, .. }) => {
                if *amount <= 0 {
                    return Err(R::InvalidAmount { amount: *amount });
                }
                if *amount > account.balance {
                    return Err(R::InsufficientFunds { balance: account.balance, requested: *amount });
                }
                Ok(vec![AccountEvent::MoneyWithdrawn {
                    amount: *amount,
                    balance_after: account.balance - amount,
                    description: description.as_deref().map(SharedStr::from),
                }])
            }
        }
    }

    fn evolve(state: Self::State, event: &AccountEvent) -> Self::State {
        match (state, event) {
            (_, AccountEvent::AccountCreated { owner, initial_balance }) => {
                Some(AccountState { owner: owner.clone(), balance: *initial_balance })
            }
            (None, _) => None,
            (Some(account), AccountEvent::MoneyDeposited { amount, .. }) => {
                Some(AccountState { balance: account.balance + amount, ..account })
            }
            (Some(account), AccountEvent::MoneyWithdrawn { amount, .. }) => {
                Some(AccountState { balance: account.balance - amount, ..account })
            }
        }
    }
}

impl AccountCommand {
    /// The `account_id` the data repeats, if it does.
    pub fn account_id(&self) -> Option<&str> {
        match self {
            AccountCommand::CreateAccount { account_id, .. }
            | AccountCommand::DepositMoney { account_id, .. }
            | AccountCommand::WithdrawMoney { account_id, .. } => account_id.as_deref(),
        }
    }
}
