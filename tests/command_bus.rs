#![cfg(not(target_arch = "wasm32"))]
//! The command bus through the lab's JSON envelopes (seed 004): the middleware chain
//! of logging, validation and authorization, in the order the user sets.

mod common;

use serde_json::{json, Value};

use kiroku::cqrs::command_bus::{Chain, Middleware, Slot};
use kiroku::domain::COMMAND_TYPES;
use kiroku::event_sourcing::memory_store::MemoryStore;
use kiroku::event_sourcing::store::EventStore;
use kiroku::lab::{Lab, COMMAND_LOG_LENGTH};

use common::{accept, command, new_lab, send};

// ---- helpers --------------------------------------------------------------------

fn all_events<S: EventStore>(lab: &Lab<S>) -> Value {
    serde_json::to_value(lab.events(&json!({})).expect("the whole log")).unwrap()
}

fn log_json<S: EventStore>(lab: &Lab<S>) -> Vec<Value> {
    lab.command_log().iter().map(|entry| serde_json::to_value(entry).expect("a log entry serializes")).collect()
}

fn item(product_name: &str, quantity: i64, unit_price_cents: i64) -> Value {
    json!({"product_name": product_name, "quantity": quantity, "unit_price_cents": unit_price_cents})
}

/// The lab's chain with one middleware turned on or off.
fn with_enabled<S: EventStore>(lab: &Lab<S>, middleware: Middleware, enabled: bool) {
    let mut chain = lab.chain();
    chain.set_enabled(middleware, enabled);
    assert!(lab.set_chain(chain), "a complete chain is accepted");
}

/// The lab's chain with one middleware moved by `by` places (negative: outwards).
fn shifted<S: EventStore>(lab: &Lab<S>, middleware: Middleware, by: isize) {
    let mut chain = lab.chain();
    for _ in 0..by.unsigned_abs() {
        chain.shift(middleware, by.signum());
    }
    assert!(lab.set_chain(chain), "a reordered chain is accepted");
}

fn order(lab: &Lab<MemoryStore>) -> Vec<Middleware> {
    lab.chain().slots.iter().map(|slot| slot.middleware).collect()
}

/// An order o-1 with a laptop, confirmed: ready to ship. Sent as the admin.
fn confirmed_order() -> Lab<MemoryStore> {
    let lab = new_lab();
    accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    accept(&lab, command("AddItem", "o-1", item("ノートPC", 1, 120000)));
    accept(&lab, command("ConfirmOrder", "o-1", json!({})));
    lab
}

#[track_caller]
fn assert_status(result: &Value, status: &str, code: &str) {
    assert_eq!(result["status"], status, "{result}");
    assert_eq!(result["error"]["code"], code, "{result}");
}

/// The result is refused with `code`, its message names every one of `words`, and
/// the log is exactly as it was.
#[track_caller]
fn assert_refused_writing_nothing<S: EventStore>(lab: &Lab<S>, before: &Value, result: &Value, status: &str, code: &str, words: &[&str]) {
    assert_status(result, status, code);
    let message = result["error"]["message"].as_str().unwrap_or("");
    for word in words {
        assert!(message.contains(word), "the message names `{word}`: {message}");
    }
    assert!(result.get("events").is_none(), "no events: {result}");
    assert_eq!(&all_events(lab), before, "nothing was written");
}

// ---- validation -------------------------------------------------------------------

#[test]
fn the_default_chain_is_logging_then_validation_then_authorization_all_on() {
    let lab = new_lab();
    assert_eq!(order(&lab), vec![Middleware::Logging, Middleware::Validation, Middleware::Authorization]);
    assert!(lab.chain().slots.iter().all(|slot| slot.enabled));
    assert_eq!(lab.user().name, "workshop-user");
}

#[test]
fn validation_refuses_an_item_of_quantity_zero_naming_the_field_and_writes_nothing() {
    let lab = new_lab();
    accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    let before = all_events(&lab);
    let result = send(&lab, command("AddItem", "o-1", item("ノートPC", 0, 120000)));
    assert_refused_writing_nothing(&lab, &before, &result, "invalid", "validation_failed", &["quantity"]);
    assert_eq!(lab.head(), 1);
}

