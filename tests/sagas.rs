#![cfg(not(target_arch = "wasm32"))]
//! The saga runner (seeds 003 and 004) through the lab's JSON envelopes: the
//! transfer saga (withdraw, deposit, refund), the order → inventory saga (reserve,
//! mark ready, or release and cancel), resuming after a reload, and two tabs on one
//! storage running the same step.

mod common;

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use futures::executor::block_on;
use serde_json::{json, Value};

use kiroku::cqrs::command_bus::{Chain, Middleware};
use kiroku::event_sourcing::memory_store::MemoryStore;
use kiroku::event_sourcing::recorded::{EventMetadata, NewEvent, RecordedEvent, StreamId};
use kiroku::event_sourcing::store::{AppendError, EventStore, ExpectedVersion, StoreError};
use kiroku::lab::{Lab, SagaView};

use common::{accept, command, new_lab, query, send, start_time, Shared, TestEnv};

// ---- helpers --------------------------------------------------------------------

/// Seed 004's two accounts: acc-1 with 1000, acc-2 with 0.
fn open_accounts<S: EventStore>(lab: &Lab<S>) {
    accept(lab, command("CreateAccount", "acc-1", json!({"account_id": "acc-1", "owner": "John Doe", "initial_balance": 1000})));
    accept(lab, command("CreateAccount", "acc-2", json!({"account_id": "acc-2", "owner": "Jane Doe", "initial_balance": 0})));
}

fn transfer_money(to_account: &str, amount: i64) -> Value {
    command("TransferMoney", "acc-1", json!({"to_account": to_account, "amount": amount}))
}

fn balance<S: EventStore>(lab: &Lab<S>, account_id: &str) -> i64 {
    let answer = query(lab, json!({"query_type": "GetAccountBalance", "filters": {"account_id": account_id}}));
    assert_eq!(answer["status"], "ok", "{answer}");
    answer["data"]["balance"].as_i64().unwrap_or_else(|| panic!("a balance for {account_id}: {answer}"))
}

fn balances<S: EventStore>(lab: &Lab<S>) -> (i64, i64) {
    (balance(lab, "acc-1"), balance(lab, "acc-2"))
}

fn stream<S: EventStore>(lab: &Lab<S>, stream_id: &str) -> Vec<RecordedEvent> {
    lab.events(&json!({"stream_id": stream_id})).expect("a stream's events")
}

fn types(events: &[RecordedEvent]) -> Vec<&str> {
    events.iter().map(|event| event.event_type.as_str()).collect()
}

fn all_of_type<S: EventStore>(lab: &Lab<S>, stream_id: &str, event_type: &str) -> Vec<RecordedEvent> {
    stream(lab, stream_id).into_iter().filter(|event| event.event_type == event_type).collect()
}

/// The one saga of a lab.
#[track_caller]
fn only_saga<S: EventStore>(lab: &Lab<S>) -> SagaView {
    let report = lab.sagas();
    assert_eq!(report.sagas.len(), 1, "one saga: {report:?}");
    report.sagas[0].clone()
}

fn step_types(saga: &SagaView) -> Vec<&str> {
    saga.steps.iter().map(|step| step.event_type.as_str()).collect()
}

fn item(product_name: &str, quantity: u32, unit_price_cents: i64) -> Value {
    json!({"product_name": product_name, "quantity": quantity, "unit_price_cents": unit_price_cents})
}

fn receive_stock<S: EventStore>(lab: &Lab<S>, sku: &str, quantity: u32) {
    accept(lab, command("ReceiveStock", sku, json!({"sku": sku, "quantity": quantity})));
}

/// Creates and fills an order (as whoever the lab's user is), without confirming it.
fn draft_order<S: EventStore>(lab: &Lab<S>, order_id: &str, items: &[(&str, u32)]) {
    accept(lab, command("CreateOrder", order_id, json!({"customer_name": "山田太郎"})));
    for (product_name, quantity) in items {
        accept(lab, command("AddItem", order_id, item(product_name, *quantity, 1000)));
    }
}

fn order_status<S: EventStore>(lab: &Lab<S>, order_id: &str) -> Value {
    let answer = query(lab, json!({"query_type": "GetOrder", "filters": {"order_id": order_id}}));
    answer["data"]["summary"]["status"].clone()
}

fn order_details<S: EventStore>(lab: &Lab<S>, order_id: &str) -> Value {
    query(lab, json!({"query_type": "GetOrder", "filters": {"order_id": order_id}}))["data"]["details"].clone()
}

/// `(on_hand, reserved, available)` of a SKU, from the inventory read model.
fn stock<S: EventStore>(lab: &Lab<S>, sku: &str) -> (u64, u64, u64) {
    let answer = query(lab, json!({"query_type": "GetInventory", "filters": {"sku": sku}}));
    let item = &answer["data"]["item"];
    let number = |field: &str| item[field].as_u64().unwrap_or_else(|| panic!("{field} of {sku}: {answer}"));
    (number("on_hand"), number("reserved"), number("available"))
}

fn saga_commands<S: EventStore>(lab: &Lab<S>) -> Vec<(String, String, String, &'static str)> {
    lab.command_log()
        .into_iter()
        .filter(|entry| entry.actor == "saga-runner")
        .map(|entry| (entry.command_type, entry.aggregate_id, entry.actor, entry.status))
        .collect()
}

fn saga_command(command_type: &str, aggregate_id: &str) -> (String, String, String, &'static str) {
    (command_type.to_owned(), aggregate_id.to_owned(), "saga-runner".to_owned(), "accepted")
}

/// An event written straight into the storage, as a tab that closed right after would leave it.
fn raw_event(event_id: &str, event_type: &str, data: Value) -> NewEvent {
    NewEvent {
        event_id: event_id.into(),
        event_type: event_type.into(),
        schema_version: 1,
        data: data.into(),
        metadata: EventMetadata {
            correlation_id: format!("conv-{event_id}").into(),
            causation_id: format!("cmd-{event_id}").into(),
            recorded_at: start_time(),
            actor: "workshop-user".into(),
        },
    }
}

type Hook = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()>>>>;

