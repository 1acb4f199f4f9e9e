#![cfg(not(target_arch = "wasm32"))]
//! The projection engine of seed 001, through the lab and directly: a projector
//! that fails stops on its event while the others keep up; the failure is retried
//! after 1 min, 5 min, 15 min, 1 h and 6 h of workshop time, then dead-lettered
//! until a person retries or skips it; a rebuild reads the log again in batches
//! while commands keep appending, and ends equal to a fresh fold.

mod common;

use chrono::{DateTime, Duration, Utc};
use futures::executor::block_on;
use serde_json::{json, Value};

use kiroku::domain::Event;
use kiroku::event_sourcing::envelope::QueryEnvelope;
use kiroku::event_sourcing::memory_store::MemoryStore;
use kiroku::event_sourcing::projection::Projector;
use kiroku::event_sourcing::projection_engine::{
    self as engine, Fault, FaultMode, Health, LaneState, NotStopped, Pumped, Rebuild, BACKOFF_MINUTES, MAX_RETRIES,
};
use kiroku::event_sourcing::recorded::RecordedEvent;
use kiroku::lab::Lab;
use kiroku::read_models::inventory::InventoryLevels;
use kiroku::read_models::order_summary::OrderSummary;
use kiroku::read_models::ReadModels;

use common::{accept, command, log_of, new_lab, new_lab_with_clock, new_lab_with_still_clock, query, start_time, to_json, Shared, TestEnv};

/// Every projector, in lane order.
const PROJECTORS: [&str; 10] = [
    "order_summary",
    "order_details",
    "customer_orders",
    "product_sales",
    "daily_stats",
    "account_balances",
    "account_history",
    "inventory",
    "product_catalog",
    "user_activity",
];

// ---- helpers ---------------------------------------------------------------------

fn always(event_type: &str) -> Fault {
    Fault { event_type: Some(event_type.to_owned()), mode: FaultMode::Always, seen: 0 }
}

fn nth(n: u32, event_type: &str) -> Fault {
    Fault { event_type: Some(event_type.to_owned()), mode: FaultMode::Nth(n), seen: 0 }
}

fn item(name: &str, quantity: u32, price: i64) -> Value {
    json!({"product_name": name, "quantity": quantity, "unit_price_cents": price})
}

fn create_order(id: &str, customer: &str) -> Value {
    command("CreateOrder", id, json!({"customer_name": customer}))
}

fn add_item(id: &str, name: &str, quantity: u32, price: i64) -> Value {
    command("AddItem", id, item(name, quantity, price))
}

/// What `projection_status` says, as JSON.
fn status(lab: &Lab<MemoryStore>) -> Value {
    to_json(&lab.projection_status())
}

/// One projector's report in the status.
#[track_caller]
fn projector(lab: &Lab<MemoryStore>, name: &str) -> Value {
    status(lab)["projectors"]
        .as_array()
        .expect("a list of projectors")
        .iter()
        .find(|report| report["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no projector {name} in the status"))
}

/// `running`, `retrying` or `dead_lettered`.
fn state(report: &Value) -> String {
    report["health"]["state"].as_str().unwrap_or_else(|| panic!("no health state in {report}")).to_owned()
}

#[track_caller]
fn time(value: &Value) -> DateTime<Utc> {
    let text = value.as_str().unwrap_or_else(|| panic!("{value} is not a time"));
    DateTime::parse_from_rfc3339(text).expect("an RFC 3339 time").with_timezone(&Utc)
}

/// A fresh fold of the whole log, leaving out the event at `without` if given.
fn fold(log: &[(RecordedEvent, Event)], without: Option<u64>) -> ReadModels {
    let mut models = ReadModels::default();
    for (recorded, event) in log.iter().filter(|(recorded, _)| Some(recorded.position) != without) {
        models.apply(recorded, event);
    }
    models
}

/// The lab's live read models (each at its own checkpoint).
fn live(lab: &Lab<MemoryStore>) -> ReadModels {
    lab.read_models_at(lab.head())
}

/// Every projector but `except` is running at the head.
#[track_caller]
fn others_keep_up(lab: &Lab<MemoryStore>, except: &str) {
    let head = lab.head();
    for report in status(lab)["projectors"].as_array().unwrap() {
        if report["name"] == except {
            continue;
        }
        assert_eq!(state(report), "running", "{report}");
        assert_eq!((report["position"].as_u64(), report["lag"].as_u64()), (Some(head), Some(0)), "{report}");
    }
}

/// The `data` of an `ok` query answer.
#[track_caller]
fn data(lab: &Lab<MemoryStore>, envelope: Value) -> Value {
    let result = query(lab, envelope.clone());
    assert_eq!(result["status"], "ok", "{envelope} → {result}");
    result["data"].clone()
}

/// The answer a fresh fold gives to a query at `head`.
fn fresh_answer(models: &ReadModels, envelope: &Value, head: u64) -> Value {
    models.answer(&QueryEnvelope::parse(envelope).expect("a query envelope"), head).expect("an answer")
}

/// 1 CreateOrder o-1, 2 AddItem laptop (fails: order_summary has a fault on every
/// ItemAdded), 3 CreateOrder o-2, 4 AddItem o-1 mice, 5 AddItem o-2 keyboard.
fn failing_summary() -> Lab<MemoryStore> {
    let lab = new_lab();
    accept(&lab, create_order("o-1", "山田太郎")); // 1
    assert!(lab.set_fault("order_summary", Some(always("ItemAdded"))));
    accept(&lab, add_item("o-1", "ノートPC", 1, 120000)); // 2
    accept(&lab, create_order("o-2", "佐藤花子")); // 3
    accept(&lab, add_item("o-1", "マウス", 2, 3000)); // 4
    accept(&lab, add_item("o-2", "キーボード", 1, 8000)); // 5
    let summary = projector(&lab, "order_summary");
    assert_eq!(state(&summary), "retrying", "{summary}");
    assert_eq!(summary["health"]["error"]["position"], 2, "{summary}");
    lab
}

/// [`failing_summary`], left to run out of its five retries on the workshop clock.
fn dead_lettered_summary() -> Lab<MemoryStore> {
    let lab = failing_summary();
    for retry in 1..=5 {
        assert_eq!(state(&projector(&lab, "order_summary")), "retrying", "before retry {retry}");
        assert!(lab.advance_clock(Duration::hours(7)), "retry {retry} runs once it is due");
    }
    let summary = projector(&lab, "order_summary");
    assert_eq!(state(&summary), "dead_lettered", "{summary}");
    assert_eq!(summary["dead_letters"].as_array().map(Vec::len), Some(1), "{summary}");
    assert!(summary["dead_letters"][0]["resolution"].is_null(), "{summary}");
    lab
}