#[test]
fn validation_refuses_a_negative_deposit_naming_the_amount() {
    let lab = new_lab();
    accept(&lab, command("CreateAccount", "acc-1", json!({"account_id": "acc-1", "owner": "山田太郎", "initial_balance": 1000})));
    let before = all_events(&lab);
    let result = send(&lab, command("DepositMoney", "acc-1", json!({"amount": -5})));
    assert_refused_writing_nothing(&lab, &before, &result, "invalid", "validation_failed", &["amount"]);
    assert_eq!(lab.head(), 1);
}

#[test]
fn validation_refuses_an_account_id_in_the_data_that_differs_from_the_aggregate_id() {
    let lab = new_lab();
    let before = all_events(&lab);
    let result = send(&lab, command("CreateAccount", "acc-1", json!({"account_id": "acc-2", "owner": "山田太郎", "initial_balance": 0})));
    assert_refused_writing_nothing(&lab, &before, &result, "invalid", "validation_failed", &["account_id"]);
    assert_eq!(lab.head(), 0);
    // The same command with the ids agreeing, or without the repeated id, goes through.
    accept(&lab, command("CreateAccount", "acc-1", json!({"account_id": "acc-1", "owner": "山田太郎", "initial_balance": 0})));
    accept(&lab, command("CreateAccount", "acc-3", json!({"owner": "佐藤花子", "initial_balance": 0})));
    let result = send(&lab, command("WithdrawMoney", "acc-1", json!({"account_id": "acc-3", "amount": 1})));
    assert_status(&result, "invalid", "validation_failed");
    assert_eq!(lab.head(), 2);
}

#[test]
fn validation_refuses_a_sku_in_the_data_that_differs_from_the_aggregate_id() {
    let lab = new_lab();
    let before = all_events(&lab);
    let result = send(&lab, command("ReceiveStock", "SKU-PC", json!({"sku": "SKU-MOUSE", "quantity": 10})));
    assert_refused_writing_nothing(&lab, &before, &result, "invalid", "validation_failed", &["sku"]);
    assert_eq!(lab.head(), 0);
    accept(&lab, command("ReceiveStock", "SKU-PC", json!({"sku": "SKU-PC", "quantity": 10})));
}

#[test]
fn validation_names_every_problem_of_a_command_at_once() {
    let lab = new_lab();
    accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    let result = send(&lab, command("AddItem", "o-1", item(" ", 0, -1)));
    assert_status(&result, "invalid", "validation_failed");
    let message = result["error"]["message"].as_str().unwrap();
    for field in ["product_name", "quantity", "unit_price_cents"] {
        assert!(message.contains(field), "names {field}: {message}");
    }
}

#[test]
fn validation_refuses_out_of_range_input_of_every_aggregate() {
    let lab = new_lab();
    let cases = [
        (command("CreateOrder", "o-1", json!({"customer_name": "  "})), "customer_name"),
        (command("CancelOrder", "o-1", json!({"reason": ""})), "reason"),
        (command("RemoveItem", "o-1", json!({"product_name": ""})), "product_name"),
        (command("CreateAccount", "acc-1", json!({"owner": "", "initial_balance": 0})), "owner"),
        (command("CreateAccount", "acc-1", json!({"owner": "山田太郎", "initial_balance": -1})), "initial_balance"),
        (command("WithdrawMoney", "acc-1", json!({"amount": 0})), "amount"),
        (command("ReceiveStock", "SKU-PC", json!({"sku": "SKU-PC", "quantity": 0})), "quantity"),
        (command("ReserveStock", "SKU-PC", json!({"order_id": "o-1", "quantity": 0})), "quantity"),
        (command("ReserveStock", "SKU-PC", json!({"order_id": " ", "quantity": 1})), "order_id"),
        (command("ReleaseStock", "SKU-PC", json!({"order_id": ""})), "order_id"),
        (command("CreateProduct", "p-1", json!({"name": "", "price": 100, "category_id": "c"})), "name"),
        (command("CreateProduct", "p-1", json!({"name": "ノートPC", "price": 0, "category_id": "c"})), "price"),
        (command("CreateProduct", "p-1", json!({"name": "ノートPC", "price": 100, "category_id": ""})), "category_id"),
        (command("UpdatePrice", "p-1", json!({"new_price": -100})), "new_price"),
    ];
    for (envelope, field) in cases {
        let result = send(&lab, envelope.clone());
        assert_status(&result, "invalid", "validation_failed");
        let message = result["error"]["message"].as_str().unwrap();
        assert!(message.contains(field), "{envelope}: the message names {field}: {message}");
    }
    assert_eq!(lab.head(), 0, "nothing was written");
}

