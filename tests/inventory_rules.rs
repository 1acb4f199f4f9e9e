#![cfg(not(target_arch = "wasm32"))]
//! Every rule of the inventory aggregate (seeds 003 and 004), as given / when / then specifications.

mod common;

use serde_json::json;

use kiroku::domain::inventory::{
    InventoryCommand, InventoryEvent, InventoryItem, InventoryRejection, InventoryState, Reservation,
    DEFAULT_LOW_STOCK_THRESHOLD,
};
use kiroku::domain::Event;
use kiroku::event_sourcing::aggregate::{Aggregate, DomainEvent, Rejection};
use kiroku::event_sourcing::recorded::StreamId;
use kiroku::event_sourcing::testing::{given, Given};

// ---- events -------------------------------------------------------------------

fn received(sku: &str, quantity: u32) -> InventoryEvent {
    InventoryEvent::StockReceived { sku: sku.to_owned(), quantity, low_stock_threshold: None }
}

fn received_with_threshold(sku: &str, quantity: u32, threshold: u32) -> InventoryEvent {
    InventoryEvent::StockReceived { sku: sku.to_owned(), quantity, low_stock_threshold: Some(threshold) }
}

fn reserved(order_id: &str, quantity: u32) -> InventoryEvent {
    InventoryEvent::StockReserved { order_id: order_id.to_owned(), quantity }
}

fn released(order_id: &str, quantity: u32) -> InventoryEvent {
    InventoryEvent::StockReleased { order_id: order_id.to_owned(), quantity }
}

// ---- commands -----------------------------------------------------------------

fn receive(sku: &str, quantity: u32) -> InventoryCommand {
    InventoryCommand::ReceiveStock { sku: sku.to_owned(), quantity, low_stock_threshold: None }
}

fn receive_with_threshold(sku: &str, quantity: u32, threshold: u32) -> InventoryCommand {
    InventoryCommand::ReceiveStock { sku: sku.to_owned(), quantity, low_stock_threshold: Some(threshold) }
}

fn reserve(order_id: &str, quantity: u32) -> InventoryCommand {
    InventoryCommand::ReserveStock { order_id: order_id.to_owned(), quantity }
}

fn release(order_id: &str) -> InventoryCommand {
    InventoryCommand::ReleaseStock { order_id: order_id.to_owned() }
}

// ---- histories ----------------------------------------------------------------

/// Ten laptops in the warehouse.
fn stocked() -> Vec<InventoryEvent> {
    vec![received("SKU-PC", 10)]
}

/// Ten laptops, four of them held for o-1.
fn partly_reserved() -> Vec<InventoryEvent> {
    vec![received("SKU-PC", 10), reserved("o-1", 4)]
}

fn g(history: Vec<InventoryEvent>) -> Given<InventoryItem> {
    given::<InventoryItem>(history)
}

fn state(history: &[InventoryEvent]) -> InventoryState {
    InventoryItem::fold(history).expect("the item was received")
}

// ---- ReceiveStock ---------------------------------------------------------------

#[test]
fn the_first_receipt_creates_the_item() {
    g(vec![]).when(receive("SKU-PC", 10)).then(vec![received("SKU-PC", 10)]);
}

#[test]
fn the_first_receipt_may_set_a_low_stock_threshold() {
    g(vec![]).when(receive_with_threshold("SKU-PC", 10, 3)).then(vec![received_with_threshold("SKU-PC", 10, 3)]);
}

#[test]
fn receiving_more_of_the_same_sku_is_recorded() {
    g(stocked()).when(receive("SKU-PC", 5)).then(vec![received("SKU-PC", 5)]);
}

#[test]
fn receiving_more_adds_to_what_is_on_hand() {
    let item = state(&[received("SKU-PC", 10), received("SKU-PC", 5)]);
    assert_eq!(item.on_hand, 15);
    assert_eq!(item.available(), 15);
}

#[test]
fn it_refuses_to_receive_another_sku_into_this_stream_naming_both() {
    let message = g(stocked()).when(receive("SKU-MOUSE", 5)).then_rejects("sku_mismatch");
    assert!(message.contains("SKU-PC") && message.contains("SKU-MOUSE"), "{message}");
}

#[test]
fn it_refuses_to_receive_zero_units_on_the_first_receipt() {
    g(vec![]).when(receive("SKU-PC", 0)).then_rejects("invalid_quantity");
}

#[test]
fn it_refuses_to_receive_zero_units_later() {
    g(stocked()).when(receive("SKU-PC", 0)).then_rejects("invalid_quantity");
}