/// Fifty orders, 200 events: each order is created and gets two items, then is
/// confirmed, or an account is opened, or stock received.
fn two_hundred_events(lab: &Lab<MemoryStore>) {
    for i in 1..=50 {
        let id = format!("o-{i}");
        accept(lab, create_order(&id, &format!("customer {}", i % 7)));
        accept(lab, add_item(&id, &format!("product {}", i % 5), 1 + i % 3, 1000 * (1 + i as i64 % 5)));
        accept(lab, add_item(&id, "USBケーブル", 2, 500));
        match i % 3 {
            0 => accept(lab, command("ConfirmOrder", &id, json!({}))),
            1 => accept(lab, command("CreateAccount", &format!("acc-{i}"), json!({"owner": "山田太郎", "initial_balance": 1000}))),
            _ => accept(lab, command("ReceiveStock", &format!("sku-{i}"), json!({"sku": format!("sku-{i}"), "quantity": 5}))),
        };
    }
    assert_eq!(lab.head(), 200);
}

// ---- 1. the retry schedule, to the millisecond ------------------------------------

#[test]
fn seeds_backoff_is_1_5_15_60_and_360_minutes_and_five_retries() {
    assert_eq!(BACKOFF_MINUTES, [1, 5, 15, 60, 360]);
    assert_eq!(MAX_RETRIES, 5);
}

#[test]
fn a_failed_event_is_retried_after_1_5_15_60_and_360_workshop_minutes_exactly_then_dead_lettered() {
    let (lab, _hand) = new_lab_with_still_clock();
    accept(&lab, create_order("o-1", "山田太郎")); // 1
    assert!(lab.set_fault("order_summary", Some(always("ItemAdded"))));
    accept(&lab, add_item("o-1", "ノートPC", 1, 120000)); // 2

    let summary = projector(&lab, "order_summary");
    assert_eq!(state(&summary), "retrying", "{summary}");
    assert_eq!((summary["position"].clone(), summary["lag"].clone()), (json!(1), json!(1)), "it stops before the event");
    let error = &summary["health"]["error"];
    assert_eq!(error["projector"], "order_summary");
    assert_eq!(error["position"], 2);
    assert_eq!(error["event_type"], "ItemAdded");
    assert_eq!(error["retry_count"], 0);
    assert!(error["message"].as_str().is_some_and(|message| message.contains("ItemAdded")), "{error}");
    let failed_at = time(&error["failed_at"]);
    assert_eq!(failed_at, start_time(), "the still clock has not moved");
    let mut waits = vec![time(&error["next_retry_at"]) - failed_at];
    assert!(summary["dead_letters"].as_array().is_some_and(Vec::is_empty), "{summary}");

    for retry in 1..=5u64 {
        let before = projector(&lab, "order_summary");
        let due = time(&before["health"]["error"]["next_retry_at"]);
        let almost = due - lab.workshop_now() - Duration::seconds(1);
        if retry == 1 {
            assert_eq!(almost, Duration::seconds(59));
        }
        assert!(!lab.advance_clock(almost), "retry {retry} must not run a second early");
        assert_eq!(lab.workshop_now(), due - Duration::seconds(1));
        assert_eq!(projector(&lab, "order_summary")["health"], before["health"], "nothing moved before retry {retry}");

        assert!(lab.advance_clock(Duration::seconds(1)), "retry {retry} runs when it is due");
        assert_eq!(lab.workshop_now(), due);
        let after = projector(&lab, "order_summary");
        let error = &after["health"]["error"];
        assert_eq!(error["retry_count"], retry, "{after}");
        assert_eq!(time(&error["failed_at"]), due, "retry {retry} failed at the workshop time it ran");
        assert_eq!((error["position"].clone(), after["position"].clone()), (json!(2), json!(1)), "{after}");
        if retry < 5 {
            assert_eq!(state(&after), "retrying", "after retry {retry}: {after}");
            waits.push(time(&error["next_retry_at"]) - due);
            assert!(after["dead_letters"].as_array().is_some_and(Vec::is_empty), "{after}");
        } else {
            assert_eq!(state(&after), "dead_lettered", "after the 5th retry: {after}");
            assert!(error["next_retry_at"].is_null(), "{after}");
        }
        others_keep_up(&lab, "order_summary");
    }
    assert_eq!(waits, [1, 5, 15, 60, 360].map(Duration::minutes), "the wait before each retry");

    let summary = projector(&lab, "order_summary");
    let letters = summary["dead_letters"].as_array().expect("a list of dead letters");
    assert_eq!(letters.len(), 1, "{summary}");
    assert!(letters[0]["resolution"].is_null(), "it waits for a person: {summary}");
    let letter = &letters[0]["error"];
    assert_eq!((letter["position"].clone(), letter["event_type"].clone()), (json!(2), json!("ItemAdded")));
    assert_eq!((letter["retry_count"].clone(), letter["next_retry_at"].clone()), (json!(5), Value::Null));

    // A dead letter is never retried by the clock.
    assert!(!lab.advance_clock(Duration::days(30)));
    assert_eq!(projector(&lab, "order_summary")["health"], summary["health"]);
}

#[test]
fn at_clock_speed_60_a_real_second_is_a_workshop_minute_so_the_first_retry_comes_after_one_real_second() {
    let (lab, hand) = new_lab_with_still_clock();
    assert_eq!(lab.workshop_now(), start_time(), "at speed 1 the workshop clock is the real clock");
    lab.set_clock_speed(60.0);
    assert_eq!(lab.workshop_now(), start_time(), "changing the speed does not jump");
    hand.advance(Duration::seconds(10));
    assert_eq!(lab.workshop_now(), start_time() + Duration::minutes(10));
    hand.advance(Duration::minutes(1));
    let at = start_time() + Duration::minutes(70);
    assert_eq!(lab.workshop_now(), at);
    let now = status(&lab);
    assert_eq!((now["clock_speed"].as_f64(), time(&now["clock"])), (Some(60.0), at));

    accept(&lab, create_order("o-1", "山田太郎"));
    lab.set_fault("order_summary", Some(always("ItemAdded")));
    accept(&lab, add_item("o-1", "ノートPC", 1, 120000));
    let error = projector(&lab, "order_summary")["health"]["error"].clone();
    assert_eq!((time(&error["failed_at"]), time(&error["next_retry_at"])), (at, at + Duration::minutes(1)));

    hand.advance(Duration::milliseconds(999));
    assert!(!lab.tick(), "999 real ms are 59.94 workshop seconds: not due");
    hand.advance(Duration::milliseconds(1));
    assert!(lab.tick(), "one real second is the workshop minute");
    let error = projector(&lab, "order_summary")["health"]["error"].clone();
    assert_eq!(error["retry_count"], 1);
    assert_eq!(time(&error["next_retry_at"]), at + Duration::minutes(6));

    lab.set_clock_speed(1.0);
    let back = lab.workshop_now();
    assert_eq!(back, at + Duration::minutes(1), "slowing down does not jump either");
    hand.advance(Duration::seconds(10));
    assert_eq!(lab.workshop_now(), back + Duration::seconds(10));
}