#[test]
fn without_validation_an_item_of_quantity_zero_reaches_the_order_and_is_rejected_there() {
    let lab = new_lab();
    accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    with_enabled(&lab, Middleware::Validation, false);
    assert_eq!(lab.chain().enabled(), vec![Middleware::Logging, Middleware::Authorization]);
    let before = all_events(&lab);
    let result = send(&lab, command("AddItem", "o-1", item("ノートPC", 0, 120000)));
    assert_refused_writing_nothing(&lab, &before, &result, "rejected", "invalid_quantity", &[]);
    assert_eq!(lab.head(), 1);
    let entry = lab.command_log().pop().expect("logged");
    assert_eq!((entry.status, entry.code.as_deref(), entry.stopped_by), ("rejected", Some("invalid_quantity"), None), "the aggregate refused it, no middleware");
}

#[test]
fn without_validation_a_negative_deposit_is_rejected_by_the_account() {
    let lab = new_lab();
    accept(&lab, command("CreateAccount", "acc-1", json!({"owner": "山田太郎", "initial_balance": 1000})));
    with_enabled(&lab, Middleware::Validation, false);
    let before = all_events(&lab);
    let result = send(&lab, command("DepositMoney", "acc-1", json!({"amount": -5})));
    assert_refused_writing_nothing(&lab, &before, &result, "rejected", "invalid_amount", &["-5"]);
}

#[test]
fn turning_validation_back_on_refuses_again() {
    let lab = new_lab();
    accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    with_enabled(&lab, Middleware::Validation, false);
    with_enabled(&lab, Middleware::Validation, true);
    assert_status(&send(&lab, command("AddItem", "o-1", item("ノートPC", 0, 1))), "invalid", "validation_failed");
}

#[test]
fn a_malformed_envelope_is_invalid_with_or_without_validation() {
    let lab = new_lab();
    let malformed = [
        json!({"aggregate_id": "o-1", "data": {"customer_name": "山田太郎"}}),
        json!({"command_type": "CreateOrder", "data": {"customer_name": "山田太郎"}}),
        command("CreateOrder", "o-1", json!("山田太郎")),
        json!("CreateOrder"),
    ];
    for validation in [true, false] {
        with_enabled(&lab, Middleware::Validation, validation);
        for envelope in &malformed {
            let result = send(&lab, envelope.clone());
            assert_status(&result, "invalid", "malformed_envelope");
            assert!(!result["error"]["message"].as_str().unwrap_or("").is_empty(), "{result}");
        }
        let unknown = send(&lab, command("PayOrder", "o-1", json!({})));
        assert_status(&unknown, "invalid", "unknown_command");
        let bad_data = send(&lab, command("CreateOrder", "o-1", json!({"customer": "山田太郎"})));
        assert_status(&bad_data, "invalid", "invalid_data");
    }
    assert_eq!(lab.head(), 0, "nothing was written");
    let stopped: Vec<Option<Middleware>> = lab.command_log().iter().map(|entry| entry.stopped_by).collect();
    assert_eq!(stopped[..6], [Some(Middleware::Validation); 6], "with validation on, validation stopped them");
    assert_eq!(stopped[6..], [None; 6], "without it, the bus itself refused what it could not read");
}

// ---- authorization ----------------------------------------------------------------

