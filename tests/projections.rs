#![cfg(not(target_arch = "wasm32"))]
//! The read models: time travel equals a fresh fold, redelivery changes nothing,
//! and checkpoints follow what was delivered.

mod common;

use serde_json::{json, Value};

use kiroku::domain::order::{OrderEvent, OrderStatus};
use kiroku::domain::Event;
use kiroku::event_sourcing::memory_store::MemoryStore;
use kiroku::event_sourcing::projection::{Delivery, Projection, Projector};
use kiroku::event_sourcing::recorded::RecordedEvent;
use kiroku::lab::Lab;
use kiroku::read_models::order_details::OrderDetails;
use kiroku::read_models::order_summary::OrderSummary;
use kiroku::read_models::ReadModels;

use common::{accept, command, fresh_fold, log_of, new_lab, send, to_json};

/// Three orders and fourteen events, with rejected commands in between.
/// Positions are noted beside each accepted command.
fn scenario() -> Lab<MemoryStore> {
    let lab = new_lab();
    let rejected = |lab: &Lab<MemoryStore>, envelope: Value, code: &str| {
        let result = send(lab, envelope);
        assert_eq!(result["status"], "rejected", "{result}");
        assert_eq!(result["error"]["code"], code, "{result}");
    };
    let item = |name: &str, quantity: u32, price: i64| {
        json!({"product_name": name, "quantity": quantity, "unit_price_cents": price})
    };
    accept(&lab, command("CreateOrder", "o-1", json!({"customer_name": "山田太郎"}))); // 1
    accept(&lab, command("AddItem", "o-1", item("ノートPC", 1, 120000))); // 2
    accept(&lab, command("CreateOrder", "o-2", json!({"customer_name": "佐藤花子"}))); // 3
    accept(&lab, command("AddItem", "o-1", item("マウス", 2, 3000))); // 4
    rejected(&lab, command("ConfirmOrder", "o-3", json!({})), "not_found");
    accept(&lab, command("AddItem", "o-2", item("キーボード", 1, 8000))); // 5
    accept(&lab, command("RemoveItem", "o-1", json!({"product_name": "マウス"}))); // 6
    rejected(&lab, command("AddItem", "o-1", item("ノートPC", 1, 100000)), "price_mismatch");
    accept(&lab, command("ConfirmOrder", "o-1", json!({}))); // 7
    accept(&lab, command("CreateOrder", "o-3", json!({"customer_name": "Suzuki Ichiro"}))); // 8
    accept(&lab, command("AddItem", "o-2", item("キーボード", 2, 8000))); // 9
    rejected(&lab, command("ShipOrder", "o-2", json!({})), "cannot_ship");
    accept(&lab, command("ShipOrder", "o-1", json!({}))); // 10
    accept(&lab, command("AddItem", "o-3", item("USBケーブル", 3, 500))); // 11
    accept(&lab, command("CancelOrder", "o-2", json!({"reason": "customer changed their mind"}))); // 12
    rejected(&lab, command("RemoveItem", "o-1", json!({"product_name": "ノートPC"})), "order_not_editable");
    accept(&lab, command("ConfirmOrder", "o-3", json!({}))); // 13
    accept(&lab, command("CancelOrder", "o-3", json!({"reason": "out of stock"}))); // 14
    rejected(&lab, command("CancelOrder", "o-1", json!({"reason": "too late"})), "cannot_cancel");
    assert_eq!(lab.head(), 14, "rejected commands wrote nothing");
    lab
}

/// (customer, status, total, item count) of one summary row, `None` when absent.
fn summary(models: &ReadModels, order_id: &str) -> Option<(String, OrderStatus, i64, u32)> {
    models
        .order_summary
        .model
        .orders
        .get(order_id)
        .map(|row| (row.customer_name.to_string(), row.status, row.total_cents, row.item_count))
}

/// (product, quantity, unit price) of each line of one order's details.
fn items(models: &ReadModels, order_id: &str) -> Vec<(String, u32, i64)> {
    models
        .order_details
        .model
        .orders
        .get(order_id)
        .unwrap_or_else(|| panic!("no details for {order_id}"))
        .items
        .iter()
        .map(|item| (item.product_name.clone(), item.quantity, item.unit_price_cents))
        .collect()
}

fn row(customer: &str, status: OrderStatus, total: i64, count: u32) -> Option<(String, OrderStatus, i64, u32)> {
    Some((customer.to_owned(), status, total, count))
}

