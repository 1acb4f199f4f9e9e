//! AccountBalances (seeds 003 and 004 "account balance projection"): per account,
//! its owner, current balance, how many deposits and withdrawals it has seen, and
//! when it last moved.

use serde::Serialize;
use serde_json::json;

use crate::read_models::Timestamp;
use crate::domain::account::AccountEvent;
use crate::domain::Event;
use crate::event_sourcing::projection::Projection;
use crate::event_sourcing::recorded::RecordedEvent;
use crate::event_sourcing::shared_str::SharedStr;

use super::rows::Rows;
use super::table::{KeyedTable, NumberColumns, Numbers, TableRow};
use super::timestamp;

/// One account's balance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountBalanceRow {
    /// The stream's aggregate id: `acc-123`.
    pub account_id: SharedStr,
    pub owner: SharedStr,
    pub balance: i64,
    /// Deposits and withdrawals (opening the account is not counted).
    pub transaction_count: u32,
    /// `recorded_at` of the account's last event.
    pub last_activity: Timestamp,
}

/// Balances per account id, accounts in the order they were opened.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AccountBalances {
    pub accounts: Rows<AccountBalanceRow>,
}

impl Projection<Event> for AccountBalances {
    const NAME: &'static str = "account_balances";
    const SUBSCRIBES_TO: &'static [&'static str] = &["AccountCreated", "MoneyDeposited", "MoneyWithdrawn"];

    fn apply(&mut self, recorded: &RecordedEvent, event: &Event) {
        let Event::Account(event) = event else { return };
        let account_id = recorded.aggregate_key();
        let at = timestamp(recorded);
        if let AccountEvent::AccountCreated { owner, initial_balance } = event {
            self.accounts.upsert_with(account_id, |id| AccountBalanceRow {
                account_id: id.clone(),
                owner: owner.into(),
                balance: *initial_balance,
                transaction_count: 0,
                last_activity: at,
            });
            return;
        }
        let Some(row) = self.accounts.get_mut(account_id) else { return };
        match event {
            AccountEvent::AccountCreated { .. } => {}
            AccountEvent::MoneyDeposited { amount, .. } => row.balance += amount,
            AccountEvent::MoneyWithdrawn { amount, .. } => row.balance -= amount,
        }
        row.transaction_count += 1;
        row.last_activity = at;
    }
}

impl KeyedTable for AccountBalances {
    type Row = AccountBalanceRow;
    const TITLE: &'static str = "Account balances";
    const COLUMNS: &'static [&'static str] = &["Account", "Owner", "Balance", "Transactions", "Last activity"];
    const NUMBERS: NumberColumns = &[("Balance", Numbers::Money)];

    fn keyed_rows(&self) -> &Rows<AccountBalanceRow> {
        &self.accounts
    }

    fn table_row(row: &AccountBalanceRow) -> TableRow {
        TableRow::new(
            row.account_id.clone(),
            vec![
                json!(row.account_id),
                json!(row.owner),
                json!(row.balance),
                json!(row.transaction_count),
                json!(row.last_activity),
            ],
        )
    }
}