#[test]
fn a_customer_may_not_ship_an_order_and_is_told_who_they_are_and_what_is_needed() {
    let lab = confirmed_order();
    assert!(lab.switch_user("customer-yamada"));
    let before = all_events(&lab);
    let result = send(&lab, command("ShipOrder", "o-1", json!({})));
    assert_refused_writing_nothing(&lab, &before, &result, "rejected", "forbidden", &["customer-yamada", "customer", "admin", "ShipOrder"]);
    assert_eq!(lab.head(), 3);
}

#[test]
fn a_customer_may_not_update_a_price() {
    let lab = new_lab();
    accept(&lab, command("CreateProduct", "p-1", json!({"name": "ノートPC", "price": 120000, "category_id": "cat-pc"})));
    assert!(lab.switch_user("customer-yamada"));
    let before = all_events(&lab);
    let result = send(&lab, command("UpdatePrice", "p-1", json!({"new_price": 1})));
    assert_refused_writing_nothing(&lab, &before, &result, "rejected", "forbidden", &["customer-yamada", "customer", "admin", "UpdatePrice"]);
}

#[test]
fn a_customer_may_order_and_bank() {
    let lab = new_lab();
    assert!(lab.switch_user("customer-yamada"));
    accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    accept(&lab, command("AddItem", "o-1", item("ノートPC", 1, 120000)));
    accept(&lab, command("ConfirmOrder", "o-1", json!({})));
    accept(&lab, command("CreateAccount", "acc-1", json!({"owner": "山田太郎", "initial_balance": 100})));
    accept(&lab, command("WithdrawMoney", "acc-1", json!({"amount": 100})));
}

#[test]
fn a_clerk_may_receive_stock_but_not_ship() {
    let lab = confirmed_order();
    assert!(lab.switch_user("clerk-sato"));
    assert_eq!(lab.user().name, "clerk-sato");
    let received = accept(&lab, command("ReceiveStock", "SKU-PC", json!({"sku": "SKU-PC", "quantity": 10})));
    assert_eq!(received["events"][0]["metadata"]["actor"], "clerk-sato");
    accept(&lab, command("CreateProduct", "p-1", json!({"name": "ノートPC", "price": 120000, "category_id": "cat-pc"})));
    let before = all_events(&lab);
    let result = send(&lab, command("ShipOrder", "o-1", json!({})));
    assert_refused_writing_nothing(&lab, &before, &result, "rejected", "forbidden", &["clerk-sato", "clerk", "admin"]);
    assert_status(&send(&lab, command("UpdatePrice", "p-1", json!({"new_price": 99000}))), "rejected", "forbidden");
}

#[test]
fn the_workshop_admin_may_send_every_command_type() {
    let lab = new_lab();
    assert_eq!(lab.user().role.as_str(), "admin");
    let story = vec![
        command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})),
        command("AddItem", "o-1", item("ノートPC", 1, 120000)),
        command("AddItem", "o-1", item("マウス", 1, 3000)),
        command("RemoveItem", "o-1", json!({"product_name": "マウス"})),
        command("ConfirmOrder", "o-1", json!({})),
        command("MarkReadyToShip", "o-1", json!({})),
        command("ShipOrder", "o-1", json!({})),
        command("CreateOrder", "o-2", json!({"customer_name": "佐藤花子"})),
        command("CancelOrder", "o-2", json!({"reason": "changed her mind"})),
        command("CreateAccount", "acc-1", json!({"account_id": "acc-1", "owner": "山田太郎", "initial_balance": 1000})),
        command("DepositMoney", "acc-1", json!({"account_id": "acc-1", "amount": 500})),
        command("CreateAccount", "acc-2", json!({"owner": "佐藤花子", "initial_balance": 0})),
        command("TransferMoney", "acc-1", json!({"to_account": "acc-2", "amount": 100})),
        command("WithdrawMoney", "acc-1", json!({"amount": 1400})),
        command("ReceiveStock", "SKU-PC", json!({"sku": "SKU-PC", "quantity": 10})),
        command("ReserveStock", "SKU-PC", json!({"order_id": "o-1", "quantity": 1})),
        command("ReleaseStock", "SKU-PC", json!({"order_id": "o-1"})),
        command("CreateProduct", "p-1", json!({"name": "ノートPC", "price": 120000, "category_id": "cat-pc"})),
        command("UpdatePrice", "p-1", json!({"new_price": 99000})),
    ];
    let mut sent: Vec<&str> = Vec::new();
    for envelope in &story {
        let result = accept(&lab, envelope.clone());
        assert_eq!(result["events"][0]["metadata"]["actor"], "workshop-user");
        sent.push(envelope["command_type"].as_str().unwrap());
    }
    let mut every: Vec<&str> = COMMAND_TYPES.iter().map(|(name, _)| *name).collect();
    sent.sort_unstable();
    sent.dedup();
    every.sort_unstable();
    assert_eq!(sent, every, "the story covers every command type");
    // The transfer saga adds four: the withdrawal, its step, the deposit, its step.
    assert_eq!(lab.head(), story.len() as u64 + 4);
}