// ---- ReserveStock ---------------------------------------------------------------

#[test]
fn it_refuses_to_reserve_an_item_never_received() {
    g(vec![]).when(reserve("o-1", 1)).then_rejects("not_found");
}

#[test]
fn it_reserves_available_units_for_an_order() {
    g(stocked()).when(reserve("o-1", 4)).then(vec![reserved("o-1", 4)]);
}

#[test]
fn it_reserves_every_available_unit() {
    g(stocked()).when(reserve("o-1", 10)).then(vec![reserved("o-1", 10)]);
}

#[test]
fn it_refuses_to_reserve_zero_units() {
    g(stocked()).when(reserve("o-1", 0)).then_rejects("invalid_quantity");
}

#[test]
fn it_refuses_to_reserve_more_than_is_on_hand_naming_both_quantities() {
    let message = g(stocked()).when(reserve("o-1", 11)).then_rejects("insufficient_stock");
    assert!(message.contains("10") && message.contains("11"), "{message}");
}

#[test]
fn insufficient_stock_counts_the_units_already_reserved() {
    // 10 on hand, 4 held for o-1: 6 available.
    let message = g(partly_reserved()).when(reserve("o-2", 7)).then_rejects("insufficient_stock");
    assert!(message.contains('6') && message.contains('7'), "the message names available and requested: {message}");
    g(partly_reserved()).when(reserve("o-2", 6)).then(vec![reserved("o-2", 6)]);
}

#[test]
fn released_units_can_be_reserved_again() {
    let history = vec![received("SKU-PC", 10), reserved("o-1", 10), released("o-1", 10)];
    g(history).when(reserve("o-2", 10)).then(vec![reserved("o-2", 10)]);
}

#[test]
fn received_units_can_be_reserved_once_they_arrive() {
    let history = vec![received("SKU-PC", 2), reserved("o-1", 2), received("SKU-PC", 3)];
    g(history.clone()).when(reserve("o-2", 4)).then_rejects("insufficient_stock");
    g(history).when(reserve("o-2", 3)).then(vec![reserved("o-2", 3)]);
}

#[test]
fn it_refuses_a_second_reservation_for_the_same_order_naming_it() {
    let message = g(partly_reserved()).when(reserve("o-1", 1)).then_rejects("already_reserved");
    assert!(message.contains("o-1"), "{message}");
}

// ---- ReleaseStock ---------------------------------------------------------------

#[test]
fn it_refuses_to_release_on_an_item_never_received() {
    g(vec![]).when(release("o-1")).then_rejects("not_found");
}

#[test]
fn releasing_records_the_units_the_order_held() {
    g(partly_reserved()).when(release("o-1")).then(vec![released("o-1", 4)]);
}

#[test]
fn releasing_returns_the_units_to_what_is_available() {
    let item = state(&[received("SKU-PC", 10), reserved("o-1", 4), reserved("o-2", 1), released("o-1", 4)]);
    assert_eq!(item.available(), 9);
    assert_eq!(item.reserved(), 1);
    assert_eq!(item.on_hand, 10, "a release does not change what is on hand");
    assert_eq!(item.reservations(), [Reservation { order_id: "o-2".to_owned(), quantity: 1 }]);
}

#[test]
fn it_refuses_to_release_for_an_order_that_reserved_nothing_naming_it() {
    let message = g(partly_reserved()).when(release("o-9")).then_rejects("reservation_not_found");
    assert!(message.contains("o-9"), "{message}");
}

#[test]
fn it_refuses_to_release_twice() {
    let history = vec![received("SKU-PC", 10), reserved("o-1", 4), released("o-1", 4)];
    g(history).when(release("o-1")).then_rejects("reservation_not_found");
}

#[test]
fn after_a_release_the_same_order_may_reserve_again() {
    let history = vec![received("SKU-PC", 10), reserved("o-1", 4), released("o-1", 4)];
    g(history).when(reserve("o-1", 2)).then(vec![reserved("o-1", 2)]);
}

// ---- evolve -------------------------------------------------------------------

#[test]
fn nothing_exists_before_the_first_receipt() {
    assert_eq!(InventoryItem::fold(&[]), None);
    assert_eq!(InventoryItem::fold(&[reserved("o-1", 1), released("o-1", 1)]), None);
}