fn line(product: &str, quantity: u32, price: i64) -> (String, u32, i64) {
    (product.to_owned(), quantity, price)
}

// ---- (a) time travel is a fresh fold -------------------------------------------

#[test]
fn the_read_models_at_every_position_equal_a_fresh_fold_of_the_log_up_to_it() {
    let lab = scenario();
    let log = log_of(&lab);
    assert_eq!(log.len(), 14);
    for position in 0..=lab.head() {
        assert_eq!(
            to_json(&lab.read_models_at(position)),
            to_json(&fresh_fold(&log, position)),
            "the read models at position {position}"
        );
    }
}

#[test]
fn the_read_models_at_the_head_equal_a_fresh_fold_of_the_whole_log() {
    let lab = scenario();
    let log = log_of(&lab);
    let head = lab.read_models_at(lab.head());
    assert_eq!(to_json(&head), to_json(&fresh_fold(&log, 14)));
    // Past the head is the head.
    assert_eq!(to_json(&lab.read_models_at(99)), to_json(&head));
}

#[test]
fn nothing_is_projected_at_position_zero() {
    let lab = scenario();
    let models = lab.read_models_at(0);
    assert!(models.order_summary.model.orders.is_empty());
    assert!(models.order_details.model.orders.is_empty());
    assert_eq!((models.order_summary.checkpoint, models.order_details.checkpoint), (0, 0));
}

#[test]
fn at_position_4_the_first_order_holds_a_laptop_and_two_mice() {
    let models = scenario().read_models_at(4);
    assert_eq!(summary(&models, "o-1"), row("山田太郎", OrderStatus::Draft, 126000, 3));
    assert_eq!(items(&models, "o-1"), vec![line("ノートPC", 1, 120000), line("マウス", 2, 3000)]);
    assert_eq!(summary(&models, "o-2"), row("佐藤花子", OrderStatus::Draft, 0, 0));
    assert!(items(&models, "o-2").is_empty());
    assert_eq!(summary(&models, "o-3"), None, "o-3 is created at position 8");
    let summary_ids: Vec<&str> = models.order_summary.model.orders.iter().map(|row| row.order_id.as_str()).collect();
    assert_eq!(summary_ids, vec!["o-1", "o-2"], "rows in the order the orders were created");
}

#[test]
fn at_position_6_the_mice_are_removed_again() {
    let models = scenario().read_models_at(6);
    assert_eq!(summary(&models, "o-1"), row("山田太郎", OrderStatus::Draft, 120000, 1));
    assert_eq!(items(&models, "o-1"), vec![line("ノートPC", 1, 120000)]);
    assert_eq!(summary(&models, "o-2"), row("佐藤花子", OrderStatus::Draft, 8000, 1));
}

#[test]
fn at_position_9_the_keyboards_are_merged_into_one_line() {
    let models = scenario().read_models_at(9);
    assert_eq!(summary(&models, "o-1"), row("山田太郎", OrderStatus::Confirmed, 120000, 1));
    assert_eq!(summary(&models, "o-2"), row("佐藤花子", OrderStatus::Draft, 24000, 3));
    assert_eq!(items(&models, "o-2"), vec![line("キーボード", 3, 8000)]);
    assert_eq!(summary(&models, "o-3"), row("Suzuki Ichiro", OrderStatus::Draft, 0, 0));
}

#[test]
fn at_the_head_every_order_has_reached_its_last_status() {
    let models = scenario().read_models_at(14);
    assert_eq!(summary(&models, "o-1"), row("山田太郎", OrderStatus::Shipped, 120000, 1));
    assert_eq!(summary(&models, "o-2"), row("佐藤花子", OrderStatus::Cancelled, 24000, 3));
    assert_eq!(summary(&models, "o-3"), row("Suzuki Ichiro", OrderStatus::Cancelled, 1500, 3));
    assert_eq!(items(&models, "o-3"), vec![line("USBケーブル", 3, 500)]);
    let details = models.order_details.model.orders.get("o-2").unwrap();
    assert_eq!(details.cancel_reason.as_deref(), Some("customer changed their mind"));
    assert_eq!(details.total_cents, 24000);
    assert_eq!(models.order_details.model.orders.get("o-1").unwrap().cancel_reason, None);
}