#[test]
fn who_may_send_what_is_the_same_for_every_command_type_as_the_roles_say() {
    // Authorization first, so that empty data is judged on the role alone.
    let lab = new_lab();
    shifted(&lab, Middleware::Authorization, -2);
    assert_eq!(order(&lab), vec![Middleware::Authorization, Middleware::Logging, Middleware::Validation]);
    let admin_only = ["ShipOrder", "UpdatePrice"];
    let clerk_or_above = ["ReceiveStock", "ReserveStock", "ReleaseStock", "CreateProduct", "MarkReadyToShip"];
    for user in ["workshop-user", "clerk-sato", "customer-yamada"] {
        assert!(lab.switch_user(user));
        for (command_type, _) in COMMAND_TYPES {
            let forbidden_expected = match user {
                "customer-yamada" => admin_only.contains(command_type) || clerk_or_above.contains(command_type),
                "clerk-sato" => admin_only.contains(command_type),
                _ => false,
            };
            let result = send(&lab, command(command_type, "x-1", json!({})));
            let forbidden = result["error"]["code"] == "forbidden";
            assert_eq!(forbidden, forbidden_expected, "{user} sending {command_type}: {result}");
            if forbidden {
                assert_eq!(result["status"], "rejected", "{result}");
            }
        }
    }
    assert_eq!(lab.head(), 0);
}

#[test]
fn without_authorization_a_customer_can_ship() {
    let lab = confirmed_order();
    assert!(lab.switch_user("customer-yamada"));
    with_enabled(&lab, Middleware::Authorization, false);
    let result = accept(&lab, command("ShipOrder", "o-1", json!({})));
    assert_eq!(result["events"][0]["event_type"], "OrderShipped");
    assert_eq!(result["events"][0]["metadata"]["actor"], "customer-yamada");
    assert_eq!(lab.head(), 4);
}

#[test]
fn the_actor_in_event_metadata_is_the_current_user_unless_the_envelope_names_one() {
    let lab = new_lab();
    let admin = accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    assert_eq!(admin["events"][0]["metadata"]["actor"], "workshop-user");
    assert!(lab.switch_user("customer-yamada"));
    let customer = accept(&lab, command("AddItem", "o-1", item("ノートPC", 1, 120000)));
    assert_eq!(customer["events"][0]["metadata"]["actor"], "customer-yamada");
    let mut named = command("AddItem", "o-1", item("マウス", 1, 3000));
    named["metadata"] = json!({"actor": "alice"});
    let result = accept(&lab, named);
    assert_eq!(result["events"][0]["metadata"]["actor"], "alice", "metadata.actor overrides the current user");
    let actors: Vec<Value> = all_events(&lab).as_array().unwrap().iter().map(|event| event["metadata"]["actor"].clone()).collect();
    assert_eq!(actors, vec![json!("workshop-user"), json!("customer-yamada"), json!("alice")], "the log holds the same");
    let logged: Vec<String> = lab.command_log().into_iter().map(|entry| entry.actor).collect();
    assert_eq!(logged, vec!["workshop-user", "customer-yamada", "alice"], "and so does the command log");
}