#[test]
fn set_clock_speed_makes_workshop_time_run_60_times_the_real_time_the_clock_hand_moves() {
    let (lab, hand) = new_lab_with_clock();
    lab.set_clock_speed(60.0);
    let before = lab.workshop_now();
    hand.advance(Duration::seconds(30));
    let after = lab.workshop_now();
    // The test clock also ticks one real second per reading.
    assert_eq!(after - before, Duration::seconds(31 * 60));
    assert_eq!(lab.projection_status().clock_speed, 60.0);
}

// ---- 2. one failing projector never blocks another ---------------------------------

#[test]
fn a_stopped_projector_blocks_no_other_its_lag_grows_with_each_event_and_commands_are_still_accepted() {
    let lab = new_lab();
    accept(&lab, create_order("o-1", "山田太郎")); // 1
    lab.set_fault("order_summary", Some(always("ItemAdded")));
    accept(&lab, add_item("o-1", "ノートPC", 1, 120000)); // 2
    let later = [
        add_item("o-1", "マウス", 2, 3000),
        create_order("o-2", "佐藤花子"),
        add_item("o-2", "キーボード", 1, 8000),
        command("ConfirmOrder", "o-1", json!({})),
        command("CreateAccount", "acc-1", json!({"owner": "山田太郎", "initial_balance": 5000})),
        command("ReceiveStock", "sku-1", json!({"sku": "sku-1", "quantity": 4})),
    ];
    for (at, envelope) in later.into_iter().enumerate() {
        accept(&lab, envelope);
        let head = lab.head();
        assert_eq!(head, 3 + at as u64);
        let summary = projector(&lab, "order_summary");
        assert_eq!(state(&summary), "retrying", "{summary}");
        assert_eq!((summary["position"].as_u64(), summary["lag"].as_u64()), (Some(1), Some(head - 1)), "{summary}");
        assert_eq!(summary["health"]["error"]["position"], 2, "still the event it stopped on");
        others_keep_up(&lab, "order_summary");
    }

    let order = data(&lab, json!({"query_type": "GetOrder", "filters": {"order_id": "o-1"}}));
    assert_eq!(order["details"]["status"], "confirmed", "{order}");
    assert_eq!(order["details"]["total_cents"], 126000, "{order}");
    assert_eq!(order["details"]["items"].as_array().map(Vec::len), Some(2), "{order}");
    assert_eq!((order["summary"]["status"].clone(), order["summary"]["total_cents"].clone()), (json!("draft"), json!(0)));
    let customer = data(&lab, json!({"query_type": "GetCustomerOrders", "filters": {"customer_name": "山田太郎"}}));
    assert_eq!(customer["orders"][0]["status"], "confirmed", "{customer}");
    assert_eq!(customer["orders"][0]["total_cents"], 126000, "{customer}");
    let account = data(&lab, json!({"query_type": "GetAccountBalance", "filters": {"account_id": "acc-1"}}));
    assert!(!account.is_null());
    let stock = data(&lab, json!({"query_type": "GetInventory", "filters": {"sku": "sku-1"}}));
    assert!(!stock.is_null());
    let orders = data(&lab, json!({"query_type": "ListOrders", "filters": {}}));
    let ids: Vec<&str> = orders["orders"].as_array().unwrap().iter().filter_map(|row| row["order_id"].as_str()).collect();
    assert_eq!(ids, ["o-1"], "the stopped summary has not reached o-2 (position 4)");

    let models = live(&lab);
    let log = log_of(&lab);
    let fresh = fold(&log, None);
    assert_eq!(to_json(&models.order_details), to_json(&fresh.order_details));
    assert_eq!(to_json(&models.customer_orders), to_json(&fresh.customer_orders));
    assert_eq!(to_json(&models.inventory), to_json(&fresh.inventory));
    assert_ne!(to_json(&models.order_summary), to_json(&fresh.order_summary));
}

// ---- 3. fail the 3rd time only --------------------------------------------------------

#[test]
fn a_fault_on_the_third_delivery_only_fails_once_the_retry_succeeds_and_the_projector_ends_equal_to_a_fresh_fold() {
    let (lab, _hand) = new_lab_with_clock();
    accept(&lab, create_order("o-1", "山田太郎")); // 1
    lab.set_fault("order_summary", Some(nth(3, "ItemAdded")));
    accept(&lab, add_item("o-1", "ノートPC", 1, 120000)); // 2
    accept(&lab, add_item("o-1", "マウス", 2, 3000)); // 3
    assert_eq!(state(&projector(&lab, "order_summary")), "running", "the first two ItemAdded pass");
    accept(&lab, add_item("o-1", "キーボード", 1, 8000)); // 4: the third
    accept(&lab, create_order("o-2", "佐藤花子")); // 5
    let summary = projector(&lab, "order_summary");
    assert_eq!(state(&summary), "retrying", "{summary}");
    assert_eq!(summary["health"]["error"]["position"], 4);
    assert_eq!((summary["position"].as_u64(), summary["lag"].as_u64()), (Some(3), Some(2)));
    assert!(summary["health"]["error"]["message"].as_str().is_some_and(|message| message.contains('3')), "{summary}");

    assert!(!lab.tick(), "not due yet");
    assert!(lab.advance_clock(Duration::minutes(1)), "the retry runs");
    let summary = projector(&lab, "order_summary");
    assert_eq!(state(&summary), "running", "the retry is the 4th delivery: it passes. {summary}");
    assert_eq!((summary["position"].as_u64(), summary["lag"].as_u64()), (Some(5), Some(0)));
    assert!(summary["dead_letters"].as_array().is_some_and(Vec::is_empty));
    assert_eq!(summary["fault"]["event_type"], "ItemAdded", "the fault stays injected");

    accept(&lab, add_item("o-2", "USBケーブル", 3, 500)); // 6: the 5th ItemAdded passes too
    let summary = projector(&lab, "order_summary");
    assert_eq!((state(&summary), summary["lag"].as_u64()), ("running".to_owned(), Some(0)));
    let log = log_of(&lab);
    assert_eq!(to_json(&live(&lab)), to_json(&fold(&log, None)), "every read model equals a fresh fold");
    assert_eq!(live(&lab).order_summary.model.orders.get("o-1").map(|row| row.total_cents), Some(134000));
}