#[test]
fn a_summary_rows_updated_at_is_the_time_of_the_last_event_that_touched_it() {
    let lab = scenario();
    let log = log_of(&lab);
    let models = lab.read_models_at(14);
    let recorded_at = |position: usize| to_json(&log[position - 1].0.metadata)["recorded_at"].clone();
    // o-1 was last touched by ShipOrder at position 10, o-2 by its cancellation at 12.
    assert_eq!(json!(models.order_summary.model.orders.get("o-1").unwrap().updated_at), recorded_at(10));
    assert_eq!(json!(models.order_summary.model.orders.get("o-2").unwrap().updated_at), recorded_at(12));
    assert_ne!(recorded_at(10), recorded_at(12), "the environment's clock moved on");
    let at_4 = lab.read_models_at(4);
    assert_eq!(json!(at_4.order_summary.model.orders.get("o-1").unwrap().updated_at), recorded_at(4));
}

#[test]
fn the_lab_answers_queries_as_of_a_position_from_the_same_fold() {
    let lab = scenario();
    let log = log_of(&lab);
    for position in [0, 4, 6, 9, 13, 14] {
        let mut answer = to_json(&lab.query(&json!({"query_type": "ListOrders", "as_of": position})));
        answer.as_object_mut().unwrap().remove("cache");
        let expected_rows = to_json(&fresh_fold(&log, position).order_summary.model.orders);
        assert_eq!(
            answer,
            json!({"status": "ok", "position": position, "data": {"orders": expected_rows}}),
            "ListOrders as of {position}"
        );
    }
}

// ---- (b) redelivery changes nothing --------------------------------------------

#[test]
fn redelivering_any_applied_event_changes_nothing_and_is_already_seen() {
    let lab = scenario();
    let log = log_of(&lab);
    for position in 1..=lab.head() {
        let mut models = lab.read_models_at(position);
        let before = to_json(&models);
        for (recorded, event) in log.iter().take(position as usize) {
            assert_eq!(models.order_summary.handle(recorded, event), Delivery::AlreadySeen);
            assert_eq!(models.order_details.handle(recorded, event), Delivery::AlreadySeen);
        }
        assert_eq!(to_json(&models), before, "redelivering events 1..={position} changed the read models");
    }
}

#[test]
fn redelivering_the_whole_log_changes_nothing() {
    let lab = scenario();
    let log = log_of(&lab);
    let mut models = lab.read_models_at(lab.head());
    let before = to_json(&models);
    for (recorded, event) in &log {
        models.apply(recorded, event);
    }
    assert_eq!(to_json(&models), before);
    assert_eq!(models.order_summary.applied, 14, "nothing applied twice");
}

#[test]
fn a_redelivery_in_the_middle_is_skipped_and_the_next_new_event_still_applies() {
    let lab = scenario();
    let log = log_of(&lab);
    let mut models = lab.read_models_at(5);
    let (recorded_3, event_3) = &log[2];
    assert_eq!(models.order_summary.handle(recorded_3, event_3), Delivery::AlreadySeen);
    let (recorded_6, event_6) = &log[5];
    assert_eq!(models.order_summary.handle(recorded_6, event_6), Delivery::Applied);
    assert_eq!(models.order_details.handle(recorded_6, event_6), Delivery::Applied);
    let at_6 = lab.read_models_at(6);
    assert_eq!(to_json(&models.order_summary), to_json(&at_6.order_summary));
    assert_eq!(to_json(&models.order_details), to_json(&at_6.order_details));
    models.apply(recorded_6, event_6);
    assert_eq!(to_json(&models), to_json(&at_6), "the other projectors catch up with the same delivery");
    assert_eq!(models.order_summary.handle(recorded_6, event_6), Delivery::AlreadySeen, "twice is a redelivery");
}

#[test]
fn an_event_type_the_read_models_do_not_subscribe_to_only_moves_the_checkpoint() {
    let lab = scenario();
    let log = log_of(&lab);
    let mut models = lab.read_models_at(14);
    let before_orders = (
        to_json(&models.order_summary.model),
        to_json(&models.order_details.model),
    );
    // A recorded event of a type nobody subscribes to, built by hand.
    let mut foreign = log[13].0.clone();
    foreign.position = 15;
    foreign.stream_version = 99;
    foreign.event_type = "OrderAudited".into();
    let event = Event::Order(OrderEvent::OrderCancelled { reason: "must not be applied".to_owned() });
    assert_eq!(models.order_summary.handle(&foreign, &event), Delivery::NotSubscribed);
    assert_eq!(models.order_details.handle(&foreign, &event), Delivery::NotSubscribed);
    assert_eq!((to_json(&models.order_summary.model), to_json(&models.order_details.model)), before_orders);
    assert_eq!((models.order_summary.checkpoint, models.order_details.checkpoint), (15, 15));
    assert_eq!((models.order_summary.applied, models.order_details.applied), (14, 14));
    assert_eq!(models.order_summary.handle(&foreign, &event), Delivery::AlreadySeen);
}