#[test]
fn the_first_receipt_without_a_threshold_uses_the_default() {
    assert_eq!(state(&stocked()).low_stock_threshold, DEFAULT_LOW_STOCK_THRESHOLD);
    assert_eq!(DEFAULT_LOW_STOCK_THRESHOLD, 5);
}

#[test]
fn a_later_receipt_without_a_threshold_keeps_the_one_set() {
    let item = state(&[received_with_threshold("SKU-PC", 10, 3), received("SKU-PC", 1)]);
    assert_eq!(item.low_stock_threshold, 3);
    assert_eq!(item.on_hand, 11);
}

#[test]
fn a_later_receipt_with_a_threshold_updates_it() {
    let item = state(&[received_with_threshold("SKU-PC", 10, 3), received_with_threshold("SKU-PC", 1, 8)]);
    assert_eq!(item.low_stock_threshold, 8);
    let item = state(&[received("SKU-PC", 10), received_with_threshold("SKU-PC", 1, 2)]);
    assert_eq!(item.low_stock_threshold, 2, "a later receipt also replaces the default");
}

#[test]
fn the_stock_folds_step_by_step() {
    let history = [
        received("SKU-PC", 10),
        reserved("o-1", 4),
        reserved("o-2", 3),
        released("o-1", 4),
        received("SKU-PC", 2),
    ];
    let steps: Vec<(u32, u32, u32)> = (1..=history.len())
        .map(|n| {
            let item = state(&history[..n]);
            (item.on_hand, item.reserved(), item.available())
        })
        .collect();
    assert_eq!(steps, vec![(10, 0, 10), (10, 4, 6), (10, 7, 3), (10, 3, 7), (12, 3, 9)]);
}

#[test]
fn reservations_are_kept_in_the_order_they_were_made() {
    let item = state(&[received("SKU-PC", 10), reserved("o-2", 1), reserved("o-1", 2)]);
    let orders: Vec<&str> = item.reservations().iter().map(|reservation| reservation.order_id.as_str()).collect();
    assert_eq!(orders, vec!["o-2", "o-1"]);
}

#[test]
fn the_state_reads_as_json() {
    let item = InventoryItem::fold(&partly_reserved());
    assert_eq!(
        serde_json::to_value(item).unwrap(),
        json!({
            "sku": "SKU-PC",
            "on_hand": 10,
            "reservations": [{"order_id": "o-1", "quantity": 4}],
            "low_stock_threshold": 5
        })
    );
}

#[test]
fn a_state_read_back_from_its_json_answers_like_the_folded_one() {
    // What a snapshot does: the state written, then read back. The units each order
    // holds are not written; they are found again from the reservations.
    let history = [received("SKU-PC", 50), reserved("o-1", 4), reserved("o-2", 3), reserved("o-3", 5), released("o-2", 3)];
    let folded = state(&history);
    let read: InventoryState = serde_json::from_value(serde_json::to_value(&folded).unwrap()).unwrap();
    assert_eq!(read, folded);
    assert_eq!((read.reserved(), read.available()), (9, 41));
    let decide = |command| InventoryItem::decide(&Some(read.clone()), &command);
    assert_eq!(decide(release("o-3")), Ok(vec![released("o-3", 5)]), "the units the order holds");
    assert_eq!(decide(reserve("o-1", 1)).map_err(|error| error.code()), Err("already_reserved"));
    assert_eq!(decide(reserve("o-2", 41)), Ok(vec![reserved("o-2", 41)]), "o-2 released, and 41 are left");
    assert_eq!(decide(reserve("o-4", 42)).map_err(|error| error.code()), Err("insufficient_stock"));
}

#[test]
fn a_state_that_has_decided_stays_right_as_events_come() {
    // Once a decision has asked, what each order holds is kept up to date by evolve;
    // at every step it answers as a state read afresh from its JSON.
    let history = [
        received("SKU-PC", 100),
        reserved("o-1", 4),
        reserved("o-2", 3),
        released("o-1", 4),
        reserved("o-1", 2),
        reserved("o-3", 7),
        reserved("o-2", 1),
        released("o-2", 3),
        received("SKU-PC", 5),
        released("o-3", 7),
    ];
    let mut carried: Option<InventoryState> = None;
    for (step, event) in history.iter().enumerate() {
        carried = InventoryItem::evolve(carried, event);
        let item = carried.as_ref().unwrap();
        let fresh: InventoryState = serde_json::from_value(serde_json::to_value(item).unwrap()).unwrap();
        assert_eq!((item.reserved(), item.available()), (fresh.reserved(), fresh.available()), "step {step}");
        for order in ["o-1", "o-2", "o-3"] {
            let decide = |state: &InventoryState| InventoryItem::decide(&Some(state.clone()), &release(order)).map_err(|error| error.code());
            assert_eq!(decide(item), decide(&fresh), "step {step}, {order}");
        }
    }
    assert_eq!(carried.unwrap().reserved(), 2, "o-1 holds 2; o-2 and o-3 released");
}