#[test]
fn switching_to_an_unknown_user_is_refused_and_changes_nothing() {
    let lab = new_lab();
    assert!(lab.switch_user("customer-yamada"));
    assert!(!lab.switch_user("nobody"));
    assert!(!lab.switch_user(""));
    assert!(!lab.switch_user("Clerk-Sato"), "names are exact");
    assert_eq!(lab.user().name, "customer-yamada", "still the customer");
    accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    assert_eq!(all_events(&lab)[0]["metadata"]["actor"], "customer-yamada");
    assert_status(&send(&lab, command("ShipOrder", "o-1", json!({}))), "rejected", "forbidden");
}

// ---- logging ------------------------------------------------------------------------

#[test]
fn every_command_is_logged_with_its_outcome() {
    let lab = new_lab();
    accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    send(&lab, command("ConfirmOrder", "o-1", json!({})));
    send(&lab, command("AddItem", "o-1", item("ノートPC", 0, 1)));
    let mut stale = command("AddItem", "o-1", item("ノートPC", 1, 1));
    stale["expected_version"] = json!(0);
    send(&lab, stale);
    assert!(lab.switch_user("customer-yamada"));
    send(&lab, command("ShipOrder", "o-1", json!({})));
    send(&lab, json!({"aggregate_id": "o-9"}));

    let log = log_json(&lab);
    assert_eq!(log.len(), 6, "{log:#?}");
    let rows: Vec<(u64, &str, &str, &str, &str, Value, Value)> = log
        .iter()
        .map(|entry| {
            (
                entry["sequence"].as_u64().unwrap(),
                entry["command_type"].as_str().unwrap(),
                entry["aggregate_id"].as_str().unwrap(),
                entry["actor"].as_str().unwrap(),
                entry["status"].as_str().unwrap(),
                entry["code"].clone(),
                entry["stopped_by"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (1, "CreateOrder", "o-1", "workshop-user", "accepted", Value::Null, Value::Null),
            (2, "ConfirmOrder", "o-1", "workshop-user", "rejected", json!("empty_order"), Value::Null),
            (3, "AddItem", "o-1", "workshop-user", "invalid", json!("validation_failed"), json!("validation")),
            (4, "AddItem", "o-1", "workshop-user", "conflict", Value::Null, Value::Null),
            (5, "ShipOrder", "o-1", "customer-yamada", "rejected", json!("forbidden"), json!("authorization")),
            (6, "", "o-9", "customer-yamada", "invalid", json!("malformed_envelope"), json!("validation")),
        ]
    );
    for entry in &log {
        let duration = entry["duration_ms"].as_f64().expect("a duration");
        assert!(duration >= 0.0 && duration.is_finite(), "{entry}");
        let at = entry["at"].as_str().expect("a time");
        assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
    }
}

#[test]
fn with_logging_off_nothing_is_logged() {
    let lab = new_lab();
    accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})));
    assert_eq!(lab.command_log().len(), 1);
    with_enabled(&lab, Middleware::Logging, false);
    accept(&lab, command("CreateOrder", "o-2", json!({"customer_name": "佐藤花子"})));
    send(&lab, command("AddItem", "o-1", item("ノートPC", 0, 1)));
    send(&lab, command("PayOrder", "o-1", json!({})));
    assert_eq!(lab.command_log().len(), 1, "nothing was added");
    assert_eq!(lab.head(), 2, "the commands themselves still ran");
    with_enabled(&lab, Middleware::Logging, true);
    accept(&lab, command("CreateOrder", "o-3", json!({"customer_name": "鈴木一郎"})));
    let log = lab.command_log();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].aggregate_id, "o-3");
    assert!(log[1].sequence > log[0].sequence);
}

#[test]
fn logging_outermost_records_a_command_that_authorization_stopped() {
    let lab = confirmed_order();
    assert!(lab.switch_user("customer-yamada"));
    let result = send(&lab, command("ShipOrder", "o-1", json!({})));
    assert_status(&result, "rejected", "forbidden");
    let entry = lab.command_log().pop().expect("logged");
    assert_eq!(entry.command_type, "ShipOrder");
    assert_eq!(entry.status, "rejected");
    assert_eq!(entry.code.as_deref(), Some("forbidden"));
    assert_eq!(entry.stopped_by, Some(Middleware::Authorization));
    assert_eq!(log_json(&lab).last().unwrap()["stopped_by"], "authorization");
}