// ---- 4. fixing the fault and retrying by hand --------------------------------------------

#[test]
fn removing_the_fault_and_retrying_by_hand_drains_the_error_and_the_query_bus_answers_the_corrected_model() {
    let lab = failing_summary();
    accept(&lab, command("ConfirmOrder", "o-1", json!({}))); // 6
    let list = json!({"query_type": "ListOrders", "filters": {}});
    let stale = query(&lab, list.clone());
    assert_eq!((stale["status"].clone(), stale["cache"].clone()), (json!("ok"), json!("miss")), "{stale}");
    assert_eq!(stale["data"]["orders"].as_array().map(Vec::len), Some(1), "the summary stopped before o-2: {stale}");
    assert_eq!(stale["data"]["orders"][0]["total_cents"], 0);
    let cached = query(&lab, list.clone());
    assert_eq!(cached["cache"], "hit", "nothing moved: {cached}");
    assert_eq!(cached["data"], stale["data"]);

    assert!(lab.set_fault("order_summary", None));
    assert_eq!(lab.retry_projector("order_summary").map_err(|error| error.code), Ok(true));
    let summary = projector(&lab, "order_summary");
    assert_eq!(state(&summary), "running", "{summary}");
    assert_eq!((summary["position"].as_u64(), summary["lag"].as_u64()), (Some(6), Some(0)));
    assert!(summary["fault"].is_null() && summary["dead_letters"].as_array().is_some_and(Vec::is_empty), "{summary}");
    let log = log_of(&lab);
    let fresh = fold(&log, None);
    assert_eq!(to_json(&live(&lab)), to_json(&fresh), "every read model equals a fresh fold of the whole log");

    let corrected = query(&lab, list.clone());
    assert_eq!(corrected["cache"], "miss", "the retry moved the read model: the cached answer is stale. {corrected}");
    assert_eq!(corrected["data"], fresh_answer(&fresh, &list, 6));
    assert_ne!(corrected["data"], stale["data"]);
    let o1 = &corrected["data"]["orders"][0];
    assert_eq!((o1["status"].clone(), o1["total_cents"].clone()), (json!("confirmed"), json!(126000)));
    assert_eq!(corrected["data"]["orders"][1]["total_cents"], 8000);
}

#[test]
fn a_retry_by_hand_of_the_last_event_in_the_log_also_drops_the_cached_answers() {
    let lab = new_lab();
    accept(&lab, create_order("o-1", "山田太郎")); // 1
    lab.set_fault("order_summary", Some(always("ItemAdded")));
    accept(&lab, add_item("o-1", "ノートPC", 1, 120000)); // 2: the head, nothing after it
    let list = json!({"query_type": "ListOrders", "filters": {}});
    let stale = query(&lab, list.clone());
    assert_eq!(query(&lab, list.clone())["cache"], "hit");
    lab.set_fault("order_summary", None);
    assert_eq!(lab.retry_projector("order_summary").map_err(|error| error.code), Ok(true));
    let fresh = query(&lab, list.clone());
    assert_eq!(fresh["cache"], "miss", "{fresh}");
    assert_eq!(fresh["data"]["orders"][0]["total_cents"], 120000, "not the stale {stale}");
}

#[test]
fn a_successful_retry_on_the_clock_of_the_last_event_in_the_log_also_drops_the_cached_answers() {
    let lab = new_lab();
    accept(&lab, create_order("o-1", "山田太郎")); // 1
    lab.set_fault("order_summary", Some(always("ItemAdded")));
    accept(&lab, add_item("o-1", "ノートPC", 1, 120000)); // 2: the head, nothing after it
    let list = json!({"query_type": "ListOrders", "filters": {}});
    let stale = query(&lab, list.clone());
    assert_eq!(query(&lab, list.clone())["cache"], "hit");
    lab.set_fault("order_summary", None);
    assert!(lab.advance_clock(Duration::minutes(1)));
    let fresh = query(&lab, list.clone());
    assert_eq!(fresh["cache"], "miss", "{fresh}");
    assert_ne!(fresh["data"], stale["data"]);
    assert_eq!(fresh["data"], fresh_answer(&fold(&log_of(&lab), None), &list, lab.head()));
}

// ---- 5. dead letters, by hand --------------------------------------------------------

#[test]
fn a_dead_lettered_event_retried_by_hand_after_the_fault_is_removed_is_resolved_retried_and_the_projector_catches_up() {
    let lab = dead_lettered_summary();
    lab.set_fault("order_summary", None);
    assert_eq!(lab.retry_projector("order_summary").map_err(|error| error.code), Ok(true));
    let summary = projector(&lab, "order_summary");
    assert_eq!(state(&summary), "running", "{summary}");
    assert_eq!((summary["position"].as_u64(), summary["lag"].as_u64()), (Some(5), Some(0)));
    let letters = summary["dead_letters"].as_array().unwrap();
    assert_eq!(letters.len(), 1, "{summary}");
    assert_eq!(letters[0]["resolution"], "retried");
    assert_eq!(letters[0]["error"]["position"], 2);
    assert_eq!(to_json(&live(&lab)), to_json(&fold(&log_of(&lab), None)));
    assert_eq!(
        lab.retry_projector("order_summary").map_err(|error| error.code),
        Err("not_stopped".to_owned()),
        "nothing is left to retry"
    );
}

#[test]
fn retrying_a_dead_lettered_event_by_hand_while_the_fault_is_still_there_keeps_it_dead_lettered() {
    let lab = dead_lettered_summary();
    let before = projector(&lab, "order_summary");
    assert_eq!(lab.retry_projector("order_summary").map_err(|error| error.code), Ok(false));
    let after = projector(&lab, "order_summary");
    assert_eq!(state(&after), "dead_lettered", "{after}");
    let error = &after["health"]["error"];
    assert_eq!((error["position"].clone(), error["next_retry_at"].clone()), (json!(2), Value::Null));
    assert_eq!(error["retry_count"], 5, "a retry by hand does not restart the schedule");
    assert_eq!((after["position"].clone(), after["lag"].clone()), (before["position"].clone(), before["lag"].clone()));
    let letters = after["dead_letters"].as_array().unwrap();
    assert_eq!(letters.len(), 1, "no second letter for the same event: {after}");
    assert!(letters[0]["resolution"].is_null());
    assert!(!lab.advance_clock(Duration::days(7)), "and the clock never retries it");
    assert_eq!(state(&projector(&lab, "order_summary")), "dead_lettered");
}