#[test]
fn a_reservation_made_twice_in_a_log_is_released_whole() {
    // A log written elsewhere (an import) can hold what this lab's rules refuse.
    let item = state(&[received("SKU-PC", 10), reserved("o-1", 2), reserved("o-2", 1), reserved("o-1", 3)]);
    assert_eq!(item.reserved(), 6);
    assert_eq!(InventoryItem::decide(&Some(item.clone()), &release("o-1")), Ok(vec![released("o-1", 2)]), "the first, as a scan finds it");
    let item = InventoryItem::evolve(Some(item), &released("o-1", 2)).unwrap();
    assert_eq!((item.reserved(), item.available()), (1, 9), "both of o-1's are gone");
    assert_eq!(item.reservations(), [Reservation { order_id: "o-2".to_owned(), quantity: 1 }]);
}

// ---- the recorded form --------------------------------------------------------

fn every_event() -> Vec<InventoryEvent> {
    vec![received("SKU-PC", 10), received_with_threshold("SKU-PC", 5, 3), reserved("o-1", 4), released("o-1", 4)]
}

#[test]
fn every_event_round_trips_through_its_recorded_data() {
    common::assert_reads_back_from_data(every_event());
}

#[test]
fn every_event_round_trips_through_a_recorded_event() {
    common::assert_decodes_when_recorded(every_event(), &StreamId::new("Inventory", "SKU-PC"), Event::Inventory);
}

#[test]
fn event_data_has_the_shape_of_the_contract() {
    assert_eq!(received("SKU-PC", 10).to_data().to_value(), json!({"sku": "SKU-PC", "quantity": 10}), "no threshold, no field");
    assert_eq!(
        received_with_threshold("SKU-PC", 10, 3).to_data().to_value(),
        json!({"sku": "SKU-PC", "quantity": 10, "low_stock_threshold": 3})
    );
    assert_eq!(reserved("o-1", 4).to_data().to_value(), json!({"order_id": "o-1", "quantity": 4}));
    assert_eq!(released("o-1", 4).to_data().to_value(), json!({"order_id": "o-1", "quantity": 4}));
    let types: Vec<&str> = every_event().iter().map(|event| event.event_type()).collect();
    assert_eq!(types, vec!["StockReceived", "StockReceived", "StockReserved", "StockReleased"]);
}

#[test]
fn recorded_data_of_an_unknown_type_or_shape_does_not_decode() {
    assert!(InventoryEvent::from_recorded("StockStolen", 1, &json!({}).into()).is_err());
    assert!(InventoryEvent::from_recorded("StockReserved", 1, &json!({"order_id": "o-1"}).into()).is_err());
    assert!(InventoryEvent::from_recorded("StockReceived", 1, &json!({"sku": "SKU-PC", "quantity": -1}).into()).is_err());
}

// ---- rejection messages -------------------------------------------------------

#[test]
fn every_rejection_has_a_distinct_code_and_a_sentence_for_people() {
    use InventoryRejection as R;
    let rejections = vec![
        R::NotFound,
        R::SkuMismatch { existing: "SKU-PC".to_owned(), given: "SKU-MOUSE".to_owned() },
        R::InvalidQuantity { quantity: 0 },
        R::InsufficientStock { available: 6, requested: 7 },
        R::AlreadyReserved { order_id: "o-1".to_owned() },
        R::ReservationNotFound { order_id: "o-9".to_owned() },
    ];
    let mut codes: Vec<&str> = rejections.iter().map(|rejection| rejection.code()).collect();
    assert_eq!(
        codes,
        vec!["not_found", "sku_mismatch", "invalid_quantity", "insufficient_stock", "already_reserved", "reservation_not_found"]
    );
    for rejection in &rejections {
        let code = rejection.code();
        let message = rejection.to_string();
        assert!(message.ends_with('.'), "{code}: `{message}` ends like a sentence");
        assert!(message.split_whitespace().count() >= 3, "{code}: `{message}` is a sentence, not a word");
        assert!(!message.contains(code), "{code}: `{message}` is for people, not a code");
    }
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), rejections.len(), "every rejection has its own code");
}