/// A read model that only counts created orders.
#[derive(Debug, Clone, Default, serde::Serialize)]
struct CreatedOrders {
    customers: Vec<String>,
}

impl Projection<Event> for CreatedOrders {
    const NAME: &'static str = "created_orders";
    const SUBSCRIBES_TO: &'static [&'static str] = &["OrderCreated"];

    fn apply(&mut self, _recorded: &RecordedEvent, event: &Event) {
        match event {
            Event::Order(OrderEvent::OrderCreated { customer_name }) => self.customers.push(customer_name.clone()),
            other => panic!("{other:?} was routed to a projection that does not subscribe to it"),
        }
    }
}

#[test]
fn a_projector_applies_only_the_event_types_it_subscribes_to() {
    let log = log_of(&scenario());
    let mut projector = Projector::new(CreatedOrders::default());
    let deliveries: Vec<Delivery> = log.iter().map(|(recorded, event)| projector.handle(recorded, event)).collect();
    let applied_at: Vec<u64> = deliveries
        .iter()
        .zip(1u64..)
        .filter(|(delivery, _)| **delivery == Delivery::Applied)
        .map(|(_, position)| position)
        .collect();
    assert_eq!(applied_at, vec![1, 3, 8], "the three OrderCreated events");
    assert_eq!(deliveries.iter().filter(|d| **d == Delivery::NotSubscribed).count(), 11);
    assert_eq!(projector.model.customers, vec!["山田太郎", "佐藤花子", "Suzuki Ichiro"]);
    assert_eq!((projector.checkpoint, projector.applied), (14, 3));
    // And a second pass is all redeliveries.
    for (recorded, event) in &log {
        assert_eq!(projector.handle(recorded, event), Delivery::AlreadySeen);
    }
    assert_eq!(projector.model.customers.len(), 3);
}

// ---- (c) checkpoints -----------------------------------------------------------

#[test]
fn the_checkpoints_at_every_position_are_that_position() {
    let lab = scenario();
    for position in 0..=lab.head() {
        let models = lab.read_models_at(position);
        let statuses: Vec<(&str, u64, u64)> =
            models.statuses().iter().map(|status| (status.name, status.checkpoint, status.applied)).collect();
        assert_eq!(
            statuses[..2],
            [("order_summary", position, position), ("order_details", position, position)],
            "at position {position} (every order event is subscribed)"
        );
        assert!(statuses.iter().all(|(_, checkpoint, _)| *checkpoint == position), "{statuses:?}");
    }
}

#[test]
fn a_projectors_checkpoint_is_the_last_position_delivered() {
    let log = log_of(&scenario());
    let mut summary = Projector::new(OrderSummary::default());
    let mut details = Projector::new(OrderDetails::default());
    assert_eq!((summary.checkpoint, details.checkpoint), (0, 0));
    for (recorded, event) in &log {
        summary.handle(recorded, event);
        details.handle(recorded, event);
        assert_eq!(summary.checkpoint, recorded.position);
        assert_eq!(details.checkpoint, recorded.position);
        assert_eq!(summary.applied, recorded.position);
    }
    // A redelivery of an old event does not move the checkpoint back.
    summary.handle(&log[0].0, &log[0].1);
    assert_eq!(summary.checkpoint, 14);
}

#[test]
fn the_statuses_name_each_projector_and_its_subscriptions() {
    let models = scenario().read_models_at(14);
    let statuses = models.statuses();
    assert_eq!(statuses.len(), 10);
    for status in &statuses[..2] {
        assert_eq!(
            status.subscribes_to,
            &["OrderCreated", "ItemAdded", "ItemRemoved", "OrderConfirmed", "OrderReadyToShip", "OrderShipped", "OrderCancelled"]
        );
    }
    assert_eq!(<OrderSummary as Projection<Event>>::NAME, "order_summary");
    assert_eq!(<OrderDetails as Projection<Event>>::NAME, "order_details");
}