#[test]
fn skipping_a_dead_lettered_event_moves_past_it_applies_the_later_events_and_equals_a_fold_without_it() {
    let lab = dead_lettered_summary();
    lab.set_fault("order_summary", None);
    assert_eq!(lab.skip_projector("order_summary").map_err(|error| error.code), Ok(true));
    let summary = projector(&lab, "order_summary");
    assert_eq!(state(&summary), "running", "{summary}");
    assert_eq!((summary["position"].as_u64(), summary["lag"].as_u64()), (Some(5), Some(0)));
    let letters = summary["dead_letters"].as_array().unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!((letters[0]["resolution"].clone(), letters[0]["error"]["position"].clone()), (json!("skipped"), json!(2)));

    accept(&lab, add_item("o-1", "USBケーブル", 3, 500)); // 6: later events are applied
    let log = log_of(&lab);
    let models = live(&lab);
    let without = fold(&log, Some(2));
    assert_eq!(to_json(&models.order_summary), to_json(&without.order_summary), "a fold of the log without position 2");
    assert_ne!(to_json(&models.order_summary), to_json(&fold(&log, None).order_summary));
    let o1 = models.order_summary.model.orders.get("o-1").expect("o-1 is summarised");
    assert_eq!((o1.total_cents, o1.item_count), (6000 + 1500, 5), "the skipped laptop is missing from the total");
    assert_eq!(models.order_summary.model.orders.get("o-2").map(|row| row.total_cents), Some(8000));
    assert_eq!(
        models.order_details.model.orders.get("o-1").map(|row| row.total_cents),
        Some(120000 + 6000 + 1500),
        "the other projectors never skipped it"
    );
}

#[test]
fn skipping_while_the_fault_is_still_there_applies_what_follows_until_the_next_matching_event_fails() {
    let lab = dead_lettered_summary();
    assert_eq!(lab.skip_projector("order_summary").map_err(|error| error.code), Ok(true));
    let summary = projector(&lab, "order_summary");
    // 3 (CreateOrder o-2) is applied; 4 (another ItemAdded) fails.
    assert_eq!(state(&summary), "retrying", "{summary}");
    assert_eq!(summary["position"], 3);
    let error = &summary["health"]["error"];
    assert_eq!((error["position"].clone(), error["retry_count"].clone()), (json!(4), json!(0)), "a new failure, a new schedule");
    assert_eq!(time(&error["next_retry_at"]) - time(&error["failed_at"]), Duration::minutes(1));
    let letters = summary["dead_letters"].as_array().unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0]["resolution"], "skipped");
    assert!(live(&lab).order_summary.model.orders.get("o-2").is_some(), "o-2 was created after the skipped event");
}

#[test]
fn skipping_an_event_still_waiting_for_its_retry_records_it_as_a_skipped_dead_letter() {
    let lab = failing_summary();
    lab.set_fault("order_summary", None);
    assert_eq!(lab.skip_projector("order_summary").map_err(|error| error.code), Ok(true));
    let summary = projector(&lab, "order_summary");
    assert_eq!((state(&summary), summary["lag"].as_u64()), ("running".to_owned(), Some(0)));
    let letters = summary["dead_letters"].as_array().unwrap();
    assert_eq!(letters.len(), 1, "{summary}");
    assert_eq!((letters[0]["resolution"].clone(), letters[0]["error"]["position"].clone()), (json!("skipped"), json!(2)));
    assert!(letters[0]["error"]["next_retry_at"].is_null());
    assert_eq!(to_json(&live(&lab).order_summary), to_json(&fold(&log_of(&lab), Some(2)).order_summary));
}

#[test]
fn retrying_or_skipping_a_running_projector_is_not_stopped_and_an_unknown_projector_is_not_found() {
    let lab = failing_summary();
    let code = |result: Result<bool, kiroku::event_sourcing::envelope::ErrorBody>| result.map_err(|error| error.code);
    assert_eq!(code(lab.retry_projector("order_details")), Err("not_stopped".to_owned()));
    assert_eq!(code(lab.skip_projector("order_details")), Err("not_stopped".to_owned()));
    assert_eq!(code(lab.retry_projector("order_summaries")), Err("not_found".to_owned()));
    assert_eq!(code(lab.skip_projector("no such projector")), Err("not_found".to_owned()));
    assert_eq!(lab.start_rebuild("nope").map_err(|error| error.code), Err("not_found".to_owned()));
    assert_eq!(lab.rebuild_step("nope", 10), None);
    assert_eq!(lab.rebuild_step("order_details", 10), None, "no rebuild runs");
    assert!(!lab.set_fault("nope", Some(always("ItemAdded"))));
    // The refusals changed nothing.
    assert_eq!(state(&projector(&lab, "order_summary")), "retrying");
    others_keep_up(&lab, "order_summary");
}

// ---- 6. rebuilds --------------------------------------------------------------------

