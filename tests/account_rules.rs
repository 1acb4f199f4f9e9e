#![cfg(not(target_arch = "wasm32"))]
//! Every rule of the account aggregate (seeds 003 and 004), as given / when / then specifications.

mod common;

use serde_json::json;

use kiroku::domain::account::{Account, AccountCommand, AccountEvent, AccountRejection, AccountState};
use kiroku::domain::Event;
use kiroku::event_sourcing::aggregate::{Aggregate, DomainEvent, Rejection};
use kiroku::event_sourcing::recorded::StreamId;
use kiroku::event_sourcing::testing::{given, Given};

// ---- events -------------------------------------------------------------------

fn opened(owner: &str, initial_balance: i64) -> AccountEvent {
    AccountEvent::AccountCreated { owner: owner.to_owned(), initial_balance }
}

fn deposited(amount: i64, balance_after: i64) -> AccountEvent {
    AccountEvent::MoneyDeposited { amount, balance_after, description: None }
}

fn withdrawn(amount: i64, balance_after: i64) -> AccountEvent {
    AccountEvent::MoneyWithdrawn { amount, balance_after, description: None }
}

// ---- commands -----------------------------------------------------------------

fn open(owner: &str, initial_balance: i64) -> AccountCommand {
    AccountCommand::CreateAccount { account_id: None, owner: owner.to_owned(), initial_balance }
}

fn deposit(amount: i64) -> AccountCommand {
    AccountCommand::DepositMoney { account_id: None, amount, description: None }
}

fn withdraw(amount: i64) -> AccountCommand {
    AccountCommand::WithdrawMoney { account_id: None, amount, description: None }
}

// ---- histories ----------------------------------------------------------------

/// An account opened with 10 000.
fn funded() -> Vec<AccountEvent> {
    vec![opened("山田太郎", 10000)]
}

fn g(history: Vec<AccountEvent>) -> Given<Account> {
    given::<Account>(history)
}

// ---- CreateAccount ------------------------------------------------------------

#[test]
fn it_opens_an_account_for_an_owner_with_an_initial_balance() {
    g(vec![]).when(open("山田太郎", 10000)).then(vec![opened("山田太郎", 10000)]);
}

#[test]
fn it_opens_an_account_with_a_zero_balance() {
    g(vec![]).when(open("山田太郎", 0)).then(vec![opened("山田太郎", 0)]);
}

#[test]
fn it_trims_the_owner_on_opening() {
    g(vec![]).when(open("  山田太郎 ", 100)).then(vec![opened("山田太郎", 100)]);
}

#[test]
fn the_account_id_repeated_in_the_data_does_not_change_the_decision() {
    let command = AccountCommand::CreateAccount { account_id: Some("acc-1".to_owned()), owner: "山田太郎".to_owned(), initial_balance: 5 };
    g(vec![]).when(command).then(vec![opened("山田太郎", 5)]);
}

#[test]
fn it_refuses_to_open_an_account_that_already_exists() {
    g(funded()).when(open("佐藤花子", 0)).then_rejects("already_exists");
}

#[test]
fn it_refuses_to_open_an_account_again_even_after_money_moved() {
    g(vec![opened("山田太郎", 100), deposited(50, 150), withdrawn(150, 0)])
        .when(open("山田太郎", 100))
        .then_rejects("already_exists");
}

#[test]
fn it_refuses_an_account_without_an_owner() {
    g(vec![]).when(open("", 100)).then_rejects("owner_required");
}

#[test]
fn it_refuses_an_owner_made_only_of_whitespace() {
    g(vec![]).when(open(" \t ", 100)).then_rejects("owner_required");
}

#[test]
fn it_refuses_a_negative_initial_balance_naming_the_amount() {
    let message = g(vec![]).when(open("山田太郎", -1)).then_rejects("invalid_amount");
    assert!(message.contains("-1"), "the message names the amount: {message}");
}

// ---- acting on nothing ----------------------------------------------------------

#[test]
fn it_refuses_to_deposit_into_an_account_that_does_not_exist() {
    g(vec![]).when(deposit(100)).then_rejects("not_found");
}

#[test]
fn it_refuses_to_withdraw_from_an_account_that_does_not_exist() {
    g(vec![]).when(withdraw(100)).then_rejects("not_found");
}

// ---- DepositMoney ---------------------------------------------------------------

