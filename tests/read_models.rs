#![cfg(not(target_arch = "wasm32"))]
//! The read models over all four aggregates: what each holds after a realistic
//! story, the queries they answer, time travel equal to a fresh fold at every
//! position, redelivery changing nothing, and the table view the UI shows.

mod common;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use kiroku::domain::account::AccountEvent;
use kiroku::domain::order::{OrderEvent, OrderStatus};
use kiroku::domain::{Event, EVENT_TYPES};
use kiroku::event_sourcing::envelope::QueryEnvelope;
use kiroku::event_sourcing::memory_store::MemoryStore;
use kiroku::event_sourcing::projection::Delivery;
use kiroku::event_sourcing::recorded::{EventMetadata, RecordedEvent};
use kiroku::lab::Lab;
use kiroku::read_models::table::{money, thousands};
use kiroku::read_models::{ModelSet, ReadModels, LANES, PROJECTION_STATUS, QUERY_TYPES};

use common::{accept, command, fresh_fold, log_of, new_lab, query, send, to_json};

// ---- helpers -------------------------------------------------------------------

/// Sends a command that must be accepted; returns the position of its last event.
#[track_caller]
fn at(lab: &Lab<MemoryStore>, envelope: Value) -> u64 {
    let result = accept(lab, envelope);
    result["events"].as_array().and_then(|events| events.last()).and_then(|event| event["position"].as_u64()).unwrap()
}

/// Sends a command that must be rejected with `code`.
#[track_caller]
fn rejected(lab: &Lab<MemoryStore>, envelope: Value, code: &str) {
    let result = send(lab, envelope.clone());
    assert_eq!(result["status"], "rejected", "{envelope} was not rejected: {result}");
    assert_eq!(result["error"]["code"], code, "{result}");
}

/// A command envelope sent on behalf of `actor`.
fn as_actor(actor: &str, command_type: &str, aggregate_id: &str, data: Value) -> Value {
    json!({ "command_type": command_type, "aggregate_id": aggregate_id, "data": data, "metadata": { "actor": actor } })
}

fn item(name: &str, quantity: u32, price: i64) -> Value {
    json!({"product_name": name, "quantity": quantity, "unit_price_cents": price})
}

/// The `data` of an `ok` query answer; panics on anything else.
#[track_caller]
fn data(lab: &Lab<MemoryStore>, envelope: Value) -> Value {
    let answer = query(lab, envelope.clone());
    assert_eq!(answer["status"], "ok", "{envelope} was not answered: {answer}");
    answer["data"].clone()
}

/// The error code of an `invalid` query answer; panics on anything else.
#[track_caller]
fn invalid(lab: &Lab<MemoryStore>, envelope: Value) -> (String, String) {
    let answer = query(lab, envelope.clone());
    assert_eq!(answer["status"], "invalid", "{envelope} was answered: {answer}");
    (answer["error"]["code"].as_str().unwrap().to_owned(), answer["error"]["message"].as_str().unwrap().to_owned())
}

fn envelope(value: Value) -> QueryEnvelope {
    QueryEnvelope::parse(&value).expect("a well-formed query")
}

/// The positions of the story's notable events.
struct Story {
    lab: Lab<MemoryStore>,
    laptop_repriced: u64,
    o1_confirmed: u64,
    mouse_reserved_for_o1: u64,
    o2_confirmed: u64,
    o2_cancelled: u64,
    mouse_restocked: u64,
}