#[test]
fn a_rebuild_in_batches_of_17_while_commands_keep_appending_ends_equal_to_a_fresh_fold() {
    let lab = new_lab();
    two_hundred_events(&lab);
    lab.start_rebuild("order_summary").expect("order_summary can be rebuilt");
    let summary = projector(&lab, "order_summary");
    assert_eq!(summary["rebuild"], json!({"done": 0}), "{summary}");
    assert_eq!((summary["position"].as_u64(), summary["lag"].as_u64()), (Some(0), Some(200)));
    assert!(live(&lab).order_summary.model.orders.is_empty(), "the read model starts empty");

    let (mut done_before, mut total_before) = (0, 200);
    let mut appended = 0;
    loop {
        let (done, total) = lab.rebuild_step("order_summary", 17).expect("the rebuild runs");
        assert_eq!(total, lab.head(), "the total follows the head");
        assert!(total >= total_before);
        assert_eq!(done, (done_before + 17).min(total), "progress: a batch of 17 at most, never back");
        (done_before, total_before) = (done, total);
        let summary = projector(&lab, "order_summary");
        if done == total {
            assert!(summary["rebuild"].is_null(), "done == total ends the rebuild: {summary}");
            break;
        }
        assert_eq!(summary["rebuild"]["done"], done, "{summary}");
        assert_eq!((summary["position"].as_u64(), summary["lag"].as_u64()), (Some(done), Some(total - done)));
        assert_eq!(state(&summary), "running");

        appended += 1;
        accept(&lab, create_order(&format!("n-{appended}"), "佐藤花子"));
        accept(&lab, add_item(&format!("n-{appended}"), "マウス", 1, 3000));
        assert_eq!(projector(&lab, "order_summary")["position"], done, "appends do not move a rebuilding projector");
        others_keep_up(&lab, "order_summary");
        assert!(appended < 100, "the rebuild never caught up");
    }
    assert!(appended > 5, "the log grew during the rebuild");
    assert!(total_before > 200);
    assert_eq!(lab.rebuild_step("order_summary", 17), None, "the rebuild is over");

    let summary = projector(&lab, "order_summary");
    assert_eq!((state(&summary), summary["lag"].as_u64()), ("running".to_owned(), Some(0)));
    let log = log_of(&lab);
    assert_eq!(to_json(&live(&lab)), to_json(&fold(&log, None)), "every read model equals a fresh fold");

    accept(&lab, create_order("after", "山田太郎"));
    assert_eq!(projector(&lab, "order_summary")["lag"], 0, "after the rebuild, appends are projected again");
    assert!(live(&lab).order_summary.model.orders.get("after").is_some());
}

#[test]
fn rebuilding_a_projector_stopped_on_a_fault_meets_the_fault_again_and_finishes_once_it_is_fixed() {
    let lab = new_lab();
    two_hundred_events(&lab);
    lab.set_fault("order_summary", Some(always("OrderCancelled")));
    accept(&lab, command("CancelOrder", "o-1", json!({"reason": "out of stock"}))); // 201
    accept(&lab, create_order("late", "山田太郎")); // 202
    let summary = projector(&lab, "order_summary");
    assert_eq!((state(&summary), summary["health"]["error"]["position"].clone()), ("retrying".to_owned(), json!(201)));

    lab.start_rebuild("order_summary").unwrap();
    let summary = projector(&lab, "order_summary");
    assert_eq!(state(&summary), "running", "the failure it was stopped on is forgotten: {summary}");
    assert_eq!(summary["position"], 0);

    let mut steps = Vec::new();
    for _ in 0..14 {
        steps.push(lab.rebuild_step("order_summary", 17).expect("the rebuild still runs"));
    }
    assert_eq!(steps[10], (187, 202));
    assert_eq!(steps[11], (200, 202), "it stops before the event that fails");
    assert_eq!(steps[13], (200, 202), "and stays there");
    let summary = projector(&lab, "order_summary");
    assert_eq!(state(&summary), "retrying", "{summary}");
    assert_eq!(summary["health"]["error"]["position"], 201);
    assert!(!summary["rebuild"].is_null(), "the rebuild is not over: {summary}");
    others_keep_up(&lab, "order_summary");

    lab.set_fault("order_summary", None);
    assert_eq!(lab.retry_projector("order_summary").map_err(|error| error.code), Ok(true));
    assert_eq!(projector(&lab, "order_summary")["position"], 201, "a rebuilding projector reads on only in rebuild steps");
    assert_eq!(lab.rebuild_step("order_summary", 17), Some((202, 202)));
    let summary = projector(&lab, "order_summary");
    assert!(summary["rebuild"].is_null() && state(&summary) == "running", "{summary}");
    assert_eq!(to_json(&live(&lab)), to_json(&fold(&log_of(&lab), None)));
}

#[test]
fn during_a_rebuild_the_status_counts_an_event_retried_by_hand_as_read() {
    let lab = new_lab();
    two_hundred_events(&lab);
    lab.set_fault("order_summary", Some(always("ItemAdded")));
    lab.start_rebuild("order_summary").unwrap();
    assert_eq!(lab.rebuild_step("order_summary", 17), Some((1, 200)), "the first ItemAdded (2) fails");
    lab.set_fault("order_summary", None);
    assert_eq!(lab.retry_projector("order_summary").map_err(|error| error.code), Ok(true));
    let (done, _) = lab.rebuild_step("order_summary", 17).unwrap();
    assert_eq!(done, 19);
    let summary = projector(&lab, "order_summary");
    assert_eq!(summary["position"], 19);
    assert_eq!(summary["rebuild"]["done"], 19, "the rebuild has read events 1 to 19: {summary}");
}

#[test]
fn after_a_skip_and_a_rebuild_the_read_model_reloads_as_it_was() {
    let store = Shared::default();
    let lab = Lab::new(store.clone(), Box::new(TestEnv::new()));
    accept(&lab, create_order("o-1", "山田太郎")); // 1
    lab.set_fault("order_summary", Some(always("ItemAdded")));
    accept(&lab, add_item("o-1", "ノートPC", 1, 120000)); // 2
    lab.set_fault("order_summary", None);
    assert_eq!(lab.skip_projector("order_summary").map_err(|error| error.code), Ok(true));
    accept(&lab, add_item("o-1", "マウス", 2, 3000)); // 3
    lab.start_rebuild("order_summary").unwrap();
    assert_eq!(lab.rebuild_step("order_summary", 17), Some((3, 3)));
    let before = to_json(&lab.read_models_at(lab.head()).order_summary);
    assert!(block_on(lab.persist_if_changed()).expect("saved"));

    let reopened = Lab::new(store, Box::new(TestEnv::with_prefix("b-")));
    block_on(reopened.load()).expect("loaded");
    let after = to_json(&reopened.read_models_at(reopened.head()).order_summary);
    assert_eq!(after, before, "a reload gives back the read model it saved");
}

// ---- 7. GetProjectionStatus ----------------------------------------------------------