#[test]
fn it_deposits_money_recording_the_balance_after() {
    g(funded()).when(deposit(2500)).then(vec![deposited(2500, 12500)]);
}

#[test]
fn the_balance_after_a_deposit_counts_every_earlier_movement() {
    g(vec![opened("山田太郎", 1000), deposited(500, 1500), withdrawn(200, 1300)])
        .when(deposit(1))
        .then(vec![deposited(1, 1301)]);
}

#[test]
fn a_deposit_keeps_its_description() {
    let command = AccountCommand::DepositMoney { account_id: None, amount: 300000, description: Some("salary".to_owned()) };
    g(funded()).when(command).then(vec![AccountEvent::MoneyDeposited {
        amount: 300000,
        balance_after: 310000,
        description: Some("salary".into()),
    }]);
}

#[test]
fn it_refuses_a_deposit_of_zero() {
    let message = g(funded()).when(deposit(0)).then_rejects("invalid_amount");
    assert!(message.contains('0'), "{message}");
}

#[test]
fn it_refuses_a_negative_deposit_naming_the_amount() {
    let message = g(funded()).when(deposit(-500)).then_rejects("invalid_amount");
    assert!(message.contains("-500"), "the message names the amount: {message}");
}

// ---- WithdrawMoney --------------------------------------------------------------

#[test]
fn it_withdraws_money_recording_the_balance_after() {
    g(funded()).when(withdraw(4000)).then(vec![withdrawn(4000, 6000)]);
}

#[test]
fn it_withdraws_the_whole_balance_down_to_zero() {
    g(funded()).when(withdraw(10000)).then(vec![withdrawn(10000, 0)]);
}

#[test]
fn a_withdrawal_keeps_its_description() {
    let command = AccountCommand::WithdrawMoney { account_id: None, amount: 800, description: Some("purchase".to_owned()) };
    g(funded()).when(command).then(vec![AccountEvent::MoneyWithdrawn {
        amount: 800,
        balance_after: 9200,
        description: Some("purchase".into()),
    }]);
}

#[test]
fn it_refuses_to_withdraw_more_than_the_balance_naming_both_amounts() {
    let message = g(funded()).when(withdraw(10001)).then_rejects("insufficient_funds");
    assert!(message.contains("10000"), "the message names the balance: {message}");
    assert!(message.contains("10001"), "the message names the requested amount: {message}");
}

#[test]
fn insufficient_funds_counts_earlier_deposits_and_withdrawals() {
    let history = vec![opened("山田太郎", 1000), deposited(500, 1500), withdrawn(1200, 300)];
    let message = g(history.clone()).when(withdraw(301)).then_rejects("insufficient_funds");
    assert!(message.contains("300") && message.contains("301"), "{message}");
    g(history).when(withdraw(300)).then(vec![withdrawn(300, 0)]);
}

#[test]
fn it_refuses_any_withdrawal_from_an_empty_account() {
    let message = g(vec![opened("山田太郎", 0)]).when(withdraw(1)).then_rejects("insufficient_funds");
    assert!(message.contains('0') && message.contains('1'), "{message}");
}

#[test]
fn it_refuses_a_withdrawal_of_zero() {
    g(funded()).when(withdraw(0)).then_rejects("invalid_amount");
}

#[test]
fn it_refuses_a_negative_withdrawal_naming_the_amount() {
    let message = g(funded()).when(withdraw(-10)).then_rejects("invalid_amount");
    assert!(message.contains("-10"), "{message}");
}

#[test]
fn an_invalid_amount_is_refused_before_the_balance_is_checked() {
    // A negative withdrawal would never be short of funds: the amount itself is wrong.
    g(vec![opened("山田太郎", 0)]).when(withdraw(-1)).then_rejects("invalid_amount");
}

// ---- evolve -------------------------------------------------------------------

#[test]
fn nothing_exists_before_the_account_is_opened() {
    assert_eq!(Account::fold(&[]), None);
    assert_eq!(Account::fold(&[deposited(100, 100), withdrawn(50, 50)]), None, "movements without an account change nothing");
}

#[test]
fn the_balance_folds_step_by_step() {
    let history = [opened("山田太郎", 1000), deposited(500, 1500), withdrawn(200, 1300), deposited(700, 2000), withdrawn(2000, 0)];
    let balances: Vec<i64> = (1..=history.len())
        .map(|n| Account::fold(&history[..n]).expect("opened first").balance)
        .collect();
    assert_eq!(balances, vec![1000, 1500, 1300, 2000, 0]);
    assert_eq!(Account::fold(&history), Some(AccountState { owner: "山田太郎".to_owned(), balance: 0 }));
}