/// A store on a shared [`MemoryStore`] that a test can make misbehave: fail the next
/// append carrying a given event type, run another tab's work just before an append
/// or a read, and remember how each append went. Clones share everything.
/// One append the store saw: event type, stream, how it went.
type AppendRecord = (String, String, &'static str);

#[derive(Clone)]
struct Hooked {
    storage: Rc<MemoryStore>,
    /// Event types whose next append fails with a storage error (each once).
    fail_on: Rc<RefCell<Vec<String>>>,
    /// Runs just before the next append carrying this event type (once).
    before_append: Rc<RefCell<Option<(String, Hook)>>>,
    /// Runs just before the next `read_all` (once).
    before_read_all: Rc<RefCell<Option<Hook>>>,
    /// Every append: stream id, first event type, `ok` / `conflict` / `storage_failed`.
    appends: Rc<RefCell<Vec<AppendRecord>>>,
}

impl Hooked {
    fn on(storage: &Rc<MemoryStore>) -> Self {
        Hooked {
            storage: Rc::clone(storage),
            fail_on: Rc::default(),
            before_append: Rc::default(),
            before_read_all: Rc::default(),
            appends: Rc::default(),
        }
    }

    fn fail_next(&self, event_type: &str) {
        self.fail_on.borrow_mut().push(event_type.to_owned());
    }

    fn before_next_append_of(&self, event_type: &str, hook: Hook) {
        *self.before_append.borrow_mut() = Some((event_type.to_owned(), hook));
    }

    fn before_next_read_all(&self, hook: Hook) {
        *self.before_read_all.borrow_mut() = Some(hook);
    }

    fn outcomes_on(&self, prefix: &str) -> Vec<(String, &'static str)> {
        self.appends
            .borrow()
            .iter()
            .filter(|(stream_id, _, _)| stream_id.starts_with(prefix))
            .map(|(_, event_type, outcome)| (event_type.clone(), *outcome))
            .collect()
    }

    async fn write(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
        outbox: bool,
    ) -> Result<Vec<RecordedEvent>, AppendError> {
        let carries = |event_type: &str| events.iter().any(|event| event.event_type == event_type);
        let first_type = events.first().map(|event| event.event_type.to_string()).unwrap_or_default();
        let hook = {
            let mut slot = self.before_append.borrow_mut();
            if slot.as_ref().is_some_and(|(event_type, _)| carries(event_type)) {
                slot.take().map(|(_, hook)| hook)
            } else {
                None
            }
        };
        if let Some(hook) = hook {
            hook().await;
        }
        let fail = {
            let mut fail_on = self.fail_on.borrow_mut();
            match fail_on.iter().position(|event_type| carries(event_type)) {
                Some(at) => {
                    fail_on.remove(at);
                    true
                }
                None => false,
            }
        };
        let result = if fail {
            Err(AppendError::Storage(StoreError(format!("simulated storage failure writing {first_type}"))))
        } else if outbox {
            self.storage.append_with_outbox(stream, expected, events).await
        } else {
            self.storage.append(stream, expected, events).await
        };
        let outcome = match &result {
            Ok(_) => "ok",
            Err(AppendError::Conflict { .. }) => "conflict",
            Err(AppendError::Storage(_)) => "storage_failed",
        };
        self.appends.borrow_mut().push((stream.id.to_string(), first_type, outcome));
        result
    }
}

impl EventStore for Hooked {
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<Vec<RecordedEvent>, AppendError> {
        self.write(stream, expected, events, false).await
    }

    async fn read_stream(&self, stream_id: &str) -> Result<Vec<RecordedEvent>, StoreError> {
        self.storage.read_stream(stream_id).await
    }

    async fn read_all(&self, after_position: u64) -> Result<Vec<RecordedEvent>, StoreError> {
        let hook = self.before_read_all.borrow_mut().take();
        if let Some(hook) = hook {
            hook().await;
        }
        self.storage.read_all(after_position).await
    }

    async fn head_position(&self) -> Result<u64, StoreError> {
        self.storage.head_position().await
    }

    async fn clear(&self) -> Result<(), StoreError> {
        self.storage.clear().await
    }

    async fn load_document(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.storage.load_document(key).await
    }

    async fn append_with_outbox(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<Vec<RecordedEvent>, AppendError> {
        self.write(stream, expected, events, true).await
    }

    async fn unpublished(&self, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.storage.unpublished(limit).await
    }

    async fn mark_published(&self, event_ids: &[String]) -> Result<(), StoreError> {
        self.storage.mark_published(event_ids).await
    }

    async fn replace_all(&self, events: &[RecordedEvent]) -> Result<(), StoreError> {
        self.storage.replace_all(events).await
    }

    async fn save_document(&self, key: &str, text: &str) -> Result<(), StoreError> {
        self.storage.save_document(key, text).await
    }
}

/// A lab on `store` whose ids start with `prefix` (so two tabs never share an id).
fn tab<S: EventStore>(store: S, prefix: &str) -> Lab<S> {
    Lab::new(store, Box::new(TestEnv::with_prefix(prefix)))
}

/// A fresh tab on the same storage, opened and resumed like a page load.
fn reopened(storage: &Rc<MemoryStore>, prefix: &str) -> Lab<Shared> {
    let lab = tab(Shared(Rc::clone(storage)), prefix);
    block_on(lab.load_and_resume()).expect("the storage loads");
    lab
}

// ---- 1. the transfer saga's happy path (seed 004) -------------------------------

#[test]
fn a_transfer_of_300_from_acc_1_to_acc_2_leaves_700_and_300_and_completes_its_saga() {
    let lab = new_lab();
    open_accounts(&lab);
    let result = accept(&lab, transfer_money("acc-2", 300));
    let started = &result["events"][0];
    assert_eq!(result["events"].as_array().map(Vec::len), Some(1), "{result}");
    assert_eq!(started["event_type"], "TransferStarted");
    assert_eq!(started["stream_type"], "Transfer");
    let stream_id = started["stream_id"].as_str().unwrap();
    assert!(stream_id.starts_with("Transfer-") && stream_id != "Transfer-acc-1", "a new stream of its own: {stream_id}");
    assert_eq!(started["stream_version"], 1);
    assert_eq!(started["data"], json!({"from_account": "acc-1", "to_account": "acc-2", "amount": 300}));

    assert_eq!(balances(&lab), (700, 300));
    let saga = only_saga(&lab);
    assert_eq!((saga.kind, saga.outcome, saga.status.as_str()), ("transfer", "completed", "completed"));
    assert_eq!(saga.stream_id, stream_id);
    assert_eq!(saga.id, stream_id.strip_prefix("Transfer-").unwrap());
    assert_eq!(saga.reason, None);
    assert_eq!(step_types(&saga), ["TransferStarted", "TransferWithdrawn", "TransferCompleted"]);
    let report = lab.sagas();
    assert_eq!((report.running, report.completed, report.compensated), (0, 1, 0));
    assert_eq!(report.completion_rate, Some(1.0));
}

#[test]
fn the_transfers_withdrawal_and_deposit_are_caused_by_the_saga_events_and_share_the_transfers_correlation_id() {
    let lab = new_lab();
    open_accounts(&lab);
    let result = accept(&lab, transfer_money("acc-2", 300));
    let stream_id = result["events"][0]["stream_id"].as_str().unwrap().to_owned();
    let saga_events = stream(&lab, &stream_id);
    assert_eq!(types(&saga_events), ["TransferStarted", "TransferWithdrawn", "TransferCompleted"]);
    let (started, withdrawn, completed) = (&saga_events[0], &saga_events[1], &saga_events[2]);
    let correlation = &started.metadata.correlation_id;

    let withdrawals = all_of_type(&lab, "Account-acc-1", "MoneyWithdrawn");
    let deposits = all_of_type(&lab, "Account-acc-2", "MoneyDeposited");
    assert_eq!((withdrawals.len(), deposits.len()), (1, 1));
    let (withdrawal, deposit) = (&withdrawals[0], &deposits[0]);
    assert_eq!(withdrawal.data.to_value()["amount"], 300);
    assert_eq!(withdrawal.data.to_value()["balance_after"], 700);
    assert_eq!(deposit.data.to_value()["amount"], 300);
    assert_eq!(deposit.data.to_value()["balance_after"], 300);

    assert_eq!(withdrawal.metadata.causation_id, started.event_id, "the withdrawal answers TransferStarted");
    assert_eq!(deposit.metadata.causation_id, withdrawn.event_id, "the deposit answers TransferWithdrawn");
    for event in [withdrawal, deposit, withdrawn, completed] {
        assert_eq!(&event.metadata.correlation_id, correlation, "one conversation: {event:?}");
        assert_eq!(event.metadata.actor, "saga-runner", "{event:?}");
    }
    assert_eq!(started.metadata.actor, "workshop-user", "the person started the transfer");
    assert_eq!(withdrawn.metadata.causation_id, started.event_id);
    assert_eq!(completed.metadata.causation_id, withdrawn.event_id);
    // The saga's steps name the events they recorded.
    assert_eq!(withdrawn.data.to_value()["withdrawal_event_id"], json!(withdrawal.event_id));
    assert_eq!(completed.data.to_value()["deposit_event_id"], json!(deposit.event_id));

    // The report links each step to what it caused, outside its own stream.
    let saga = only_saga(&lab);
    let caused: Vec<Vec<(String, String)>> = saga
        .steps
        .iter()
        .map(|step| step.caused.iter().map(|event| (event.event_type.clone(), event.stream_id.clone())).collect())
        .collect();
    assert_eq!(
        caused,
        vec![
            vec![("MoneyWithdrawn".to_owned(), "Account-acc-1".to_owned())],
            vec![("MoneyDeposited".to_owned(), "Account-acc-2".to_owned())],
            vec![],
        ]
    );
    assert_eq!(saga.steps[0].caused[0].position, withdrawal.position);
    assert_eq!(saga.steps[1].caused[0].position, deposit.position);
}

#[test]
fn the_sagas_withdrawal_and_deposit_go_through_the_command_bus_as_the_saga_runner() {
    let lab = new_lab();
    open_accounts(&lab);
    accept(&lab, transfer_money("acc-2", 300));
    assert_eq!(saga_commands(&lab), vec![saga_command("WithdrawMoney", "acc-1"), saga_command("DepositMoney", "acc-2")]);
    let people: Vec<(String, String)> = lab
        .command_log()
        .into_iter()
        .filter(|entry| entry.actor != "saga-runner")
        .map(|entry| (entry.command_type, entry.actor))
        .collect();
    assert_eq!(
        people.last(),
        Some(&("TransferMoney".to_owned(), "workshop-user".to_owned())),
        "the person's TransferMoney is logged as theirs: {people:?}"
    );
}

#[test]
fn there_is_no_completion_rate_before_any_saga_finished() {
    let lab = new_lab();
    open_accounts(&lab);
    let report = lab.sagas();
    assert!(report.sagas.is_empty());
    assert_eq!(report.completion_rate, None);
    assert!(!report.fulfillment_enabled, "the order → inventory saga is off by default");
}

// ---- 2. compensation and failure ------------------------------------------------

#[test]
fn a_transfer_to_an_account_that_does_not_exist_is_refunded_and_the_saga_is_compensated() {
    let lab = new_lab();
    open_accounts(&lab);
    accept(&lab, transfer_money("acc-404", 300));
    assert_eq!(balance(&lab, "acc-1"), 1000, "the refund brought the money back");
    let history: Vec<(String, Value)> =
        stream(&lab, "Account-acc-1").iter().map(|event| (event.event_type.to_string(), event.data.to_value()["amount"].clone())).collect();
    assert_eq!(
        history,
        vec![
            ("AccountCreated".to_owned(), Value::Null),
            ("MoneyWithdrawn".to_owned(), json!(300)),
            ("MoneyDeposited".to_owned(), json!(300)),
        ],
        "withdrawn, then refunded"
    );
    assert!(stream(&lab, "Account-acc-404").is_empty(), "the refused deposit wrote nothing");
    let saga = only_saga(&lab);
    assert_eq!((saga.outcome, saga.status.as_str()), ("compensated", "compensated"));
    assert_eq!(step_types(&saga), ["TransferStarted", "TransferWithdrawn", "TransferCompensating", "TransferCompensated"]);
    let reason = saga.reason.clone().expect("a reason");
    assert!(reason.contains("not_found"), "the reason names the refusal: {reason}");
    // The refund answers TransferCompensating.
    let refund = &saga.steps[2].caused;
    assert_eq!(refund.len(), 1, "{saga:?}");
    assert_eq!((refund[0].event_type.as_str(), refund[0].stream_id.as_str()), ("MoneyDeposited", "Account-acc-1"));
    assert_eq!(
        saga_commands(&lab),
        vec![saga_command("WithdrawMoney", "acc-1"), ("DepositMoney".to_owned(), "acc-404".to_owned(), "saga-runner".to_owned(), "rejected"), saga_command("DepositMoney", "acc-1")]
    );
    let report = lab.sagas();
    assert_eq!((report.completed, report.compensated, report.running), (0, 1, 0));
    assert_eq!(report.completion_rate, Some(0.0));
}

#[test]
fn a_transfer_larger_than_the_balance_fails_at_the_withdrawal_and_moves_nothing() {
    let lab = new_lab();
    open_accounts(&lab);
    accept(&lab, transfer_money("acc-2", 1001));
    assert_eq!(balances(&lab), (1000, 0));
    assert_eq!(types(&stream(&lab, "Account-acc-1")), ["AccountCreated"]);
    assert_eq!(types(&stream(&lab, "Account-acc-2")), ["AccountCreated"]);
    let saga = only_saga(&lab);
    assert_eq!((saga.outcome, saga.status.as_str()), ("failed", "failed"));
    assert_eq!(step_types(&saga), ["TransferStarted", "TransferFailed"]);
    let reason = saga.reason.clone().expect("a reason");
    assert!(reason.contains("insufficient_funds"), "{reason}");
    assert_eq!(saga_commands(&lab).len(), 1, "only the refused withdrawal was sent: {:?}", saga_commands(&lab));
    assert_eq!(lab.sagas().completion_rate, Some(0.0), "a failed transfer is finished, not completed");
}

#[test]
fn one_completed_and_one_compensated_transfer_make_a_completion_rate_of_one_half() {
    let lab = new_lab();
    open_accounts(&lab);
    accept(&lab, transfer_money("acc-2", 300));
    accept(&lab, transfer_money("acc-404", 100));
    let report = lab.sagas();
    let outcomes: Vec<&str> = report.sagas.iter().map(|saga| saga.outcome).collect();
    assert_eq!(outcomes, ["completed", "compensated"], "oldest first");
    assert_eq!((report.completed, report.compensated, report.running), (1, 1, 0));
    assert_eq!(report.completion_rate, Some(0.5));
    assert_eq!(balances(&lab), (700, 300));
    // A failed one counts as finished too: 1 of 3.
    accept(&lab, transfer_money("acc-2", 5000));
    let rate = lab.sagas().completion_rate.expect("a rate");
    assert!((rate - 1.0 / 3.0).abs() < 1e-9, "{rate}");
}

// ---- 3. validation and authorization of TransferMoney ----------------------------

#[test]
fn a_transfer_of_0_is_invalid_and_starts_nothing() {
    let lab = new_lab();
    open_accounts(&lab);
    let head = lab.head();
    let result = send(&lab, transfer_money("acc-2", 0));
    assert_eq!(result["status"], "invalid", "{result}");
    assert_eq!(result["error"]["code"], "validation_failed");
    assert!(result["error"]["message"].as_str().unwrap().contains("amount"), "{result}");
    assert_eq!(lab.head(), head, "nothing written");
    assert!(lab.sagas().sagas.is_empty());
    assert_eq!(balances(&lab), (1000, 0));
}

#[test]
fn a_transfer_to_the_same_account_is_invalid_and_starts_nothing() {
    let lab = new_lab();
    open_accounts(&lab);
    let head = lab.head();
    let result = send(&lab, command("TransferMoney", "acc-1", json!({"to_account": "acc-1", "amount": 300})));
    assert_eq!(result["status"], "invalid", "{result}");
    assert_eq!(result["error"]["code"], "validation_failed");
    assert!(result["error"]["message"].as_str().unwrap().contains("to_account"), "{result}");
    assert_eq!(lab.head(), head);
    assert!(lab.sagas().sagas.is_empty());
}

#[test]
fn without_the_validation_middleware_the_transfer_aggregate_still_refuses_a_transfer_of_0_and_one_to_the_same_account() {
    let lab = new_lab();
    open_accounts(&lab);
    let mut chain = Chain::default();
    chain.set_enabled(Middleware::Validation, false);
    assert!(lab.set_chain(chain));
    let zero = send(&lab, transfer_money("acc-2", 0));
    assert_eq!((zero["status"].as_str(), zero["error"]["code"].as_str()), (Some("rejected"), Some("invalid_amount")), "{zero}");
    let same = send(&lab, command("TransferMoney", "acc-1", json!({"to_account": "acc-1", "amount": 300})));
    assert_eq!((same["status"].as_str(), same["error"]["code"].as_str()), (Some("rejected"), Some("same_account")), "{same}");
    assert!(lab.sagas().sagas.is_empty());
    assert_eq!(balances(&lab), (1000, 0));
}

#[test]
fn a_transfer_ignores_a_from_account_in_its_data_the_source_is_the_account_it_is_addressed_to() {
    let lab = new_lab();
    open_accounts(&lab);
    let result = accept(&lab, command("TransferMoney", "acc-1", json!({"from_account": "acc-2", "to_account": "acc-2", "amount": 300})));
    assert_eq!(result["events"][0]["data"]["from_account"], "acc-1");
    assert_eq!(balances(&lab), (700, 300));
}

#[test]
fn a_customer_may_start_a_transfer_and_its_steps_run_as_the_saga_runner() {
    let lab = new_lab();
    open_accounts(&lab);
    assert!(lab.switch_user("customer-yamada"));
    let result = accept(&lab, transfer_money("acc-2", 300));
    assert_eq!(result["events"][0]["metadata"]["actor"], "customer-yamada");
    assert_eq!(balances(&lab), (700, 300));
    assert_eq!(only_saga(&lab).outcome, "completed");
    let withdrawal = &all_of_type(&lab, "Account-acc-1", "MoneyWithdrawn")[0];
    assert_eq!(withdrawal.metadata.actor, "saga-runner", "not the customer");
    assert_eq!(saga_commands(&lab), vec![saga_command("WithdrawMoney", "acc-1"), saga_command("DepositMoney", "acc-2")]);
    assert_eq!(lab.user().name, "customer-yamada", "running the saga does not change who the lab acts as");
}

#[test]
fn a_customers_confirmed_order_is_reserved_by_the_saga_runner_though_a_customer_may_not_reserve_stock() {
    let lab = new_lab();
    lab.set_fulfillment_enabled(true);
    receive_stock(&lab, "ノートPC", 5);
    assert!(lab.switch_user("customer-yamada"));
    let refused = send(&lab, command("ReserveStock", "ノートPC", json!({"order_id": "o-x", "quantity": 1})));
    assert_eq!((refused["status"].as_str(), refused["error"]["code"].as_str()), (Some("rejected"), Some("forbidden")), "{refused}");
    draft_order(&lab, "o-1", &[("ノートPC", 1)]);
    accept(&lab, command("ConfirmOrder", "o-1", json!({})));
    assert_eq!(order_status(&lab, "o-1"), "ready_to_ship", "ReserveStock and MarkReadyToShip need a clerk: the saga runner is one");
    assert_eq!(stock(&lab, "ノートPC"), (5, 1, 4));
    assert_eq!(only_saga(&lab).outcome, "completed");
}

// ---- 4. the order → inventory cycle (seed 003) ------------------------------------

#[test]
fn a_confirmed_order_with_stock_for_every_line_is_reserved_and_ready_to_ship() {
    let lab = new_lab();
    lab.set_fulfillment_enabled(true);
    assert!(lab.sagas().fulfillment_enabled);
    receive_stock(&lab, "ノートPC", 5);
    receive_stock(&lab, "マウス", 5);
    draft_order(&lab, "o-1", &[("ノートPC", 1), ("マウス", 2)]);
    let confirmed = accept(&lab, command("ConfirmOrder", "o-1", json!({})));
    assert_eq!(confirmed["events"][0]["event_type"], "OrderConfirmed", "the answer is the person's own event");

    assert_eq!(stock(&lab, "ノートPC"), (5, 1, 4));
    assert_eq!(stock(&lab, "マウス"), (5, 2, 3));
    assert_eq!(order_status(&lab, "o-1"), "ready_to_ship");
    assert_eq!(order_details(&lab, "o-1")["status"], "ready_to_ship");
    let saga = only_saga(&lab);
    assert_eq!((saga.kind, saga.id.as_str(), saga.stream_id.as_str()), ("fulfillment", "o-1", "Fulfillment-o-1"));
    assert_eq!((saga.outcome, saga.status.as_str()), ("completed", "completed"));
    assert_eq!(step_types(&saga), ["FulfillmentStarted", "LineReserved", "LineReserved", "FulfillmentCompleted"]);
    let caused: Vec<Vec<(String, String)>> = saga
        .steps
        .iter()
        .map(|step| step.caused.iter().map(|event| (event.event_type.clone(), event.stream_id.clone())).collect())
        .collect();
    assert_eq!(
        caused,
        vec![
            vec![("StockReserved".to_owned(), "Inventory-ノートPC".to_owned())],
            vec![("StockReserved".to_owned(), "Inventory-マウス".to_owned())],
            vec![("OrderReadyToShip".to_owned(), "Order-o-1".to_owned())],
            vec![],
        ]
    );
    // Everything the saga wrote shares the confirmation's correlation id.
    let confirmation = &stream(&lab, "Order-o-1").into_iter().find(|event| event.event_type == "OrderConfirmed").unwrap();
    let started = &stream(&lab, "Fulfillment-o-1")[0];
    assert_eq!(started.metadata.causation_id, confirmation.event_id);
    assert_eq!(started.metadata.correlation_id, confirmation.metadata.correlation_id);
    for sku in ["ノートPC", "マウス"] {
        let reserved = &all_of_type(&lab, &format!("Inventory-{sku}"), "StockReserved")[0];
        assert_eq!(reserved.data.to_value()["order_id"], "o-1");
        assert_eq!(reserved.metadata.correlation_id, confirmation.metadata.correlation_id);
        assert_eq!(reserved.metadata.actor, "saga-runner");
    }
    assert_eq!(
        saga_commands(&lab),
        vec![saga_command("ReserveStock", "ノートPC"), saga_command("ReserveStock", "マウス"), saga_command("MarkReadyToShip", "o-1")]
    );

    // Shipping a ready order works.
    let shipped = accept(&lab, command("ShipOrder", "o-1", json!({})));
    assert_eq!(shipped["events"][0]["event_type"], "OrderShipped");
    assert_eq!(order_status(&lab, "o-1"), "shipped");
    assert_eq!(lab.sagas().sagas.len(), 1, "shipping starts no saga");
}

#[test]
fn a_confirmed_order_short_of_stock_releases_what_was_reserved_and_is_cancelled_as_insufficient() {
    let lab = new_lab();
    lab.set_fulfillment_enabled(true);
    receive_stock(&lab, "ノートPC", 5);
    receive_stock(&lab, "マウス", 1);
    draft_order(&lab, "o-1", &[("ノートPC", 1), ("マウス", 2)]);
    accept(&lab, command("ConfirmOrder", "o-1", json!({})));

    assert_eq!(order_status(&lab, "o-1"), "cancelled");
    let cancelled = all_of_type(&lab, "Order-o-1", "OrderCancelled");
    assert_eq!(cancelled.len(), 1);
    let reason = cancelled[0].data.to_value()["reason"].as_str().unwrap().to_owned();
    assert!(reason.contains("insufficient"), "{reason}");
    assert!(reason.contains("マウス"), "the reason names the short line: {reason}");
    assert_eq!(stock(&lab, "ノートPC"), (5, 0, 5), "the laptop's reservation was released");
    assert_eq!(stock(&lab, "マウス"), (1, 0, 1), "the mouse was never reserved");
    assert_eq!(types(&stream(&lab, "Inventory-ノートPC")), ["StockReceived", "StockReserved", "StockReleased"]);
    assert_eq!(types(&stream(&lab, "Inventory-マウス")), ["StockReceived"]);

    let saga = only_saga(&lab);
    assert_eq!((saga.outcome, saga.status.as_str()), ("compensated", "cancelled"));
    assert_eq!(step_types(&saga), ["FulfillmentStarted", "LineReserved", "FulfillmentCompensating", "LineReleased", "FulfillmentCancelled"]);
    assert!(saga.reason.as_deref().unwrap_or("").contains("insufficient"), "{saga:?}");
    let report = lab.sagas();
    assert_eq!((report.completed, report.compensated), (0, 1));
    // A cancelled order cannot be shipped.
    let ship = send(&lab, command("ShipOrder", "o-1", json!({})));
    assert_eq!(ship["status"], "rejected", "{ship}");
}

#[test]
fn with_fulfillment_off_a_confirmed_order_starts_no_saga_and_stays_confirmed() {
    let lab = new_lab();
    assert!(!lab.fulfillment_enabled(), "off by default");
    receive_stock(&lab, "ノートPC", 5);
    draft_order(&lab, "o-1", &[("ノートPC", 1)]);
    accept(&lab, command("ConfirmOrder", "o-1", json!({})));
    assert_eq!(order_status(&lab, "o-1"), "confirmed");
    assert!(lab.sagas().sagas.is_empty());
    assert!(lab.aggregate_ids("Fulfillment").is_empty());
    assert_eq!(stock(&lab, "ノートPC"), (5, 0, 5));
}

#[test]
fn turning_fulfillment_on_later_does_not_start_sagas_for_orders_confirmed_before() {
    let lab = new_lab();
    receive_stock(&lab, "ノートPC", 5);
    draft_order(&lab, "o-1", &[("ノートPC", 1)]);
    accept(&lab, command("ConfirmOrder", "o-1", json!({})));
    lab.set_fulfillment_enabled(true);
    // Another accepted command runs the sagas: still nothing for o-1.
    draft_order(&lab, "o-2", &[("ノートPC", 2)]);
    assert_eq!(order_status(&lab, "o-1"), "confirmed");
    assert!(lab.sagas().sagas.is_empty(), "{:?}", lab.sagas());
    // An order confirmed now does start one.
    accept(&lab, command("ConfirmOrder", "o-2", json!({})));
    assert_eq!(lab.aggregate_ids("Fulfillment"), ["o-2"]);
    assert_eq!(order_status(&lab, "o-2"), "ready_to_ship");
    assert_eq!(order_status(&lab, "o-1"), "confirmed");
    assert_eq!(stock(&lab, "ノートPC"), (5, 2, 3), "only o-2's two were reserved");
}

#[test]
fn turning_fulfillment_off_stops_new_sagas_but_not_a_transfer() {
    let lab = new_lab();
    lab.set_fulfillment_enabled(true);
    lab.set_fulfillment_enabled(false);
    receive_stock(&lab, "ノートPC", 5);
    draft_order(&lab, "o-1", &[("ノートPC", 1)]);
    accept(&lab, command("ConfirmOrder", "o-1", json!({})));
    assert_eq!(order_status(&lab, "o-1"), "confirmed");
    open_accounts(&lab);
    accept(&lab, transfer_money("acc-2", 300));
    assert_eq!(balances(&lab), (700, 300), "transfers do not depend on the fulfillment switch");
    assert_eq!(only_saga(&lab).kind, "transfer");
}

// ---- 5. resuming after a reload --------------------------------------------------

#[test]
fn a_transfer_stopped_after_its_withdrawal_resumes_in_a_new_tab_without_withdrawing_again() {
    let storage = Rc::new(MemoryStore::new());
    let store = Hooked::on(&storage);
    let first = tab(store.clone(), "a-");
    open_accounts(&first);
    // The withdrawal is written, then recording the saga's TransferWithdrawn step fails.
    store.fail_next("TransferWithdrawn");
    let result = accept(&first, transfer_money("acc-2", 300));
    let stream_id = result["events"][0]["stream_id"].as_str().unwrap().to_owned();
    assert_eq!(
        store.outcomes_on("Transfer-"),
        vec![("TransferStarted".to_owned(), "ok"), ("TransferWithdrawn".to_owned(), "storage_failed")]
    );
    assert_eq!(balances(&first), (700, 0), "half-way: withdrawn, not deposited");
    let stopped = only_saga(&first);
    assert_eq!((stopped.outcome, stopped.status.as_str()), ("running", "started"));
    assert_eq!(first.sagas().running, 1);

    // The page reloads: a new lab on the same storage.
    let second = reopened(&storage, "b-");
    assert_eq!(balances(&second), (700, 300));
    let saga = only_saga(&second);
    assert_eq!(saga.outcome, "completed");
    assert_eq!(types(&stream(&second, &stream_id)), ["TransferStarted", "TransferWithdrawn", "TransferCompleted"]);
    let withdrawals = all_of_type(&second, "Account-acc-1", "MoneyWithdrawn");
    assert_eq!(withdrawals.len(), 1, "withdrawn exactly once: {withdrawals:?}");
    let started = &stream(&second, &stream_id)[0];
    assert_eq!(withdrawals[0].metadata.causation_id, started.event_id);
    // The resumed step names the withdrawal the first tab made.
    assert_eq!(stream(&second, &stream_id)[1].data.to_value()["withdrawal_event_id"], json!(withdrawals[0].event_id));
    assert_eq!(
        saga_commands(&second),
        vec![saga_command("WithdrawMoney", "acc-1"), saga_command("DepositMoney", "acc-2")],
        "the withdrawal was asked again and answered with the one already made (no new event, checked above)"
    );
    assert_eq!(block_on(storage.read_all(0)).unwrap().iter().filter(|e| e.event_type == "MoneyWithdrawn").count(), 1);
}

#[test]
fn a_transfer_whose_withdrawal_could_not_be_written_moves_nothing_and_resumes_in_a_new_tab() {
    let storage = Rc::new(MemoryStore::new());
    let store = Hooked::on(&storage);
    let first = tab(store.clone(), "a-");
    open_accounts(&first);
    store.fail_next("MoneyWithdrawn");
    accept(&first, transfer_money("acc-2", 300));
    assert_eq!(balances(&first), (1000, 0), "nothing moved");
    assert_eq!(only_saga(&first).outcome, "running", "a storage error is not a refusal: the transfer did not fail");
    let log = first.command_log();
    let withdraw = log.iter().find(|entry| entry.command_type == "WithdrawMoney").expect("the withdrawal was tried");
    assert_eq!((withdraw.status, withdraw.code.as_deref(), withdraw.actor.as_str()), ("error", Some("storage_failed"), "saga-runner"));

    let second = reopened(&storage, "b-");
    assert_eq!(balances(&second), (700, 300));
    assert_eq!(only_saga(&second).outcome, "completed");
    assert_eq!(all_of_type(&second, "Account-acc-1", "MoneyWithdrawn").len(), 1);
}

#[test]
fn a_transfer_stopped_by_a_storage_error_moves_on_at_the_next_accepted_command_in_the_same_tab() {
    let storage = Rc::new(MemoryStore::new());
    let store = Hooked::on(&storage);
    let lab = tab(store.clone(), "a-");
    open_accounts(&lab);
    store.fail_next("TransferWithdrawn");
    accept(&lab, transfer_money("acc-2", 300));
    assert_eq!(only_saga(&lab).outcome, "running");
    accept(&lab, command("CreateAccount", "acc-3", json!({"owner": "Someone", "initial_balance": 0})));
    assert_eq!(only_saga(&lab).outcome, "completed");
    assert_eq!(balances(&lab), (700, 300));
    assert_eq!(all_of_type(&lab, "Account-acc-1", "MoneyWithdrawn").len(), 1, "still withdrawn once");
}

#[test]
fn a_transfer_left_running_by_a_closed_tab_resumes_when_a_new_tab_loads() {
    let storage = Rc::new(MemoryStore::new());
    let setup = tab(Shared(Rc::clone(&storage)), "a-");
    open_accounts(&setup);
    // The tab wrote TransferStarted and closed before the saga ran a step.
    let started = raw_event("t-1-started", "TransferStarted", json!({"from_account": "acc-1", "to_account": "acc-2", "amount": 300}));
    block_on(storage.append(&StreamId::new("Transfer", "t-1"), ExpectedVersion::Exact(0), vec![started])).unwrap();

    let second = reopened(&storage, "b-");
    let saga = only_saga(&second);
    assert_eq!((saga.id.as_str(), saga.outcome), ("t-1", "completed"));
    assert_eq!(balances(&second), (700, 300));
    let withdrawal = &all_of_type(&second, "Account-acc-1", "MoneyWithdrawn")[0];
    assert_eq!(withdrawal.metadata.causation_id, "t-1-started");
    assert_eq!(withdrawal.metadata.correlation_id, "conv-t-1-started", "the resumed steps keep the transfer's conversation");

    // A third tab loading afterwards finds nothing to do.
    let third = reopened(&storage, "c-");
    assert!(saga_commands(&third).is_empty());
    assert_eq!(balances(&third), (700, 300));
}

#[test]
fn a_fulfillment_stopped_after_a_reservation_resumes_in_a_new_tab_without_reserving_again() {
    let storage = Rc::new(MemoryStore::new());
    let store = Hooked::on(&storage);
    let first = tab(store.clone(), "a-");
    first.set_fulfillment_enabled(true);
    receive_stock(&first, "ノートPC", 5);
    receive_stock(&first, "マウス", 5);
    draft_order(&first, "o-1", &[("ノートPC", 1), ("マウス", 2)]);
    // Recording the first LineReserved fails, and fails again when the same run
    // retries it (the run goes another round after starting the saga).
    store.fail_next("LineReserved");
    store.fail_next("LineReserved");
    accept(&first, command("ConfirmOrder", "o-1", json!({})));
    assert_eq!(store.outcomes_on("Fulfillment-").iter().filter(|(_, outcome)| *outcome == "storage_failed").count(), 2);
    assert_eq!(stock(&first, "ノートPC"), (5, 1, 4), "reserved, but the step was not recorded");
    assert_eq!(all_of_type(&first, "Inventory-ノートPC", "StockReserved").len(), 1, "the retry did not reserve again");
    assert_eq!(order_status(&first, "o-1"), "confirmed");
    assert_eq!(only_saga(&first).outcome, "running");

    // The new tab has the switch off (the default): started sagas resume anyway.
    let second = reopened(&storage, "b-");
    assert!(!second.fulfillment_enabled());
    assert_eq!(order_status(&second, "o-1"), "ready_to_ship");
    assert_eq!(only_saga(&second).outcome, "completed");
    assert_eq!(stock(&second, "ノートPC"), (5, 1, 4), "reserved once");
    assert_eq!(stock(&second, "マウス"), (5, 2, 3));
    assert_eq!(all_of_type(&second, "Inventory-ノートPC", "StockReserved").len(), 1);
    // Asked again, the ノートPC reservation is answered with the one already made.
    assert_eq!(
        saga_commands(&second),
        vec![saga_command("ReserveStock", "ノートPC"), saga_command("ReserveStock", "マウス"), saga_command("MarkReadyToShip", "o-1")]
    );
}

#[test]
fn orders_confirmed_while_no_tab_ran_sagas_do_not_start_one_when_a_tab_loads() {
    let storage = Rc::new(MemoryStore::new());
    let first = tab(Shared(Rc::clone(&storage)), "a-");
    receive_stock(&first, "ノートPC", 5);
    draft_order(&first, "o-1", &[("ノートPC", 1)]);
    accept(&first, command("ConfirmOrder", "o-1", json!({})));
    let second = tab(Shared(Rc::clone(&storage)), "b-");
    second.set_fulfillment_enabled(true);
    block_on(second.load_and_resume()).unwrap();
    accept(&second, command("CreateOrder", "o-2", json!({"customer_name": "佐藤花子"})));
    assert_eq!(order_status(&second, "o-1"), "confirmed");
    assert!(second.sagas().sagas.is_empty());
}

#[test]
fn a_fulfillment_whose_start_could_not_be_written_starts_at_the_next_run() {
    let storage = Rc::new(MemoryStore::new());
    let store = Hooked::on(&storage);
    let lab = tab(store.clone(), "a-");
    lab.set_fulfillment_enabled(true);
    receive_stock(&lab, "ノートPC", 5);
    draft_order(&lab, "o-1", &[("ノートPC", 1)]);
    store.fail_next("FulfillmentStarted");
    accept(&lab, command("ConfirmOrder", "o-1", json!({})));
    assert_eq!(store.outcomes_on("Fulfillment-"), vec![("FulfillmentStarted".to_owned(), "storage_failed")]);
    // The storage works again; the next accepted command runs the sagas.
    accept(&lab, command("CreateOrder", "o-2", json!({"customer_name": "佐藤花子"})));
    assert_eq!(lab.aggregate_ids("Fulfillment"), ["o-1"], "the confirmed order's saga never started");
    assert_eq!(order_status(&lab, "o-1"), "ready_to_ship");
}

// ---- 6. two tabs on one storage ----------------------------------------------------

#[test]
fn when_two_tabs_run_the_same_transfer_step_only_one_records_it_and_the_money_moves_once() {
    let storage = Rc::new(MemoryStore::new());
    let store = Hooked::on(&storage);
    let tab_a = tab(store.clone(), "a-");
    let tab_b = Rc::new(tab(Shared(Rc::clone(&storage)), "b-"));
    open_accounts(&tab_a);
    // Tab A has withdrawn and is about to record TransferWithdrawn when tab B loads,
    // finds the withdrawal by its causation id, records the step and finishes the transfer.
    let other = Rc::clone(&tab_b);
    store.before_next_append_of(
        "TransferWithdrawn",
        Box::new(move || Box::pin(async move { other.load_and_resume().await.expect("tab B loads") })),
    );
    accept(&tab_a, transfer_money("acc-2", 300));

    assert_eq!(
        store.outcomes_on("Transfer-"),
        vec![("TransferStarted".to_owned(), "ok"), ("TransferWithdrawn".to_owned(), "conflict")],
        "tab A's record of the step came second: a conflict, nothing written"
    );
    let stored = block_on(storage.read_all(0)).unwrap();
    let count = |event_type: &str| stored.iter().filter(|event| event.event_type == event_type).count();
    assert_eq!((count("TransferWithdrawn"), count("TransferCompleted")), (1, 1), "each step recorded once");
    assert_eq!((count("MoneyWithdrawn"), count("MoneyDeposited")), (1, 1), "the money moved once");
    let recorded_by_b = stored.iter().find(|event| event.event_type == "TransferWithdrawn").unwrap();
    assert!(recorded_by_b.event_id.to_string().starts_with("b-"), "tab B recorded it: {recorded_by_b:?}");
    assert_eq!(
        saga_commands(&tab_b),
        vec![saga_command("WithdrawMoney", "acc-1"), saga_command("DepositMoney", "acc-2")],
        "tab B asked for the withdrawal and was answered with tab A's (one MoneyWithdrawn, checked above)"
    );
    for lab_balances in [balances(&tab_a), balances(&*tab_b)] {
        assert_eq!(lab_balances, (700, 300));
    }
    assert_eq!(only_saga(&tab_a).outcome, "completed", "tab A caught up after its conflict");
    assert_eq!(only_saga(&*tab_b).outcome, "completed");
}

#[test]
fn a_tab_that_resumes_a_transfer_another_tab_already_finished_does_nothing() {
    let storage = Rc::new(MemoryStore::new());
    let tab_a = tab(Shared(Rc::clone(&storage)), "a-");
    let tab_b = tab(Shared(Rc::clone(&storage)), "b-");
    open_accounts(&tab_a);
    block_on(tab_b.load_and_resume()).unwrap();
    accept(&tab_a, transfer_money("acc-2", 300));
    // Tab B's next command catches up before its sagas run.
    accept(&tab_b, command("CreateAccount", "acc-3", json!({"owner": "Someone", "initial_balance": 0})));
    assert!(saga_commands(&tab_b).is_empty());
    assert_eq!(balances(&tab_b), (700, 300));
    assert_eq!(only_saga(&tab_b).outcome, "completed");
}

/// Storage holding acc-1 (1000), acc-2 (0) and a transfer of 300 whose saga has not
/// run a step yet (the tab that started it could not write its withdrawal).
fn storage_with_an_unstarted_transfer() -> Rc<MemoryStore> {
    let storage = Rc::new(MemoryStore::new());
    let store = Hooked::on(&storage);
    let setup = tab(store.clone(), "s-");
    open_accounts(&setup);
    store.fail_next("MoneyWithdrawn");
    accept(&setup, transfer_money("acc-2", 300));
    assert_eq!(only_saga(&setup).status, "started");
    storage
}

#[test]
fn when_two_tabs_resume_the_same_transfer_at_once_the_money_moves_once() {
    let storage = storage_with_an_unstarted_transfer();
    // Both tabs load while the transfer is at TransferStarted.
    let tab_a = Rc::new(tab(Shared(Rc::clone(&storage)), "a-"));
    block_on(tab_a.load()).unwrap();
    let store_b = Hooked::on(&storage);
    let tab_b = tab(store_b.clone(), "b-");
    block_on(tab_b.load()).unwrap();
    assert_eq!(only_saga(&tab_b).status, "started");
    // Tab B has checked that nothing answered TransferStarted and is catching up to
    // send its WithdrawMoney when tab A's saga run lands in the storage.
    let other = Rc::clone(&tab_a);
    store_b.before_next_read_all(Box::new(move || Box::pin(async move { other.run_sagas().await })));
    block_on(tab_b.run_sagas());

    let stored = block_on(storage.read_all(0)).unwrap();
    let withdrawals = stored.iter().filter(|event| event.event_type == "MoneyWithdrawn").count();
    assert_eq!(withdrawals, 1, "acc-1 was withdrawn {withdrawals} times for one transfer");
    assert_eq!(balances(&tab_b), (700, 300));
    assert_eq!(stored.iter().filter(|event| event.event_type == "TransferWithdrawn").count(), 1);
}