#[test]
fn get_projection_status_lists_every_projector_with_position_lag_health_fault_dead_letters_and_rebuild() {
    let lab = failing_summary();
    lab.set_fault("inventory", Some(nth(3, "StockReceived")));
    lab.start_rebuild("customer_orders").unwrap();
    lab.rebuild_step("customer_orders", 2);
    let envelope = json!({"query_type": "GetProjectionStatus", "filters": {}});
    let result = query(&lab, envelope.clone());
    assert_eq!(result["status"], "ok", "{result}");
    assert_eq!(result["position"], 5);
    let status = &result["data"];
    assert_eq!(status["head"], 5);
    assert_eq!(status["clock_speed"], 1.0);
    assert!(DateTime::parse_from_rfc3339(status["clock"].as_str().unwrap()).is_ok(), "{status}");
    let projectors = status["projectors"].as_array().unwrap();
    let names: Vec<&str> = projectors.iter().filter_map(|report| report["name"].as_str()).collect();
    assert_eq!(names, PROJECTORS);
    for report in projectors {
        for field in ["subscribes_to", "position", "lag", "health", "fault", "dead_letters", "rebuild", "applied"] {
            assert!(report.get(field).is_some(), "{field} missing from {report}");
        }
        assert!(["running", "retrying", "dead_lettered"].contains(&state(report).as_str()), "{report}");
        assert_eq!(report["position"].as_u64().unwrap() + report["lag"].as_u64().unwrap(), 5, "{report}");
    }
    let summary = &projectors[0];
    assert_eq!((state(summary), summary["position"].clone(), summary["lag"].clone()), ("retrying".to_owned(), json!(1), json!(4)));
    assert_eq!(summary["health"]["error"]["position"], 2);
    assert_eq!(summary["fault"]["event_type"], "ItemAdded");
    assert!(summary["rebuild"].is_null());
    let customers = &projectors[2];
    assert_eq!((customers["rebuild"].clone(), customers["position"].clone()), (json!({"done": 2}), json!(2)));
    let inventory = &projectors[7];
    assert_eq!((state(inventory), inventory["fault"]["event_type"].clone()), ("running".to_owned(), json!("StockReceived")));
    assert!(projectors[1]["fault"].is_null() && projectors[1]["dead_letters"].as_array().is_some_and(Vec::is_empty));
    assert_eq!(
        status["projectors"],
        to_json(&lab.projection_status())["projectors"],
        "the query answers what projection_status says"
    );
}

#[test]
fn get_projection_status_is_never_cached_it_follows_the_clock_without_the_log_growing() {
    let lab = failing_summary();
    let envelope = json!({"query_type": "GetProjectionStatus", "filters": {}});
    let stats_before = lab.cache_stats();
    let first = query(&lab, envelope.clone());
    let second = query(&lab, envelope.clone());
    for result in [&first, &second] {
        assert_eq!(result["status"], "ok", "{result}");
        assert!(result.get("cache").is_none(), "no cache lookup for the status: {result}");
    }
    assert_eq!((lab.cache_stats().hits, lab.cache_stats().misses), (stats_before.hits, stats_before.misses));
    let retry_count = |result: &Value| result["data"]["projectors"][0]["health"]["error"]["retry_count"].clone();
    assert_eq!(retry_count(&second), 0);

    let head = lab.head();
    assert!(lab.advance_clock(Duration::minutes(1)));
    assert_eq!(lab.head(), head, "the log did not grow");
    let third = query(&lab, envelope.clone());
    assert_eq!(retry_count(&third), 1, "the status moved with the clock: {third}");
    assert!(third.get("cache").is_none());
}

// ---- 8. reset --------------------------------------------------------------------