#[test]
fn the_balance_folds_from_the_amounts_not_from_balance_after() {
    // `balance_after` is for read models; the write model adds and subtracts amounts.
    let state = Account::fold(&[opened("山田太郎", 100), deposited(50, 999)]).unwrap();
    assert_eq!(state.balance, 150);
}

#[test]
fn the_state_reads_as_json_with_owner_and_balance() {
    let state = Account::fold(&funded());
    assert_eq!(serde_json::to_value(state).unwrap(), json!({"owner": "山田太郎", "balance": 10000}));
}

// ---- the recorded form --------------------------------------------------------

fn every_event() -> Vec<AccountEvent> {
    vec![
        opened("山田太郎", 10000),
        deposited(500, 10500),
        AccountEvent::MoneyDeposited { amount: 300000, balance_after: 310500, description: Some("salary".into()) },
        withdrawn(500, 310000),
        AccountEvent::MoneyWithdrawn { amount: 800, balance_after: 309200, description: Some("purchase".into()) },
    ]
}

#[test]
fn every_event_round_trips_through_its_recorded_data() {
    common::assert_reads_back_from_data(every_event());
}

#[test]
fn every_event_round_trips_through_a_recorded_event() {
    common::assert_decodes_when_recorded(every_event(), &StreamId::new("Account", "acc-1"), Event::Account);
}

#[test]
fn event_data_has_the_shape_of_the_contract() {
    assert_eq!(opened("山田太郎", 10000).to_data().to_value(), json!({"owner": "山田太郎", "initial_balance": 10000}));
    assert_eq!(deposited(500, 10500).to_data().to_value(), json!({"amount": 500, "balance_after": 10500}), "no description, no field");
    assert_eq!(
        AccountEvent::MoneyWithdrawn { amount: 800, balance_after: 9200, description: Some("purchase".into()) }.to_data().to_value(),
        json!({"amount": 800, "balance_after": 9200, "description": "purchase"})
    );
    let types: Vec<&str> = [opened("x", 0), deposited(1, 1), withdrawn(1, 0)].iter().map(|event| event.event_type()).collect();
    assert_eq!(types, vec!["AccountCreated", "MoneyDeposited", "MoneyWithdrawn"]);
}

#[test]
fn an_account_event_recorded_without_a_description_reads_back() {
    let event = AccountEvent::from_recorded("MoneyDeposited", 1, &json!({"amount": 5, "balance_after": 5}).into()).unwrap();
    assert_eq!(event, deposited(5, 5));
}

#[test]
fn recorded_data_of_an_unknown_type_or_shape_does_not_decode() {
    assert!(AccountEvent::from_recorded("AccountClosed", 1, &json!({}).into()).is_err());
    assert!(AccountEvent::from_recorded("MoneyDeposited", 1, &json!({"amount": 5}).into()).is_err());
    assert!(AccountEvent::from_recorded("AccountCreated", 1, &json!({"owner": "x", "initial_balance": "10"}).into()).is_err());
    assert!(AccountEvent::from_recorded("MoneyWithdrawn", 1, &json!({"amount": 1.5, "balance_after": 0}).into()).is_err(), "money is never a float");
}

// ---- rejection messages -------------------------------------------------------

#[test]
fn every_rejection_has_a_distinct_code_and_a_sentence_for_people() {
    use AccountRejection as R;
    let rejections = vec![
        R::AlreadyExists,
        R::NotFound,
        R::OwnerRequired,
        R::InvalidAmount { amount: -5 },
        R::InsufficientFunds { balance: 100, requested: 500 },
    ];
    let mut codes: Vec<&str> = rejections.iter().map(|rejection| rejection.code()).collect();
    assert_eq!(codes, vec!["already_exists", "not_found", "owner_required", "invalid_amount", "insufficient_funds"]);
    for rejection in &rejections {
        let code = rejection.code();
        let message = rejection.to_string();
        assert!(message.ends_with('.'), "{code}: `{message}` ends like a sentence");
        assert!(message.split_whitespace().count() >= 3, "{code}: `{message}` is a sentence, not a word");
        assert!(!message.contains('_'), "{code}: `{message}` is for people, not a code");
    }
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), rejections.len(), "every rejection has its own code");
}
