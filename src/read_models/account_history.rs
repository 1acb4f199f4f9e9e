//! AccountHistory (seed 004 "transaction history"): per account, every movement of
//! money in order: the opening balance, each deposit and each withdrawal, with the
//! balance after it.

use serde::Serialize;
use serde_json::json;

use crate::read_models::Timestamp;
use crate::domain::account::AccountEvent;
use crate::domain::Event;
use crate::event_sourcing::projection::Projection;
use crate::event_sourcing::recorded::RecordedEvent;
use crate::event_sourcing::shared_str::SharedStr;

use super::rows::{List, Rows};
use super::table::{NumberColumns, Numbers, Table, TableRow, TableWindow};
use super::timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransactionKind {
    /// The account was opened with its initial balance.
    Opened,
    Deposit,
    Withdrawal,
}

impl TransactionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TransactionKind::Opened => "opened",
            TransactionKind::Deposit => "deposit",
            TransactionKind::Withdrawal => "withdrawal",
        }
    }
}

/// One line of an account's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transaction {
    /// The global position of the event.
    pub position: u64,
    pub recorded_at: Timestamp,
    pub kind: TransactionKind,
    /// Always positive: the initial balance, or the money in or out.
    pub amount: i64,
    pub balance_after: i64,
    /// The event's own copy of the text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<SharedStr>,
}

/// One account's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountHistoryRow {
    pub account_id: SharedStr,
    pub transactions: List<Transaction>,
}

/// Histories per account id, accounts in the order they were opened.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AccountHistory {
    pub accounts: Rows<AccountHistoryRow>,
}

impl Projection<Event> for AccountHistory {
    const NAME: &'static str = "account_history";
    const SUBSCRIBES_TO: &'static [&'static str] = &["AccountCreated", "MoneyDeposited", "MoneyWithdrawn"];

    fn apply(&mut self, recorded: &RecordedEvent, event: &Event) {
        let Event::Account(event) = event else { return };
        let account_id = recorded.aggregate_key();
        let line = |kind, amount: i64, balance_after: i64, description: &Option<SharedStr>| Transaction {
            position: recorded.position,
            recorded_at: timestamp(recorded),
            kind,
            amount,
            balance_after,
            description: description.clone(),
        };
        if let AccountEvent::AccountCreated { initial_balance, .. } = event {
            self.accounts.upsert_with(account_id, |id| AccountHistoryRow {
                account_id: id.clone(),
                transactions: List::of(line(TransactionKind::Opened, *initial_balance, *initial_balance, &None)),
            });
            return;
        }
        let Some(row) = self.accounts.get_mut(account_id) else { return };
        let balance = row.transactions.last().map_or(0, |last| last.balance_after);
        let transaction = match event {
            AccountEvent::AccountCreated { .. } => return,
            AccountEvent::MoneyDeposited { amount, description, .. } => {
                line(TransactionKind::Deposit, *amount, balance + amount, description)
            }
            AccountEvent::MoneyWithdrawn { amount, description, .. } => {
                line(TransactionKind::Withdrawal, *amount, balance - amount, description)
            }
        };
        row.transactions.push_back(transaction);
    }
}

const TITLE: &str = "Account history";
const COLUMNS: [&str; 7] = ["Account", "Position", "Time", "Kind", "Amount", "Balance after", "Description"];
const NUMBERS: NumberColumns = &[("Position", Numbers::Position), ("Amount", Numbers::Money), ("Balance after", Numbers::Money)];

impl AccountHistory {
    /// One row per transaction, keyed `<account id>@<position>`.
    pub fn table(&self) -> Table {
        Table {
            name: <Self as Projection<Event>>::NAME,
            title: TITLE,
            columns: COLUMNS.to_vec(),
            numbers: NUMBERS,
            rows: self.transactions().map(|(account, transaction)| row(account, transaction)).collect(),
        }
    }

    /// The table's first `first` rows and the rows the event after `before` added:
    /// a transaction, once recorded, never changes, so only the drawn rows are built.
    pub fn window(&self, before: &AccountHistory, first: usize) -> TableWindow {
        let before_last = before.accounts.iter().filter_map(|row| row.transactions.iter().next_back()).map(|transaction| transaction.position).max().unwrap_or(0);
        let rows = self.transactions().map(|(account, transaction)| (transaction.position, (account, transaction))).collect();
        TableWindow::append_only(TITLE, COLUMNS.to_vec(), NUMBERS, rows, before_last, first, |(account, transaction)| row(account, transaction))
    }

    /// Every transaction with its account, in the table's order.
    fn transactions(&self) -> impl Iterator<Item = (&SharedStr, &Transaction)> {
        self.accounts.iter().flat_map(|row| row.transactions.iter().map(move |transaction| (&row.account_id, transaction)))
    }
}

/// One transaction as a table row.
fn row(account: &SharedStr, transaction: &Transaction) -> TableRow {
    TableRow::new(
        format!("{account}@{}", transaction.position),
        vec![
            json!(account),
            json!(transaction.position),
            json!(transaction.recorded_at),
            json!(transaction.kind.as_str()),
            json!(transaction.amount),
            json!(transaction.balance_after),
            json!(transaction.description),
        ],
    )
}