#[test]
fn logging_innermost_records_only_the_commands_that_reached_the_aggregate() {
    let lab = confirmed_order();
    shifted(&lab, Middleware::Logging, 1);
    shifted(&lab, Middleware::Logging, 1);
    assert_eq!(order(&lab), vec![Middleware::Validation, Middleware::Authorization, Middleware::Logging]);
    let logged_before = lab.command_log().len();
    assert!(lab.switch_user("customer-yamada"));
    assert_status(&send(&lab, command("ShipOrder", "o-1", json!({}))), "rejected", "forbidden");
    assert_status(&send(&lab, command("AddItem", "o-1", item("ノートPC", 0, 1))), "invalid", "validation_failed");
    assert_eq!(lab.command_log().len(), logged_before, "refused before logging: not logged");
    accept(&lab, command("CreateOrder", "o-2", json!({"customer_name": "山田太郎"})));
    let rejected = send(&lab, command("ConfirmOrder", "o-2", json!({})));
    assert_status(&rejected, "rejected", "empty_order");
    let log = lab.command_log();
    assert_eq!(log.len(), logged_before + 2, "what reached the aggregate is logged, accepted or not");
    let last_two: Vec<(&str, &str, Option<Middleware>)> =
        log[logged_before..].iter().map(|entry| (entry.command_type.as_str(), entry.status, entry.stopped_by)).collect();
    assert_eq!(last_two, vec![("CreateOrder", "accepted", None), ("ConfirmOrder", "rejected", None)]);
}

#[test]
fn authorization_before_validation_refuses_a_customers_malformed_shipment_as_forbidden() {
    let lab = confirmed_order();
    assert!(lab.switch_user("customer-yamada"));
    let malformed = command("ShipOrder", "o-1", json!("now"));
    // The default order: validation speaks first.
    assert_status(&send(&lab, malformed.clone()), "invalid", "malformed_envelope");
    shifted(&lab, Middleware::Authorization, -1);
    assert_eq!(order(&lab), vec![Middleware::Logging, Middleware::Authorization, Middleware::Validation]);
    let result = send(&lab, malformed);
    assert_status(&result, "rejected", "forbidden");
    assert_eq!(lab.command_log().last().unwrap().stopped_by, Some(Middleware::Authorization));
    assert_eq!(lab.head(), 3);
    // The admin's malformed shipment passes authorization and is still invalid.
    assert!(lab.switch_user("workshop-user"));
    assert_status(&send(&lab, command("ShipOrder", "o-1", json!("now"))), "invalid", "malformed_envelope");
}

#[test]
fn a_chain_missing_or_repeating_a_middleware_is_refused_and_the_chain_is_kept() {
    let lab = new_lab();
    shifted(&lab, Middleware::Validation, 1);
    let kept = lab.chain();
    let slot = |middleware, enabled| Slot { middleware, enabled };
    let broken = [
        Chain { slots: vec![] },
        Chain { slots: vec![slot(Middleware::Logging, true), slot(Middleware::Validation, true)] },
        Chain {
            slots: vec![slot(Middleware::Logging, true), slot(Middleware::Logging, true), slot(Middleware::Validation, true)],
        },
        Chain {
            slots: vec![
                slot(Middleware::Logging, true),
                slot(Middleware::Validation, true),
                slot(Middleware::Authorization, true),
                slot(Middleware::Authorization, false),
            ],
        },
    ];
    for chain in broken {
        assert!(!lab.set_chain(chain.clone()), "{chain:?} is refused");
        assert_eq!(lab.chain(), kept, "and the chain is unchanged");
    }
    // Authorization still runs: a customer cannot ship.
    assert!(lab.switch_user("customer-yamada"));
    assert_status(&send(&lab, command("ShipOrder", "o-1", json!({}))), "rejected", "forbidden");
    // A complete chain in any order is taken.
    let reversed = Chain { slots: kept.slots.iter().rev().copied().collect() };
    assert!(lab.set_chain(reversed.clone()));
    assert_eq!(lab.chain(), reversed);
}