/// A shop: two products, two SKUs, one account, three orders; a clerk keeps the
/// warehouse; some commands are rejected on the way.
fn story() -> Story {
    let lab = new_lab();
    let clerk = |command_type: &str, id: &str, data: Value| as_actor("clerk-sato", command_type, id, data);
    at(&lab, command("CreateProduct", "p-laptop", json!({"name": "ノートPC", "price": 120000, "category_id": "pc"}))); // 1
    at(&lab, command("CreateProduct", "p-mouse", json!({"name": "マウス", "price": 3000, "category_id": "accessories"}))); // 2
    let laptop_repriced = at(&lab, command("UpdatePrice", "p-laptop", json!({"new_price": 110000}))); // 3
    rejected(&lab, command("UpdatePrice", "p-laptop", json!({"new_price": 110000})), "price_unchanged");
    at(&lab, clerk("ReceiveStock", "sku-laptop", json!({"sku": "sku-laptop", "quantity": 10, "low_stock_threshold": 3}))); // 4
    at(&lab, clerk("ReceiveStock", "sku-mouse", json!({"sku": "sku-mouse", "quantity": 6}))); // 5
    at(&lab, command("CreateAccount", "acc-1", json!({"account_id": "acc-1", "owner": "山田太郎", "initial_balance": 200000}))); // 6
    at(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"}))); // 7
    at(&lab, command("AddItem", "o-1", item("ノートPC", 1, 110000))); // 8
    at(&lab, command("AddItem", "o-1", item("マウス", 2, 3000))); // 9
    let o1_confirmed = at(&lab, command("ConfirmOrder", "o-1", json!({}))); // 10
    at(&lab, clerk("ReserveStock", "sku-laptop", json!({"order_id": "o-1", "quantity": 1}))); // 11
    let mouse_reserved_for_o1 = at(&lab, clerk("ReserveStock", "sku-mouse", json!({"order_id": "o-1", "quantity": 2}))); // 12
    rejected(&lab, clerk("ReserveStock", "sku-mouse", json!({"order_id": "o-9", "quantity": 50})), "insufficient_stock");
    at(&lab, command("WithdrawMoney", "acc-1", json!({"account_id": "acc-1", "amount": 116000, "description": "o-1"}))); // 13
    rejected(&lab, command("WithdrawMoney", "acc-1", json!({"amount": 1000000})), "insufficient_funds");
    at(&lab, command("ShipOrder", "o-1", json!({}))); // 14
    at(&lab, command("CreateOrder", "o-2", json!({"customer_name": "佐藤花子"}))); // 15
    at(&lab, command("AddItem", "o-2", item("マウス", 1, 3000))); // 16
    let o2_confirmed = at(&lab, command("ConfirmOrder", "o-2", json!({}))); // 17
    at(&lab, clerk("ReserveStock", "sku-mouse", json!({"order_id": "o-2", "quantity": 1}))); // 18
    let o2_cancelled = at(&lab, command("CancelOrder", "o-2", json!({"reason": "changed her mind"}))); // 19
    at(&lab, clerk("ReleaseStock", "sku-mouse", json!({"order_id": "o-2"}))); // 20
    let mouse_restocked = at(&lab, clerk("ReceiveStock", "sku-mouse", json!({"sku": "sku-mouse", "quantity": 10}))); // 21
    at(&lab, command("CreateOrder", "o-3", json!({"customer_name": "山田太郎"}))); // 22
    at(&lab, command("AddItem", "o-3", item("USBケーブル", 3, 500))); // 23
    at(&lab, command("DepositMoney", "acc-1", json!({"amount": 5000, "description": "refund"}))); // 24
    assert_eq!(lab.head(), 24, "rejected commands wrote nothing");
    Story { lab, laptop_repriced, o1_confirmed, mouse_reserved_for_o1, o2_confirmed, o2_cancelled, mouse_restocked }
}

fn recorded_event(position: u64, stream_type: &str, aggregate_id: &str, event: &Event, at: &str, actor: &str) -> RecordedEvent {
    RecordedEvent {
        event_id: format!("e-{position}").into(),
        stream_id: format!("{stream_type}-{aggregate_id}").into(),
        stream_type: stream_type.into(),
        stream_version: position,
        position,
        event_type: event.event_type().into(),
        schema_version: event.schema_version(),
        data: event.data(),
        metadata: EventMetadata {
            correlation_id: format!("c-{position}").into(),
            causation_id: format!("c-{position}").into(),
            recorded_at: DateTime::parse_from_rfc3339(at).unwrap().with_timezone(&Utc),
            actor: actor.into(),
        },
        checksum: None,
        stream_number: None,
    }
}

#[test]
fn an_account_history_line_keeps_the_events_own_copy_of_its_description() {
    let created = Event::Account(AccountEvent::AccountCreated { owner: "A".into(), initial_balance: 100 });
    let deposited = Event::Account(AccountEvent::MoneyDeposited { amount: 40, balance_after: 140, description: Some("salary".into()) });
    let mut models = ReadModels::default();
    for (position, event) in [(1, &created), (2, &deposited)] {
        models.apply(&recorded_event(position, "Account", "acc-1", event, "2026-11-22T12:00:00.000Z", "someone"), event);
    }
    let Event::Account(AccountEvent::MoneyDeposited { description: Some(event_text), .. }) = &deposited else { unreachable!() };
    let history = models.account_history.model.accounts.get("acc-1").expect("the account's history");
    let line = history.transactions.last().expect("the deposit's line");
    assert_eq!(line.description.as_deref(), Some("salary"));
    assert!(line.description.as_ref().is_some_and(|text| text.is_same_copy(event_text)), "the event's copy, not one of its own");
}

// ---- time travel and redelivery over all four aggregates -----------------------

#[test]
fn every_read_model_at_every_position_of_a_mixed_history_equals_a_fresh_fold_of_the_events_up_to_it() {
    let story = story();
    let lab = &story.lab;
    let log = log_of(lab);
    let stream_types: std::collections::BTreeSet<&str> = log.iter().map(|(recorded, _)| recorded.stream_type.as_str()).collect();
    assert_eq!(stream_types.into_iter().collect::<Vec<_>>(), vec!["Account", "Inventory", "Order", "Product"]);
    for position in 0..=lab.head() {
        let at = lab.read_models_at(position);
        let fresh = fresh_fold(&log, position);
        assert_eq!(to_json(&at), to_json(&fresh), "the read models at position {position}");
        assert_eq!(at.tables(), fresh.tables(), "the tables at position {position}");
        for status in at.statuses() {
            assert_eq!(status.checkpoint, position, "{} at position {position}", status.name);
        }
    }
}

#[test]
fn redelivering_every_event_to_the_read_models_at_any_position_changes_nothing() {
    let story = story();
    let lab = &story.lab;
    let log = log_of(lab);
    for position in 1..=lab.head() {
        let mut models = lab.read_models_at(position);
        let before = to_json(&models);
        let applied_before: Vec<u64> = models.statuses().iter().map(|status| status.applied).collect();
        for (recorded, event) in log.iter().take(position as usize) {
            models.apply(recorded, event);
            assert_eq!(models.inventory.handle(recorded, event), Delivery::AlreadySeen);
            assert_eq!(models.user_activity.handle(recorded, event), Delivery::AlreadySeen);
        }
        assert_eq!(to_json(&models), before, "redelivering events 1..={position} changed the read models");
        let applied_after: Vec<u64> = models.statuses().iter().map(|status| status.applied).collect();
        assert_eq!(applied_after, applied_before, "nothing is applied twice");
    }
}

#[test]
fn a_fold_of_one_read_model_moves_that_one_only_as_far_as_the_others_fold_it() {
    // `apply_to` calls each projector by its own type, so its places must be those
    // of `lanes_mut`, through which the engine and `ModelSet` name them.
    let story = story();
    let log = log_of(&story.lab);
    let everything = fresh_fold(&log, log.len() as u64);
    for lane in 0..LANES {
        let mut one = ReadModels::default();
        for (recorded, event) in &log {
            one.apply_to(recorded, event, ModelSet::NONE.with(lane));
        }
        let (statuses, expected) = (one.statuses(), everything.statuses());
        for (at, status) in statuses.iter().enumerate() {
            let moved = (status.checkpoint, status.applied);
            if at == lane {
                assert_eq!(moved, (expected[at].checkpoint, expected[at].applied), "{} folded alone", status.name);
                assert_eq!(to_json(&one.table(status.name)), to_json(&everything.table(status.name)), "{} folded alone", status.name);
            } else {
                assert_eq!(moved, (0, 0), "{} moved by a fold of {} alone", status.name, statuses[lane].name);
            }
        }
    }
}

#[test]
fn each_projector_applies_only_the_events_of_its_own_aggregate_and_the_all_event_projectors_apply_everything() {
    let story = story();
    let models = story.lab.read_models_at(24);
    let log = log_of(&story.lab);
    let count = |stream_type: &str| log.iter().filter(|(recorded, _)| recorded.stream_type == stream_type).count() as u64;
    let applied: Vec<(&str, u64)> = models.statuses().iter().map(|status| (status.name, status.applied)).collect();
    assert_eq!(
        applied,
        vec![
            ("order_summary", count("Order")),
            ("order_details", count("Order")),
            ("customer_orders", count("Order")),
            ("product_sales", count("Order")),
            ("daily_stats", 24),
            ("account_balances", count("Account")),
            ("account_history", count("Account")),
            ("inventory", count("Inventory")),
            ("product_catalog", count("Product")),
            ("user_activity", 24),
        ]
    );
    assert_eq!((count("Order"), count("Account"), count("Inventory"), count("Product")), (11, 3, 7, 3));
    let every_type: Vec<&str> = EVENT_TYPES.iter().map(|(name, _)| *name).collect();
    for status in models.statuses() {
        if status.name == "daily_stats" || status.name == "user_activity" {
            assert_eq!(status.subscribes_to, every_type.as_slice(), "{} subscribes to every event type", status.name);
        } else {
            assert!(status.subscribes_to.len() < every_type.len(), "{}", status.name);
            assert!(status.subscribes_to.iter().all(|name| every_type.contains(name)), "{}", status.name);
        }
    }
}

// ---- customer orders -----------------------------------------------------------

#[test]
fn customer_orders_list_each_customers_orders_in_creation_order_and_count_only_confirmed_and_shipped_as_spent() {
    let lab = story().lab;
    let yamada = data(&lab, json!({"query_type": "GetCustomerOrders", "filters": {"customer_name": "山田太郎"}}));
    assert_eq!(
        yamada,
        json!({
            "customer_name": "山田太郎",
            "orders": [
                {"order_id": "o-1", "status": "shipped", "total_cents": 116000},
                {"order_id": "o-3", "status": "draft", "total_cents": 1500},
            ],
            "order_count": 2,
            "spent_cents": 116000,
        })
    );
    let sato = data(&lab, json!({"query_type": "GetCustomerOrders", "filters": {"customer_name": "佐藤花子"}}));
    assert_eq!(sato["orders"], json!([{"order_id": "o-2", "status": "cancelled", "total_cents": 3000}]));
    assert_eq!(sato["spent_cents"], 0, "a cancelled order is not money spent");
    assert_eq!(data(&lab, json!({"query_type": "GetCustomerOrders", "filters": {"customer_name": "nobody"}})), Value::Null);
    let models = lab.read_models_at(24);
    let names: Vec<&str> = models.customer_orders.model.customers.iter().map(|row| row.customer_name.as_str()).collect();
    assert_eq!(names, vec!["山田太郎", "佐藤花子"]);
}

#[test]
fn a_customers_spending_counts_an_order_from_its_confirmation_until_it_is_cancelled() {
    let story = story();
    let spent = |position: u64| {
        let models = story.lab.read_models_at(position);
        let row = models.customer_orders.model.customers.get("佐藤花子").map(|row| (row.spent_cents, row.orders[0].status));
        row
    };
    assert_eq!(spent(story.o2_confirmed - 1), Some((0, OrderStatus::Draft)));
    assert_eq!(spent(story.o2_confirmed), Some((3000, OrderStatus::Confirmed)));
    assert_eq!(spent(story.o2_cancelled), Some((0, OrderStatus::Cancelled)));
    assert_eq!(spent(14), None, "佐藤花子 has not ordered yet at position 14");
}

#[test]
fn customer_orders_copies_that_went_different_ways_each_find_their_own_orders() {
    use kiroku::event_sourcing::projection::Projection;
    use kiroku::read_models::customer_orders::CustomerOrders;
    let order_event = |position: u64, order_id: &str, event: OrderEvent| {
        let event = Event::Order(event);
        (recorded_event(position, "Order", order_id, &event, "2026-11-22T10:00:00.000Z", "clerk-sato"), event)
    };
    let created = |position, order_id: &str| order_event(position, order_id, OrderEvent::OrderCreated { customer_name: "山田太郎".into() });
    let item_added = |position, order_id: &str| {
        order_event(position, order_id, OrderEvent::ItemAdded { product_name: "Tea".into(), quantity: 1, unit_price_cents: 700 })
    };
    let apply = |model: &mut CustomerOrders, (recorded, event): (RecordedEvent, Event)| model.apply(&recorded, &event);
    let orders = |model: &CustomerOrders| -> Vec<(String, i64)> {
        model.customers.get("山田太郎").map_or(vec![], |row| row.orders.iter().map(|order| (order.order_id.to_string(), order.total_cents)).collect())
    };
    let start = CustomerOrders::default();
    let (mut first, mut second, mut behind) = (start.clone(), start.clone(), start);
    apply(&mut first, created(1, "o-1"));
    // The second copy never saw o-1 created (a projector that skipped it): o-2 is
    // its first order, where o-1 is the first copy's.
    apply(&mut second, created(2, "o-2"));
    apply(&mut second, created(3, "o-1"));
    apply(&mut second, item_added(4, "o-1"));
    apply(&mut first, item_added(4, "o-1"));
    apply(&mut first, created(5, "o-1"));
    assert_eq!(orders(&first), [("o-1".to_owned(), 700)], "created once");
    assert_eq!(orders(&second), [("o-2".to_owned(), 0), ("o-1".to_owned(), 700)]);
    // A copy behind the first one reaches o-1 where the first copy has it.
    assert_eq!(orders(&behind), []);
    apply(&mut behind, created(1, "o-1"));
    apply(&mut behind, item_added(4, "o-1"));
    assert_eq!(orders(&behind), orders(&first));
}

// ---- product sales -------------------------------------------------------------

#[test]
fn product_sales_count_only_confirmed_orders_and_take_a_cancelled_confirmed_order_out_again() {
    let story = story();
    let lab = &story.lab;
    let sales = |position: u64| data(lab, json!({"query_type": "GetProductSales", "as_of": position}))["products"].clone();
    assert_eq!(sales(story.o1_confirmed - 1), json!([]), "o-1 is still a draft: nothing is sold");
    let after_o1 = json!([
        {"product_name": "ノートPC", "units_ordered": 1, "order_count": 1, "revenue_cents": 110000},
        {"product_name": "マウス", "units_ordered": 2, "order_count": 1, "revenue_cents": 6000},
    ]);
    assert_eq!(sales(story.o1_confirmed), after_o1);
    assert_eq!(sales(story.o2_confirmed - 1), after_o1, "o-2 is a draft with a mouse: not counted yet");
    assert_eq!(
        sales(story.o2_confirmed)[1],
        json!({"product_name": "マウス", "units_ordered": 3, "order_count": 2, "revenue_cents": 9000})
    );
    assert_eq!(sales(story.o2_cancelled), after_o1, "the cancelled confirmed order is taken out again");
    assert_eq!(sales(24), after_o1, "o-1 stays counted once shipped; o-3's draft USB cables are not counted");
}

#[test]
fn a_draft_that_loses_an_item_before_confirmation_is_counted_with_its_remaining_lines_only() {
    let lab = new_lab();
    at(&lab, command("CreateOrder", "o-1", json!({"customer_name": "Aoki"})));
    at(&lab, command("AddItem", "o-1", item("Pen", 5, 100)));
    at(&lab, command("AddItem", "o-1", item("Ink", 2, 700)));
    at(&lab, command("AddItem", "o-1", item("Pen", 1, 100)));
    at(&lab, command("RemoveItem", "o-1", json!({"product_name": "Ink"})));
    at(&lab, command("ConfirmOrder", "o-1", json!({})));
    at(&lab, command("CreateOrder", "o-2", json!({"customer_name": "Aoki"})));
    at(&lab, command("AddItem", "o-2", item("Ink", 1, 700)));
    at(&lab, command("CancelOrder", "o-2", json!({"reason": "no"})));
    let products = data(&lab, json!({"query_type": "GetProductSales", "filters": {}}))["products"].clone();
    assert_eq!(products, json!([{"product_name": "Pen", "units_ordered": 6, "order_count": 1, "revenue_cents": 600}]));
}

// ---- daily stats ---------------------------------------------------------------

#[test]
fn daily_stats_count_the_whole_story_on_the_one_day_the_test_clock_covers() {
    let lab = story().lab;
    let all = data(&lab, json!({"query_type": "GetDailyStats"}));
    let day = json!({
        "date": "2026-11-22",
        "orders_created": 3,
        "orders_confirmed": 2,
        "orders_shipped": 1,
        "orders_cancelled": 1,
        "revenue_cents": 119000,
        "deposits_cents": 5000,
        "withdrawals_cents": 116000,
        "events": 24,
    });
    assert_eq!(all, json!({"days": [day.clone()]}));
    assert_eq!(data(&lab, json!({"query_type": "GetDailyStats", "filters": {"date": "2026-11-22"}})), day);
    assert_eq!(data(&lab, json!({"query_type": "GetDailyStats", "filters": {"date": "2026-11-23"}})), Value::Null);
    let early = data(&lab, json!({"query_type": "GetDailyStats", "filters": {"date": "2026-11-22"}, "as_of": 10}));
    assert_eq!((early["events"].clone(), early["orders_confirmed"].clone(), early["revenue_cents"].clone()), (json!(10), json!(1), json!(116000)));
}

#[test]
fn daily_stats_group_events_by_the_utc_date_they_were_recorded() {
    let order = |event: OrderEvent| Event::Order(event);
    let events = [
        ("Order", "o-1", order(OrderEvent::OrderCreated { customer_name: "A".into() }), "2026-11-22T23:59:58.000Z"),
        (
            "Order",
            "o-1",
            order(OrderEvent::ItemAdded { product_name: "Pen".into(), quantity: 2, unit_price_cents: 150 }),
            "2026-11-22T23:59:59.999Z",
        ),
        ("Order", "o-1", order(OrderEvent::OrderConfirmed {}), "2026-11-23T00:00:00.000Z"),
        (
            "Account",
            "acc-1",
            Event::Account(AccountEvent::AccountCreated { owner: "A".into(), initial_balance: 100 }),
            "2026-11-22T12:00:00.000Z",
        ),
        (
            "Account",
            "acc-1",
            Event::Account(AccountEvent::MoneyDeposited { amount: 40, balance_after: 140, description: None }),
            "2026-11-23T08:00:00.000Z",
        ),
        // Recorded at 01:00 in Tokyo, which is still the 23rd in UTC.
        (
            "Account",
            "acc-1",
            Event::Account(AccountEvent::MoneyWithdrawn { amount: 30, balance_after: 110, description: None }),
            "2026-11-24T01:00:00+09:00",
        ),
        ("Order", "o-1", order(OrderEvent::OrderShipped {}), "2026-11-24T09:00:00.000Z"),
    ];
    let mut models = ReadModels::default();
    for (index, (stream_type, id, event, at)) in events.iter().enumerate() {
        models.apply(&recorded_event(index as u64 + 1, stream_type, id, event, at, "someone"), event);
    }
    let days = to_json(&models.daily_stats.model.by_date());
    let day = |date: &str, created: u32, confirmed: u32, shipped: u32, revenue: i64, deposits: i64, withdrawals: i64, events: u32| {
        json!({
            "date": date, "orders_created": created, "orders_confirmed": confirmed, "orders_shipped": shipped,
            "orders_cancelled": 0, "revenue_cents": revenue, "deposits_cents": deposits,
            "withdrawals_cents": withdrawals, "events": events,
        })
    };
    assert_eq!(
        days,
        json!([
            day("2026-11-22", 1, 0, 0, 0, 0, 0, 3),
            day("2026-11-23", 0, 1, 0, 300, 40, 30, 3),
            day("2026-11-24", 0, 0, 1, 0, 0, 0, 1),
        ])
    );
    let head = models.daily_stats.checkpoint;
    let answer = models.answer(&envelope(json!({"query_type": "GetDailyStats", "filters": {"date": "2026-11-23"}})), head).unwrap();
    assert_eq!(answer["revenue_cents"], 300, "an order's revenue counts on the day it is confirmed");
    let table = models.daily_stats.model.table();
    assert_eq!(table.keys(), vec!["2026-11-22", "2026-11-23", "2026-11-24"]);
}

// ---- accounts ------------------------------------------------------------------

#[test]
fn seed_004s_account_after_creating_it_with_1000_and_depositing_500_has_a_balance_of_1500() {
    let lab = new_lab();
    at(&lab, command("CreateAccount", "acc-123", json!({"account_id": "acc-123", "owner": "John Doe", "initial_balance": 1000})));
    at(&lab, command("DepositMoney", "acc-123", json!({"account_id": "acc-123", "amount": 500})));
    let seeds_query = json!({"query_type": "GetAccountBalance", "filters": {"account_id": "acc-123"}, "projection": "account_balance"});
    let balance = data(&lab, seeds_query);
    assert_eq!(balance["account_id"], "acc-123");
    assert_eq!(balance["owner"], "John Doe");
    assert_eq!(balance["balance"], 1500);
    assert_eq!(balance["transaction_count"], 1);
    assert_eq!(balance["last_activity"], to_json(&lab.event_at(2).unwrap().metadata)["recorded_at"]);
    let named = json!({"query_type": "GetAccountBalance", "filters": {"account_id": "acc-123"}, "projection": "account_balances"});
    assert_eq!(data(&lab, named), balance);
    let as_of_1 = data(&lab, json!({"query_type": "GetAccountBalance", "filters": {"account_id": "acc-123"}, "as_of": 1}));
    assert_eq!(as_of_1["balance"], 1000);
    assert_eq!(data(&lab, json!({"query_type": "GetAccountBalance", "filters": {"account_id": "acc-404"}})), Value::Null);
}

#[test]
fn seed_003s_account_after_depositing_10000_and_withdrawing_5000_holds_5000() {
    let lab = new_lab();
    at(&lab, command("CreateAccount", "acc-3", json!({"owner": "Hanako", "initial_balance": 0})));
    at(&lab, command("DepositMoney", "acc-3", json!({"amount": 10000})));
    at(&lab, command("WithdrawMoney", "acc-3", json!({"amount": 5000})));
    rejected(&lab, command("WithdrawMoney", "acc-3", json!({"amount": 5001})), "insufficient_funds");
    let balance = data(&lab, json!({"query_type": "GetAccountBalance", "filters": {"account_id": "acc-3"}}));
    assert_eq!((balance["balance"].clone(), balance["transaction_count"].clone()), (json!(5000), json!(2)));
}

#[test]
fn an_accounts_history_lists_its_opening_and_every_deposit_and_withdrawal_with_the_balance_after_each() {
    let lab = story().lab;
    let history = data(&lab, json!({"query_type": "GetAccountHistory", "filters": {"account_id": "acc-1"}}));
    let log = log_of(&lab);
    let time = |position: u64| to_json(&log[position as usize - 1].0.metadata)["recorded_at"].clone();
    assert_eq!(
        history,
        json!({
            "account_id": "acc-1",
            "transactions": [
                {"position": 6, "recorded_at": time(6), "kind": "opened", "amount": 200000, "balance_after": 200000},
                {"position": 13, "recorded_at": time(13), "kind": "withdrawal", "amount": 116000, "balance_after": 84000, "description": "o-1"},
                {"position": 24, "recorded_at": time(24), "kind": "deposit", "amount": 5000, "balance_after": 89000, "description": "refund"},
            ],
        })
    );
    let balance = data(&lab, json!({"query_type": "GetAccountBalance", "filters": {"account_id": "acc-1"}}));
    assert_eq!(balance["balance"], 89000, "the balance agrees with the history's last balance");
    assert_eq!(balance["last_activity"], time(24));
    assert_eq!(data(&lab, json!({"query_type": "GetAccountHistory", "filters": {"account_id": "acc-2"}})), Value::Null);
    let before = data(&lab, json!({"query_type": "GetAccountHistory", "filters": {"account_id": "acc-1"}, "as_of": 12}));
    assert_eq!(before["transactions"].as_array().unwrap().len(), 1, "as of 12 only the opening");
}

// ---- inventory -----------------------------------------------------------------

#[test]
fn an_item_alerts_each_time_its_available_stock_crosses_below_the_threshold_and_not_while_it_stays_low() {
    let lab = new_lab();
    let alerts_count = |lab: &Lab<MemoryStore>| lab.read_models_at(lab.head()).inventory.model.low_stock_alerts.len();
    at(&lab, command("ReceiveStock", "sku-1", json!({"sku": "sku-1", "quantity": 8})));
    assert_eq!(alerts_count(&lab), 0, "8 available, threshold 5: not low");
    at(&lab, command("ReserveStock", "sku-1", json!({"order_id": "o-1", "quantity": 2})));
    assert_eq!(alerts_count(&lab), 0, "6 available: not low");
    let crossed = at(&lab, command("ReserveStock", "sku-1", json!({"order_id": "o-2", "quantity": 2})));
    assert_eq!(alerts_count(&lab), 1, "4 available: low");
    at(&lab, command("ReserveStock", "sku-1", json!({"order_id": "o-3", "quantity": 1})));
    at(&lab, command("ReleaseStock", "sku-1", json!({"order_id": "o-3"})));
    assert_eq!(alerts_count(&lab), 1, "3 then 4 available: still low, no new alert");
    let item = data(&lab, json!({"query_type": "GetInventory", "filters": {"sku": "sku-1"}}))["item"].clone();
    assert_eq!((item["available"].clone(), item["low_stock"].clone()), (json!(4), json!(true)));
    at(&lab, command("ReceiveStock", "sku-1", json!({"sku": "sku-1", "quantity": 10})));
    let item = data(&lab, json!({"query_type": "GetInventory", "filters": {"sku": "sku-1"}}))["item"].clone();
    assert_eq!((item["available"].clone(), item["low_stock"].clone()), (json!(14), json!(false)), "restocked above the threshold");
    let again = at(&lab, command("ReserveStock", "sku-1", json!({"order_id": "o-4", "quantity": 10})));
    let answer = data(&lab, json!({"query_type": "GetInventory", "filters": {"sku": "sku-1"}}));
    assert_eq!(
        answer["low_stock_alerts"],
        json!([
            {"position": crossed, "sku": "sku-1", "available": 4, "threshold": 5},
            {"position": again, "sku": "sku-1", "available": 4, "threshold": 5},
        ]),
        "low again after being restocked: a second alert"
    );
}

#[test]
fn a_first_receipt_below_its_threshold_alerts_and_a_raised_threshold_can_make_an_item_low() {
    let lab = new_lab();
    let first = at(&lab, command("ReceiveStock", "sku-few", json!({"sku": "sku-few", "quantity": 2})));
    at(&lab, command("ReceiveStock", "sku-many", json!({"sku": "sku-many", "quantity": 20})));
    let raised =
        at(&lab, command("ReceiveStock", "sku-many", json!({"sku": "sku-many", "quantity": 1, "low_stock_threshold": 30})));
    let inventory = data(&lab, json!({"query_type": "GetInventory"}));
    assert_eq!(
        inventory["low_stock_alerts"],
        json!([
            {"position": first, "sku": "sku-few", "available": 2, "threshold": 5},
            {"position": raised, "sku": "sku-many", "available": 21, "threshold": 30},
        ])
    );
    let flags: Vec<(Value, Value)> = inventory["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| (item["sku"].clone(), item["low_stock"].clone()))
        .collect();
    assert_eq!(flags, vec![(json!("sku-few"), json!(true)), (json!("sku-many"), json!(true))]);
}

#[test]
fn the_inventory_shows_levels_reservations_movements_and_alerts_after_the_story() {
    let story = story();
    let lab = &story.lab;
    let laptop = data(lab, json!({"query_type": "GetInventory", "filters": {"sku": "sku-laptop"}}));
    assert_eq!(
        laptop["item"],
        json!({
            "sku": "sku-laptop", "on_hand": 10, "reserved": 1, "available": 9, "low_stock_threshold": 3,
            "low_stock": false, "reservations": [{"order_id": "o-1", "quantity": 1}],
        })
    );
    assert_eq!(laptop["low_stock_alerts"], json!([]));
    let kinds = |movements: &Value| -> Vec<(String, u64, Value)> {
        movements
            .as_array()
            .unwrap()
            .iter()
            .map(|movement| {
                (movement["kind"].as_str().unwrap().to_owned(), movement["quantity"].as_u64().unwrap(), movement["order_id"].clone())
            })
            .collect()
    };
    assert_eq!(kinds(&laptop["movements"]), vec![("received".into(), 10, Value::Null), ("reserved".into(), 1, json!("o-1"))]);
    let mouse = data(lab, json!({"query_type": "GetInventory", "filters": {"sku": "sku-mouse"}}));
    assert_eq!(
        (mouse["item"]["on_hand"].clone(), mouse["item"]["reserved"].clone(), mouse["item"]["available"].clone(), mouse["item"]["low_stock"].clone()),
        (json!(16), json!(2), json!(14), json!(false))
    );
    assert_eq!(
        kinds(&mouse["movements"]),
        vec![
            ("received".into(), 6, Value::Null),
            ("reserved".into(), 2, json!("o-1")),
            ("reserved".into(), 1, json!("o-2")),
            ("released".into(), 1, json!("o-2")),
            ("received".into(), 10, Value::Null),
        ]
    );
    assert_eq!(
        mouse["low_stock_alerts"],
        json!([{"position": story.mouse_reserved_for_o1, "sku": "sku-mouse", "available": 4, "threshold": 5}])
    );
    let everything = data(lab, json!({"query_type": "GetInventory", "filters": {}}));
    assert_eq!(everything["items"].as_array().unwrap().len(), 2);
    assert_eq!(everything["movements"].as_array().unwrap().len(), 7);
    assert_eq!(everything["movements"][6]["position"], story.mouse_restocked);
    assert_eq!(data(lab, json!({"query_type": "GetInventory", "filters": {"sku": "sku-none"}})), Value::Null);
    let low_before_restock =
        data(lab, json!({"query_type": "GetInventory", "filters": {"sku": "sku-mouse"}, "as_of": story.mouse_restocked - 1}));
    assert_eq!((low_before_restock["item"]["available"].clone(), low_before_restock["item"]["low_stock"].clone()), (json!(4), json!(true)));
}

#[test]
fn get_inventory_returns_only_the_most_recent_movements() {
    let lab = new_lab();
    at(&lab, command("ReceiveStock", "sku-1", json!({"sku": "sku-1", "quantity": 100})));
    for n in 0..15 {
        let order = format!("o-{n}");
        at(&lab, command("ReserveStock", "sku-1", json!({"order_id": order, "quantity": 1})));
        at(&lab, command("ReleaseStock", "sku-1", json!({"order_id": order})));
    }
    let answer = data(&lab, json!({"query_type": "GetInventory"}));
    let positions: Vec<u64> = answer["movements"].as_array().unwrap().iter().map(|m| m["position"].as_u64().unwrap()).collect();
    assert_eq!(positions, (12..=31).collect::<Vec<u64>>(), "the last 20 of 31 movements, oldest first");
    assert_eq!(lab.read_models_at(31).inventory.model.movements.len(), 31, "the read model keeps them all");
}

#[test]
fn the_inventory_keeps_one_copy_of_each_sku_and_order_id_however_often_they_move() {
    let lab = new_lab();
    for sku in ["sku-1", "sku-2"] {
        at(&lab, command("ReceiveStock", sku, json!({"sku": sku, "quantity": 10})));
        at(&lab, command("ReserveStock", sku, json!({"order_id": "o-1", "quantity": 2})));
    }
    let head = at(&lab, command("ReleaseStock", "sku-1", json!({"order_id": "o-1"})));
    let models = lab.read_models_at(head);
    let inventory = &models.inventory.model;
    let movements: Vec<_> = inventory.movements.iter().collect();
    assert_eq!(movements.len(), 5);
    let item = |sku: &str| inventory.items.get(sku).unwrap();
    for movement in &movements {
        assert!(movement.sku.is_same_copy(&item(&movement.sku).sku), "the movement at {} shares its item's sku", movement.position);
    }
    let order_ids: Vec<_> = movements.iter().filter_map(|movement| movement.order_id.as_ref()).collect();
    let reservation = item("sku-2").reservations.iter().next().unwrap();
    assert_eq!((order_ids.len(), item("sku-1").reservations.len()), (3, 0), "two reservations and a release; sku-1 holds none after it");
    assert!(
        order_ids.iter().all(|order_id| order_id.is_same_copy(&reservation.order_id)),
        "both reservations, the release and the reservation still held share one copy of o-1"
    );
}

// ---- user activity -------------------------------------------------------------

#[test]
fn user_activity_lists_what_each_actor_did_from_the_events_metadata() {
    let lab = story().lab;
    let clerk = data(&lab, json!({"query_type": "GetUserActivity", "filters": {"actor": "clerk-sato"}}));
    assert_eq!(clerk["actor"], "clerk-sato");
    let summary: Vec<(u64, &str, &str)> = clerk["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["position"].as_u64().unwrap(), a["event_type"].as_str().unwrap(), a["stream_id"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (4, "StockReceived", "Inventory-sku-laptop"),
            (5, "StockReceived", "Inventory-sku-mouse"),
            (11, "StockReserved", "Inventory-sku-laptop"),
            (12, "StockReserved", "Inventory-sku-mouse"),
            (18, "StockReserved", "Inventory-sku-mouse"),
            (20, "StockReleased", "Inventory-sku-mouse"),
            (21, "StockReceived", "Inventory-sku-mouse"),
        ]
    );
    let log = log_of(&lab);
    assert_eq!(clerk["activity"][0]["recorded_at"], to_json(&log[3].0.metadata)["recorded_at"]);
    let default_user = data(&lab, json!({"query_type": "GetUserActivity", "filters": {"actor": "workshop-user"}}));
    assert_eq!(default_user["activity"].as_array().unwrap().len(), 17, "everything else was the default user");
    assert_eq!(
        data(&lab, json!({"query_type": "GetUserActivity", "filters": {"actor": "nobody"}})),
        json!({"actor": "nobody", "activity": []})
    );
    let early = data(&lab, json!({"query_type": "GetUserActivity", "filters": {"actor": "clerk-sato"}, "as_of": 11}));
    assert_eq!(early["activity"].as_array().unwrap().len(), 3);
}

// ---- product catalog -----------------------------------------------------------

#[test]
fn the_product_catalog_keeps_each_products_price_history_from_its_creation_price_on() {
    let story = story();
    let lab = &story.lab;
    let log = log_of(lab);
    let time = |position: u64| to_json(&log[position as usize - 1].0.metadata)["recorded_at"].clone();
    let laptop = data(lab, json!({"query_type": "GetProduct", "filters": {"product_id": "p-laptop"}}));
    assert_eq!(
        laptop,
        json!({
            "product_id": "p-laptop", "name": "ノートPC", "price": 110000, "category_id": "pc",
            "price_history": [
                {"position": 1, "recorded_at": time(1), "price": 120000},
                {"position": story.laptop_repriced, "recorded_at": time(3), "price": 110000},
            ],
        })
    );
    let before = data(lab, json!({"query_type": "GetProduct", "filters": {"product_id": "p-laptop"}, "as_of": 2}));
    assert_eq!((before["price"].clone(), before["price_history"].as_array().unwrap().len()), (json!(120000), 1));
    assert_eq!(data(lab, json!({"query_type": "GetProduct", "filters": {"product_id": "p-none"}})), Value::Null);
    let ids = |answer: Value| -> Vec<String> {
        answer["products"].as_array().unwrap().iter().map(|p| p["product_id"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(ids(data(lab, json!({"query_type": "GetProductCatalog"}))), vec!["p-laptop", "p-mouse"]);
    assert_eq!(ids(data(lab, json!({"query_type": "GetProductCatalog", "filters": {"category_id": "accessories"}}))), vec!["p-mouse"]);
    assert!(ids(data(lab, json!({"query_type": "GetProductCatalog", "filters": {"category_id": "food"}}))).is_empty());
    assert!(ids(data(lab, json!({"query_type": "GetProductCatalog", "as_of": 0}))).is_empty());
}

// ---- queries: routing, projections, status -------------------------------------

#[test]
fn a_query_naming_another_projection_than_the_one_that_serves_it_is_wrong_projection() {
    let lab = story().lab;
    let (code, message) = invalid(
        &lab,
        json!({"query_type": "GetAccountBalance", "filters": {"account_id": "acc-1"}, "projection": "order_summary"}),
    );
    assert_eq!(code, "wrong_projection");
    assert!(message.contains("account_balances"), "the message names the right projection: {message}");
    let (code, message) = invalid(&lab, json!({"query_type": "GetProduct", "filters": {"product_id": "p-1"}, "projection": "nope"}));
    assert_eq!(code, "wrong_projection");
    assert!(message.contains("product_catalog"), "{message}");
    for (query_type, projection) in QUERY_TYPES {
        let answer = query(&lab, json!({"query_type": query_type, "filters": {}, "projection": projection}));
        assert_ne!(answer["error"]["code"], "wrong_projection", "{query_type} with its own projection: {answer}");
        assert_ne!(answer["error"]["code"], "unknown_query", "{query_type}: {answer}");
    }
}

#[test]
fn every_query_type_is_served_by_a_projector_of_the_read_models_or_by_the_projection_status() {
    let names: Vec<&str> = ReadModels::default().statuses().iter().map(|status| status.name).collect();
    assert_eq!(
        names,
        vec![
            "order_summary", "order_details", "customer_orders", "product_sales", "daily_stats",
            "account_balances", "account_history", "inventory", "product_catalog", "user_activity",
        ]
    );
    for (query_type, projection) in QUERY_TYPES {
        assert!(names.contains(projection) || *projection == PROJECTION_STATUS, "{query_type} → {projection}");
    }
    let served: std::collections::BTreeSet<&str> = QUERY_TYPES.iter().map(|(_, projection)| *projection).collect();
    for name in &names {
        assert!(served.contains(name), "{name} answers no query");
    }
    assert_eq!(QUERY_TYPES.iter().find(|(query_type, _)| *query_type == "GetAccountBalance"), Some(&("GetAccountBalance", "account_balances")));
}

#[test]
fn a_missing_required_filter_or_an_unknown_filter_is_invalid_data_and_an_unknown_query_is_unknown_query() {
    let lab = story().lab;
    for query_type in ["GetCustomerOrders", "GetAccountBalance", "GetAccountHistory", "GetUserActivity", "GetProduct"] {
        let (code, _) = invalid(&lab, json!({"query_type": query_type, "filters": {}}));
        assert_eq!(code, "invalid_data", "{query_type} without its filter");
    }
    for query_type in ["GetProductSales", "GetInventory", "GetDailyStats", "GetProductCatalog", "GetProjectionStatus"] {
        let (code, _) = invalid(&lab, json!({"query_type": query_type, "filters": {"colour": "red"}}));
        assert_eq!(code, "invalid_data", "{query_type} with an unknown filter");
        assert_eq!(query(&lab, json!({"query_type": query_type}))["status"], "ok", "{query_type} needs no filter");
    }
    let (code, _) = invalid(&lab, json!({"query_type": "GetAccountBalance", "filters": {"account_id": 7}}));
    assert_eq!(code, "invalid_data");
    let (code, message) = invalid(&lab, json!({"query_type": "GetAccountBalances", "filters": {}}));
    assert_eq!(code, "unknown_query");
    assert!(message.contains("GetAccountBalance") && message.contains("GetProjectionStatus"), "{message}");
}

#[test]
fn the_projection_status_at_the_head_shows_every_projector_caught_up_with_no_lag() {
    let lab = story().lab;
    let status = data(&lab, json!({"query_type": "GetProjectionStatus", "filters": {}}));
    let projectors = status["projectors"].as_array().unwrap();
    assert_eq!(projectors.len(), 10);
    for projector in projectors {
        assert_eq!(projector["position"], 24, "{projector}");
        assert_eq!(projector["lag"], 0, "{projector}");
        assert!(projector["subscribes_to"].as_array().is_some_and(|types| !types.is_empty()), "{projector}");
    }
    let inventory = projectors.iter().find(|p| p["name"] == "inventory").unwrap();
    assert_eq!(inventory["applied"], 7);
    assert_eq!(inventory["subscribes_to"], json!(["StockReceived", "StockReserved", "StockReleased"]));
    let past = data(&lab, json!({"query_type": "GetProjectionStatus", "as_of": 10}));
    assert!(past["projectors"].as_array().unwrap().iter().all(|p| p["position"] == 10 && p["lag"] == 0));
}

#[test]
fn the_projection_status_measures_each_projectors_lag_behind_the_head_it_is_given() {
    let story = story();
    let models = story.lab.read_models_at(20);
    let status = models.answer(&envelope(json!({"query_type": "GetProjectionStatus"})), 24).unwrap();
    let lags: Vec<(String, u64, u64)> = status["projectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap().to_owned(), p["position"].as_u64().unwrap(), p["lag"].as_u64().unwrap()))
        .collect();
    assert!(lags.iter().all(|(_, position, lag)| (*position, *lag) == (20, 4)), "{lags:?}");
    let mut behind = models.clone();
    let log = log_of(&story.lab);
    let (recorded, event) = &log[20];
    behind.inventory.handle(recorded, event);
    let status = behind.answer(&envelope(json!({"query_type": "GetProjectionStatus"})), 24).unwrap();
    let inventory = status["projectors"].as_array().unwrap().iter().find(|p| p["name"] == "inventory").unwrap().clone();
    assert_eq!((inventory["position"].clone(), inventory["lag"].clone()), (json!(21), json!(3)));
}

#[test]
fn queries_as_of_a_past_position_answer_from_a_fresh_fold_of_the_log_up_to_it() {
    let story = story();
    let lab = &story.lab;
    let log = log_of(lab);
    let queries = [
        json!({"query_type": "GetCustomerOrders", "filters": {"customer_name": "山田太郎"}}),
        json!({"query_type": "GetProductSales"}),
        json!({"query_type": "GetDailyStats"}),
        json!({"query_type": "GetAccountBalance", "filters": {"account_id": "acc-1"}}),
        json!({"query_type": "GetAccountHistory", "filters": {"account_id": "acc-1"}}),
        json!({"query_type": "GetInventory"}),
        json!({"query_type": "GetInventory", "filters": {"sku": "sku-mouse"}}),
        json!({"query_type": "GetUserActivity", "filters": {"actor": "clerk-sato"}}),
        json!({"query_type": "GetProductCatalog"}),
        json!({"query_type": "GetProduct", "filters": {"product_id": "p-laptop"}}),
    ];
    let mut distinct_answers = 0;
    for query_value in &queries {
        let mut previous = None;
        for position in 0..=lab.head() {
            let mut with_as_of = query_value.clone();
            with_as_of["as_of"] = json!(position);
            let answer = query(lab, with_as_of);
            assert_eq!(answer["position"], position);
            let expected = fresh_fold(&log, position).answer(&envelope(query_value.clone()), position).unwrap();
            assert_eq!(answer["data"], expected, "{query_value} as of {position}");
            if previous.as_ref() != Some(&expected) {
                distinct_answers += 1;
            }
            previous = Some(expected);
        }
    }
    assert!(distinct_answers > 40, "the answers really change along the story ({distinct_answers})");
}

// ---- tables --------------------------------------------------------------------

#[test]
fn there_is_one_table_per_read_model_in_the_order_of_the_statuses_and_every_row_fills_every_column() {
    let models = story().lab.read_models_at(24);
    let tables = models.tables();
    let names: Vec<&str> = tables.iter().map(|table| table.name).collect();
    let statuses: Vec<&str> = models.statuses().iter().map(|status| status.name).collect();
    assert_eq!(names, statuses);
    for table in &tables {
        assert!(!table.title.is_empty() && !table.columns.is_empty(), "{}", table.name);
        assert!(!table.rows.is_empty(), "{} has rows after the story", table.name);
        let mut keys = table.keys();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), table.rows.len(), "{}: keys are unique", table.name);
        for row in &table.rows {
            assert_eq!(row.cells.len(), table.columns.len(), "{} row {}", table.name, row.key);
        }
    }
    let rows: Vec<(&str, usize)> = tables.iter().map(|table| (table.name, table.rows.len())).collect();
    assert_eq!(
        rows,
        vec![
            ("order_summary", 3), ("order_details", 3), ("customer_orders", 2), ("product_sales", 2), ("daily_stats", 1),
            ("account_balances", 1), ("account_history", 3), ("inventory", 2), ("product_catalog", 2), ("user_activity", 24),
        ]
    );
    let empty = ReadModels::default().tables();
    assert_eq!(empty.len(), 10);
    assert!(empty.iter().all(|table| table.rows.is_empty()));
}

#[test]
fn the_tables_show_readable_cells_with_money_as_plain_integers_and_lists_as_short_summaries() {
    let models = story().lab.read_models_at(24);
    let tables = models.tables();
    let table = |name: &str| tables.iter().find(|table| table.name == name).unwrap();
    assert_eq!(table("order_details").cell("o-1", "Lines"), Some(&json!("ノートPC×1, マウス×2")));
    assert_eq!(table("order_details").cell("o-1", "Total"), Some(&json!(116000)));
    assert_eq!(table("order_summary").cell("o-2", "Status"), Some(&json!("cancelled")));
    assert_eq!(table("customer_orders").cell("山田太郎", "Spent"), Some(&json!(116000)));
    assert_eq!(table("product_sales").cell("マウス", "Revenue"), Some(&json!(6000)));
    assert_eq!(table("daily_stats").cell("2026-11-22", "Revenue"), Some(&json!(119000)));
    assert_eq!(table("account_balances").cell("acc-1", "Balance"), Some(&json!(89000)));
    assert_eq!(table("account_history").cell("acc-1@13", "Kind"), Some(&json!("withdrawal")));
    assert_eq!(table("account_history").cell("acc-1@13", "Balance after"), Some(&json!(84000)));
    assert_eq!(table("inventory").cell("sku-mouse", "Reservations"), Some(&json!("o-1×2")));
    assert_eq!(table("inventory").cell("sku-mouse", "Alerts"), Some(&json!(1)));
    assert_eq!(table("inventory").cell("sku-laptop", "Low stock"), Some(&json!(false)));
    assert_eq!(table("product_catalog").cell("p-laptop", "Price history"), Some(&json!("¥120,000 → ¥110,000")));
    assert_eq!(table("user_activity").cell("clerk-sato@4", "Event"), Some(&json!("StockReceived")));
    assert_eq!(table("user_activity").keys()[..3], ["workshop-user@1", "workshop-user@2", "workshop-user@3"]);
}

#[test]
fn a_list_cell_names_the_latest_five_entries_after_how_many_came_before() {
    let lab = new_lab();
    futures::executor::block_on(lab.load_demo(42, 3_000)).expect("a demo history loads");
    let models = lab.read_models_at(lab.head());
    let customer = models.customer_orders.model.customers.iter().find(|row| row.orders.len() > 6).expect("a customer with many orders");
    let table = models.table("customer_orders").unwrap();
    let Some(Value::String(history)) = table.cell(&customer.customer_name, "Order history") else { panic!("a text cell") };
    let parts: Vec<&str> = history.split(", ").collect();
    assert_eq!(parts.len(), 6, "{history}");
    assert_eq!(parts[0], format!("{} earlier", customer.orders.len() - 5));
    let last = customer.orders.last().unwrap();
    assert_eq!(parts[5], format!("{} {} {}", last.order_id, last.status.as_str(), money(last.total_cents)));
    let product = models.product_catalog.model.products.iter().find(|row| row.price_history.len() > 6).expect("a product with many prices");
    let prices = models.table("product_catalog").unwrap().cell(&product.product_id, "Price history").cloned().unwrap();
    let latest: Vec<String> = product.price_history.iter().skip(product.price_history.len() - 5).map(|point| money(point.price)).collect();
    assert_eq!(prices, json!(format!("{} earlier → {}", product.price_history.len() - 5, latest.join(" → "))));
}

/// A clerk's command on the stock of pens.
fn pens(command_type: &str, data: Value) -> Value {
    as_actor("clerk-sato", command_type, "sku-pen", data)
}

/// A lab holding 100 pens, `n` of them reserved for order `o-<n>`, for `n` in 1..=orders.
fn pens_reserved_for(orders: u32) -> Lab<MemoryStore> {
    let lab = new_lab();
    accept(&lab, pens("ReceiveStock", json!({"sku": "sku-pen", "quantity": 100})));
    for order in 1..=orders {
        accept(&lab, pens("ReserveStock", json!({"order_id": format!("o-{order}"), "quantity": order})));
    }
    lab
}

#[test]
fn a_busy_skus_reservations_are_counted_in_full_and_named_only_the_latest_few() {
    let lab = pens_reserved_for(8);
    accept(&lab, pens("ReleaseStock", json!({"order_id": "o-8"})));
    let table = lab.read_models_at(lab.head()).table("inventory").unwrap();
    assert_eq!(table.cell("sku-pen", "Reserved"), Some(&json!(28)), "1 + 2 + … + 7");
    assert_eq!(table.cell("sku-pen", "Available"), Some(&json!(72)));
    assert_eq!(table.cell("sku-pen", "Reservations"), Some(&json!("2 earlier, o-3×3, o-4×4, o-5×5, o-6×6, o-7×7")));
}

#[test]
fn releasing_a_reservation_in_the_middle_keeps_the_others_in_the_order_they_were_made() {
    let lab = pens_reserved_for(4);
    accept(&lab, pens("ReleaseStock", json!({"order_id": "o-2"})));
    accept(&lab, pens("ReserveStock", json!({"order_id": "o-2", "quantity": 9})));
    let pen = data(&lab, json!({"query_type": "GetInventory", "filters": {"sku": "sku-pen"}}));
    let item = &pen["item"];
    assert_eq!(
        item["reservations"],
        json!([
            {"order_id": "o-1", "quantity": 1},
            {"order_id": "o-3", "quantity": 3},
            {"order_id": "o-4", "quantity": 4},
            {"order_id": "o-2", "quantity": 9},
        ])
    );
    assert_eq!(item["reserved"], json!(17));
}

#[test]
fn scrubbing_over_releases_and_a_re_reservation_shows_what_a_fresh_fold_shows() {
    // The copies being scrubbed share the head's index of who reserved where; a copy
    // behind the head must still release only what it holds.
    let lab = pens_reserved_for(3);
    accept(&lab, pens("ReleaseStock", json!({"order_id": "o-2"})));
    accept(&lab, pens("ReserveStock", json!({"order_id": "o-2", "quantity": 9})));
    accept(&lab, pens("ReleaseStock", json!({"order_id": "o-1"})));
    accept(&lab, pens("ReleaseStock", json!({"order_id": "o-2"})));
    let log = log_of(&lab);
    let inventory = ModelSet::named(["inventory"]);
    let head = lab.head();
    for position in (0..=head).chain((0..head).rev()) {
        let scrubbed = lab.with_read_models_around(position, inventory, |at, _| at.table("inventory"));
        assert_eq!(scrubbed, fresh_fold(&log, position).table("inventory"), "at position {position}");
    }
    let table = lab.read_models_at(head).table("inventory").unwrap();
    assert_eq!(table.cell("sku-pen", "Reservations"), Some(&json!("o-3×3")));
    assert_eq!(table.cell("sku-pen", "Reserved"), Some(&json!(3)));
}

#[test]
fn a_rows_key_names_the_same_row_at_every_position_so_changed_rows_can_be_found() {
    let story = story();
    let lab = &story.lab;
    let changed = |position: u64, name: &str| -> Vec<String> {
        let before = lab.read_models_at(position - 1).tables();
        let after = lab.read_models_at(position).tables();
        let (before, after) = (
            before.iter().find(|table| table.name == name).unwrap(),
            after.iter().find(|table| table.name == name).unwrap(),
        );
        after.rows.iter().filter(|row| before.row(&row.key) != Some(row)).map(|row| row.key.clone()).collect()
    };
    assert_eq!(changed(story.o2_cancelled, "order_summary"), vec!["o-2"]);
    assert_eq!(changed(story.o2_cancelled, "customer_orders"), vec!["佐藤花子"]);
    assert_eq!(changed(story.o2_cancelled, "product_sales"), vec!["マウス"]);
    assert_eq!(changed(story.o2_cancelled, "inventory"), Vec::<String>::new());
    assert_eq!(changed(story.mouse_restocked, "inventory"), vec!["sku-mouse"]);
    assert_eq!(changed(story.laptop_repriced, "product_catalog"), vec!["p-laptop"]);
    assert_eq!(changed(13, "account_history"), vec!["acc-1@13"]);
    assert_eq!(changed(13, "account_balances"), vec!["acc-1"]);
    assert_eq!(changed(13, "user_activity"), vec!["workshop-user@13"]);
    for position in 1..=lab.head() {
        let before = lab.read_models_at(position - 1).tables();
        let after = lab.read_models_at(position).tables();
        for (before, after) in before.iter().zip(&after) {
            for row in &before.rows {
                assert!(after.row(&row.key).is_some(), "{} row {} vanished at {position}", after.name, row.key);
            }
        }
    }
}

/// Money and counts as a panel and a summary cell write them.
#[test]
fn money_is_written_in_yen_and_counts_with_thousands_separators() {
    assert_eq!(money(0), "¥0");
    assert_eq!(money(999), "¥999");
    assert_eq!(money(1_000), "¥1,000");
    assert_eq!(money(13_190_040), "¥13,190,040");
    assert_eq!(money(-2_500), "-¥2,500");
    assert_eq!(thousands(7), "7");
    assert_eq!(thousands(100_000), "100,000");
    assert_eq!(thousands(1_234_567), "1,234,567");
}