#[test]
fn a_reset_keeps_the_injected_faults_and_the_clock_speed_but_clears_errors_and_dead_letters() {
    let lab = dead_lettered_summary();
    lab.set_fault("inventory", Some(nth(3, "StockReceived")));
    lab.set_clock_speed(60.0);
    let before = lab.workshop_now();
    block_on(lab.reset()).expect("the log is cleared");

    let status = status(&lab);
    assert_eq!(status["head"], 0);
    assert_eq!(status["clock_speed"], 60.0, "the clock speed is kept");
    assert!(time(&status["clock"]) >= before, "the workshop clock does not go back");
    for report in status["projectors"].as_array().unwrap() {
        assert_eq!(state(report), "running", "{report}");
        assert!(report["dead_letters"].as_array().is_some_and(Vec::is_empty), "{report}");
        assert!(report["rebuild"].is_null() && report["position"] == 0, "{report}");
    }
    let faults: Vec<(String, Value)> = status["projectors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|report| !report["fault"].is_null())
        .map(|report| (report["name"].as_str().unwrap().to_owned(), report["fault"]["event_type"].clone()))
        .collect();
    assert_eq!(
        faults,
        [("order_summary".to_owned(), json!("ItemAdded")), ("inventory".to_owned(), json!("StockReceived"))],
        "the faults are kept"
    );

    accept(&lab, create_order("o-1", "山田太郎"));
    accept(&lab, add_item("o-1", "ノートPC", 1, 120000));
    let summary = projector(&lab, "order_summary");
    assert_eq!((state(&summary), summary["health"]["error"]["position"].clone()), ("retrying".to_owned(), json!(2)), "the kept fault still strikes");
    assert_eq!(summary["health"]["error"]["retry_count"], 0, "a fresh failure");
}

// ---- the engine, driven directly with a real projector ---------------------------------

/// 1 OrderCreated, 2 ItemAdded, 3 ItemAdded, 4 AccountCreated, 5 ItemAdded, 6 OrderConfirmed.
fn small_log() -> (Vec<RecordedEvent>, Vec<Event>) {
    let lab = new_lab();
    accept(&lab, create_order("o-1", "山田太郎"));
    accept(&lab, add_item("o-1", "ノートPC", 1, 120000));
    accept(&lab, add_item("o-1", "マウス", 2, 3000));
    accept(&lab, command("CreateAccount", "acc-1", json!({"owner": "山田太郎", "initial_balance": 100})));
    accept(&lab, add_item("o-1", "キーボード", 1, 8000));
    accept(&lab, command("ConfirmOrder", "o-1", json!({})));
    log_of(&lab).into_iter().unzip()
}

fn fresh_summary(log: &[RecordedEvent], events: &[Event]) -> Projector<OrderSummary> {
    let mut projector = Projector::<OrderSummary>::default();
    for (recorded, event) in log.iter().zip(events) {
        projector.handle(recorded, event);
    }
    projector
}

#[test]
fn pump_stops_on_the_first_failure_and_reads_nothing_more_until_the_retry_is_due_and_succeeds() {
    let (log, events) = small_log();
    let mut lane = Projector::<OrderSummary>::default();
    let mut state = LaneState::new("order_summary");
    state.fault = Some(nth(2, "ItemAdded"));
    let t0 = start_time();

    let pumped = engine::pump(&mut lane, &mut state, &log, &events, t0, u64::MAX);
    assert_eq!(pumped, Pumped { read: 2, failed: true });
    assert_eq!(lane.checkpoint, 2);
    match &state.health {
        Health::Retrying { error } => {
            assert_eq!((error.position, error.retry_count, error.event_type.as_str()), (3, 0, "ItemAdded"));
            assert_eq!((error.failed_at, error.next_retry_at), (t0, Some(t0 + Duration::minutes(1))));
        }
        other => panic!("expected retrying, got {other:?}"),
    }
    assert_eq!(engine::pump(&mut lane, &mut state, &log, &events, t0 + Duration::hours(1), u64::MAX), Pumped::default());
    assert_eq!(lane.checkpoint, 2, "a stopped projector reads nothing, however late it is");

    assert!(!engine::retry_if_due(&mut lane, &mut state, &log, &events, t0 + Duration::seconds(59)));
    assert!(matches!(state.health, Health::Retrying { .. }));
    assert!(engine::retry_if_due(&mut lane, &mut state, &log, &events, t0 + Duration::seconds(60)));
    assert_eq!(state.health, Health::Running);
    assert_eq!(lane.checkpoint, 3);
    assert_eq!(engine::pump(&mut lane, &mut state, &log, &events, t0, u64::MAX), Pumped { read: 3, failed: false });
    assert_eq!(to_json(&lane), to_json(&fresh_summary(&log, &events)));
    assert!(state.dead_letters.is_empty());
}

#[test]
fn a_retry_by_hand_of_a_waiting_event_counts_as_a_retry_and_reschedules_from_its_own_time() {
    let (log, events) = small_log();
    let mut lane = Projector::<OrderSummary>::default();
    let mut state = LaneState::new("order_summary");
    state.fault = Some(always("ItemAdded"));
    let t0 = start_time();
    engine::pump(&mut lane, &mut state, &log, &events, t0, u64::MAX);
    let by_hand = t0 + Duration::seconds(10);
    assert_eq!(engine::retry(&mut lane, &mut state, &log, &events, by_hand), Ok(false));
    match &state.health {
        Health::Retrying { error } => {
            assert_eq!((error.retry_count, error.failed_at), (1, by_hand));
            assert_eq!(error.next_retry_at, Some(by_hand + Duration::minutes(5)));
        }
        other => panic!("expected retrying, got {other:?}"),
    }
}

#[test]
fn retry_and_skip_refuse_a_running_projector() {
    let (log, events) = small_log();
    let mut lane = Projector::<OrderSummary>::default();
    let mut state = LaneState::new("order_summary");
    assert_eq!(engine::retry(&mut lane, &mut state, &log, &events, start_time()), Err(NotStopped::Running));
    assert_eq!(engine::skip(&mut lane, &mut state), Err(NotStopped::Running));
    assert!(!engine::retry_if_due(&mut lane, &mut state, &log, &events, start_time() + Duration::days(1)));
    assert_eq!(lane.checkpoint, 0);
    assert!(state.dead_letters.is_empty());
}

#[test]
fn a_fault_on_every_event_only_strikes_events_the_projector_subscribes_to() {
    let (log, events) = small_log();
    let every = Fault { event_type: None, mode: FaultMode::Always, seen: 0 };
    let mut inventory = Projector::<InventoryLevels>::default();
    let mut state = LaneState::new("inventory");
    state.fault = Some(every.clone());
    assert_eq!(engine::pump(&mut inventory, &mut state, &log, &events, start_time(), u64::MAX), Pumped { read: 6, failed: false });
    assert_eq!(state.fault.as_ref().map(|fault| fault.seen), Some(0), "no inventory event went by");

    let mut summary = Projector::<OrderSummary>::default();
    let mut state = LaneState::new("order_summary");
    state.fault = Some(every);
    assert_eq!(engine::pump(&mut summary, &mut state, &log, &events, start_time(), u64::MAX), Pumped { read: 0, failed: true });
    assert!(matches!(&state.health, Health::Retrying { error } if error.position == 1 && error.event_type == "OrderCreated"));
}

#[test]
fn a_rebuild_empties_the_projector_reads_at_most_a_batch_per_pump_and_ends_once_caught_up() {
    let (log, events) = small_log();
    let mut lane = fresh_summary(&log, &events);
    let mut state = LaneState::new("order_summary");
    engine::start_rebuild(&mut lane, &mut state);
    assert_eq!(to_json(&lane), to_json(&Projector::<OrderSummary>::default()), "an empty read model at checkpoint 0");
    assert_eq!(state.rebuild, Some(Rebuild { done: 0 }));
    assert!(!engine::finish_rebuild_if_caught_up(&lane, &mut state, 6));

    assert_eq!(engine::pump(&mut lane, &mut state, &log, &events, start_time(), 4), Pumped { read: 4, failed: false });
    assert_eq!((lane.checkpoint, state.rebuild), (4, Some(Rebuild { done: 4 })));
    assert!(!engine::finish_rebuild_if_caught_up(&lane, &mut state, 6));
    assert_eq!(engine::pump(&mut lane, &mut state, &log, &events, start_time(), 4), Pumped { read: 2, failed: false });
    assert!(engine::finish_rebuild_if_caught_up(&lane, &mut state, 6));
    assert_eq!(state.rebuild, None);
    assert_eq!(to_json(&lane), to_json(&fresh_summary(&log, &events)));
}

#[test]
fn skipping_by_hand_moves_the_checkpoint_past_the_event_without_applying_it() {
    let (log, events) = small_log();
    let mut lane = Projector::<OrderSummary>::default();
    let mut state = LaneState::new("order_summary");
    state.fault = Some(nth(1, "ItemAdded"));
    engine::pump(&mut lane, &mut state, &log, &events, start_time(), u64::MAX);
    assert_eq!(lane.checkpoint, 1);
    assert_eq!(engine::skip(&mut lane, &mut state), Ok(()));
    assert_eq!((lane.checkpoint, &state.health), (2, &Health::Running));
    assert_eq!(state.dead_letters.len(), 1);
    assert_eq!((state.dead_letters[0].error.position, state.dead_letters[0].resolution.as_deref()), (2, Some("skipped")));
    engine::pump(&mut lane, &mut state, &log, &events, start_time(), u64::MAX);
    let mut without = Projector::<OrderSummary>::default();
    for (recorded, event) in log.iter().zip(&events).filter(|(recorded, _)| recorded.position != 2) {
        without.handle(recorded, event);
    }
    assert_eq!(to_json(&lane), to_json(&without));
    assert_eq!(lane.model.orders.get("o-1").map(|row| row.total_cents), Some(6000 + 8000));
}