#[test]
fn shifting_past_either_end_of_the_chain_changes_nothing() {
    let mut chain = Chain::default();
    chain.shift(Middleware::Logging, -1);
    chain.shift(Middleware::Authorization, 1);
    assert_eq!(chain, Chain::default());
    chain.shift(Middleware::Logging, 1);
    assert_eq!(
        chain.slots.iter().map(|slot| slot.middleware).collect::<Vec<_>>(),
        vec![Middleware::Validation, Middleware::Logging, Middleware::Authorization]
    );
}

// ---- correlation and causation ------------------------------------------------------

#[test]
fn every_event_of_one_command_shares_its_correlation_id_and_commands_differ() {
    let lab = new_lab();
    let mut correlations: Vec<String> = Vec::new();
    for envelope in [
        command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"})),
        command("AddItem", "o-1", item("ノートPC", 1, 120000)),
        command("CreateAccount", "acc-1", json!({"owner": "山田太郎", "initial_balance": 0})),
        command("ReceiveStock", "SKU-PC", json!({"sku": "SKU-PC", "quantity": 1})),
    ] {
        let result = accept(&lab, envelope);
        let events = result["events"].as_array().unwrap();
        assert!(!events.is_empty());
        let correlation = events[0]["metadata"]["correlation_id"].as_str().unwrap().to_owned();
        for event in events {
            assert_eq!(event["metadata"]["correlation_id"], correlation.as_str(), "{result}");
            assert_eq!(event["metadata"]["causation_id"], correlation.as_str(), "a command nobody caused starts its conversation");
            let recorded = lab.event_at(event["position"].as_u64().unwrap()).unwrap();
            assert_eq!(recorded.metadata.correlation_id, correlation, "the log holds the same id");
        }
        correlations.push(correlation);
    }
    let mut unique = correlations.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), correlations.len(), "each command has its own correlation id: {correlations:?}");
}

#[test]
fn correlation_and_causation_given_in_the_envelope_are_kept() {
    let lab = new_lab();
    accept(&lab, command("CreateAccount", "acc-1", json!({"owner": "山田太郎", "initial_balance": 0})));
    let mut envelope = command("DepositMoney", "acc-1", json!({"amount": 500}));
    envelope["metadata"] = json!({"correlation_id": "transfer-7", "causation_id": "MoneyWithdrawn-acc-2"});
    let result = accept(&lab, envelope);
    let event = &result["events"][0];
    assert_eq!(event["metadata"]["correlation_id"], "transfer-7");
    assert_eq!(event["metadata"]["causation_id"], "MoneyWithdrawn-acc-2");
    assert_eq!(event["metadata"]["actor"], "workshop-user", "the actor is still filled in");
    let recorded = lab.event_at(2).unwrap();
    assert_eq!((recorded.metadata.correlation_id.as_str(), recorded.metadata.causation_id.as_str()), ("transfer-7", "MoneyWithdrawn-acc-2"));
}

// ---- the length of the command log --------------------------------------------------

#[test]
fn the_command_log_keeps_only_the_latest_entries() {
    let lab = new_lab();
    let sent = COMMAND_LOG_LENGTH + 5;
    for n in 1..=sent {
        let result = send(&lab, command("PayOrder", &format!("o-{n}"), json!({})));
        assert_status(&result, "invalid", "unknown_command");
    }
    let log = lab.command_log();
    assert_eq!(log.len(), COMMAND_LOG_LENGTH);
    let sequences: Vec<u64> = log.iter().map(|entry| entry.sequence).collect();
    let expected: Vec<u64> = (6..=sent as u64).collect();
    assert_eq!(sequences, expected, "the first five were dropped, the rest kept in order");
    assert_eq!(log[0].aggregate_id, "o-6");
    assert_eq!(log.last().unwrap().aggregate_id, format!("o-{sent}"));
}
