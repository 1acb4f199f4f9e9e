#![cfg(not(target_arch = "wasm32"))]
//! Every rule of the order aggregate, as given / when / then specifications.

mod common;

use serde_json::json;

use kiroku::domain::order::{LineItem, Order, OrderCommand, OrderEvent, OrderRejection, OrderState, OrderStatus};
use kiroku::domain::Event;
use kiroku::event_sourcing::aggregate::{Aggregate, DomainEvent, Rejection};
use kiroku::event_sourcing::recorded::StreamId;
use kiroku::event_sourcing::testing::given;

// ---- events -------------------------------------------------------------------

fn created(customer_name: &str) -> OrderEvent {
    OrderEvent::OrderCreated { customer_name: customer_name.to_owned() }
}

fn added(product_name: &str, quantity: u32, unit_price_cents: i64) -> OrderEvent {
    OrderEvent::ItemAdded { product_name: product_name.to_owned(), quantity, unit_price_cents }
}

fn removed(product_name: &str, quantity: u32, unit_price_cents: i64) -> OrderEvent {
    OrderEvent::ItemRemoved { product_name: product_name.to_owned(), quantity, unit_price_cents }
}

fn confirmed() -> OrderEvent {
    OrderEvent::OrderConfirmed {}
}

fn shipped() -> OrderEvent {
    OrderEvent::OrderShipped {}
}

fn cancelled(reason: &str) -> OrderEvent {
    OrderEvent::OrderCancelled { reason: reason.to_owned() }
}

// ---- commands -----------------------------------------------------------------

fn create(customer_name: &str) -> OrderCommand {
    OrderCommand::CreateOrder { customer_name: customer_name.to_owned() }
}

fn add(product_name: &str, quantity: u32, unit_price_cents: i64) -> OrderCommand {
    OrderCommand::AddItem { product_name: product_name.to_owned(), quantity, unit_price_cents }
}

fn remove(product_name: &str) -> OrderCommand {
    OrderCommand::RemoveItem { product_name: product_name.to_owned() }
}

fn confirm() -> OrderCommand {
    OrderCommand::ConfirmOrder {}
}

fn ship() -> OrderCommand {
    OrderCommand::ShipOrder {}
}

fn cancel(reason: &str) -> OrderCommand {
    OrderCommand::CancelOrder { reason: reason.to_owned() }
}

// ---- histories ----------------------------------------------------------------

fn draft() -> Vec<OrderEvent> {
    vec![created("山田太郎")]
}

fn draft_with_laptop() -> Vec<OrderEvent> {
    vec![created("山田太郎"), added("ノートPC", 1, 120000)]
}

fn confirmed_order() -> Vec<OrderEvent> {
    let mut history = draft_with_laptop();
    history.push(confirmed());
    history
}

fn shipped_order() -> Vec<OrderEvent> {
    let mut history = confirmed_order();
    history.push(shipped());
    history
}

fn cancelled_order() -> Vec<OrderEvent> {
    let mut history = draft_with_laptop();
    history.push(cancelled("customer changed their mind"));
    history
}

fn g(history: Vec<OrderEvent>) -> kiroku::event_sourcing::testing::Given<Order> {
    given::<Order>(history)
}

// ---- CreateOrder --------------------------------------------------------------

#[test]
fn it_creates_an_order_for_a_named_customer() {
    g(vec![]).when(create("山田太郎")).then(vec![created("山田太郎")]);
}

#[test]
fn it_trims_the_customer_name_on_creation() {
    g(vec![]).when(create("  山田太郎 \t")).then(vec![created("山田太郎")]);
}

#[test]
fn it_refuses_to_create_an_order_that_already_exists() {
    g(draft()).when(create("佐藤花子")).then_rejects("already_exists");
    g(shipped_order()).when(create("佐藤花子")).then_rejects("already_exists");
}

#[test]
fn it_refuses_to_create_an_order_without_a_customer_name() {
    g(vec![]).when(create("")).then_rejects("customer_name_required");
}

#[test]
fn it_refuses_a_customer_name_made_only_of_whitespace() {
    g(vec![]).when(create("   \t ")).then_rejects("customer_name_required");
}

// ---- not_found ----------------------------------------------------------------

#[test]
fn it_refuses_to_add_an_item_to_an_order_that_does_not_exist() {
    g(vec![]).when(add("ノートPC", 1, 120000)).then_rejects("not_found");
}

#[test]
fn it_refuses_to_remove_an_item_from_an_order_that_does_not_exist() {
    g(vec![]).when(remove("ノートPC")).then_rejects("not_found");
}

#[test]
fn it_refuses_to_confirm_an_order_that_does_not_exist() {
    g(vec![]).when(confirm()).then_rejects("not_found");
}

#[test]
fn it_refuses_to_ship_an_order_that_does_not_exist() {
    g(vec![]).when(ship()).then_rejects("not_found");
}

#[test]
fn it_refuses_to_cancel_an_order_that_does_not_exist() {
    g(vec![]).when(cancel("no longer needed")).then_rejects("not_found");
}

// ---- AddItem ------------------------------------------------------------------

#[test]
fn it_adds_an_item_to_a_draft() {
    g(draft()).when(add("ノートPC", 1, 120000)).then(vec![added("ノートPC", 1, 120000)]);
}

#[test]
fn it_trims_the_product_name_of_an_added_item() {
    g(draft()).when(add("  ノートPC  ", 2, 120000)).then(vec![added("ノートPC", 2, 120000)]);
}

#[test]
fn it_adds_the_same_product_again_at_the_same_price() {
    g(draft_with_laptop()).when(add("ノートPC", 2, 120000)).then(vec![added("ノートPC", 2, 120000)]);
}

#[test]
fn it_accepts_a_free_item_with_price_zero() {
    g(draft()).when(add("ステッカー", 1, 0)).then(vec![added("ステッカー", 1, 0)]);
}

#[test]
fn it_refuses_an_item_without_a_product_name() {
    g(draft()).when(add("", 1, 100)).then_rejects("product_name_required");
    g(draft()).when(add("   ", 1, 100)).then_rejects("product_name_required");
}

#[test]
fn it_refuses_an_item_with_quantity_zero() {
    let message = g(draft()).when(add("ノートPC", 0, 120000)).then_rejects("invalid_quantity");
    assert!(message.contains('0'), "the message names the quantity: {message}");
}

#[test]
fn it_refuses_an_item_with_a_negative_price() {
    let message = g(draft()).when(add("ノートPC", 1, -1)).then_rejects("invalid_price");
    assert!(message.contains("-1"), "the message names the price: {message}");
}

#[test]
fn it_refuses_to_add_a_product_already_in_the_order_at_another_price() {
    let message = g(draft_with_laptop()).when(add("ノートPC", 1, 99000)).then_rejects("price_mismatch");
    assert!(message.contains("120000") && message.contains("99000"), "both prices are named: {message}");
    // The trimmed name is what is compared.
    g(draft_with_laptop()).when(add(" ノートPC ", 1, 99000)).then_rejects("price_mismatch");
}

#[test]
fn it_refuses_to_add_an_item_to_a_confirmed_order() {
    let message = g(confirmed_order()).when(add("マウス", 1, 3000)).then_rejects("order_not_editable");
    assert!(message.contains("confirmed"), "{message}");
}

#[test]
fn it_refuses_to_add_an_item_to_a_shipped_order() {
    let message = g(shipped_order()).when(add("マウス", 1, 3000)).then_rejects("order_not_editable");
    assert!(message.contains("shipped"), "{message}");
}

#[test]
fn it_refuses_to_add_an_item_to_a_cancelled_order() {
    let message = g(cancelled_order()).when(add("マウス", 1, 3000)).then_rejects("order_not_editable");
    assert!(message.contains("cancelled"), "{message}");
}

// ---- RemoveItem ---------------------------------------------------------------

#[test]
fn it_removes_an_item_recording_its_quantity_and_price() {
    g(draft_with_laptop()).when(remove("ノートPC")).then(vec![removed("ノートPC", 1, 120000)]);
}

#[test]
fn it_removes_an_item_added_twice_with_the_merged_quantity() {
    let history = vec![created("山田太郎"), added("マウス", 2, 3000), added("マウス", 3, 3000)];
    g(history).when(remove(" マウス ")).then(vec![removed("マウス", 5, 3000)]);
}

#[test]
fn it_refuses_to_remove_an_item_that_is_not_in_the_order() {
    let message = g(draft_with_laptop()).when(remove("マウス")).then_rejects("item_not_found");
    assert!(message.contains("マウス"), "{message}");
}

#[test]
fn it_refuses_to_remove_an_item_that_was_already_removed() {
    let history = vec![created("山田太郎"), added("マウス", 1, 3000), removed("マウス", 1, 3000)];
    g(history).when(remove("マウス")).then_rejects("item_not_found");
}

#[test]
fn it_refuses_to_remove_an_item_from_a_confirmed_order() {
    g(confirmed_order()).when(remove("ノートPC")).then_rejects("order_not_editable");
}

#[test]
fn it_refuses_to_remove_an_item_from_a_shipped_order() {
    g(shipped_order()).when(remove("ノートPC")).then_rejects("order_not_editable");
}

#[test]
fn it_refuses_to_remove_an_item_from_a_cancelled_order() {
    g(cancelled_order()).when(remove("ノートPC")).then_rejects("order_not_editable");
}

// ---- ConfirmOrder -------------------------------------------------------------

#[test]
fn it_confirms_a_draft_with_items() {
    g(draft_with_laptop()).when(confirm()).then(vec![confirmed()]);
}

#[test]
fn it_refuses_to_confirm_an_empty_order() {
    g(draft()).when(confirm()).then_rejects("empty_order");
}

#[test]
fn it_refuses_to_confirm_an_order_whose_items_were_all_removed() {
    let history = vec![created("山田太郎"), added("マウス", 1, 3000), removed("マウス", 1, 3000)];
    g(history).when(confirm()).then_rejects("empty_order");
}

#[test]
fn it_refuses_to_confirm_an_order_twice() {
    g(confirmed_order()).when(confirm()).then_rejects("cannot_confirm");
}

#[test]
fn it_refuses_to_confirm_a_shipped_order() {
    g(shipped_order()).when(confirm()).then_rejects("cannot_confirm");
}

#[test]
fn it_refuses_to_confirm_a_cancelled_order() {
    g(cancelled_order()).when(confirm()).then_rejects("cannot_confirm");
}

// ---- ShipOrder ----------------------------------------------------------------

#[test]
fn it_ships_a_confirmed_order() {
    g(confirmed_order()).when(ship()).then(vec![shipped()]);
}

#[test]
fn it_refuses_to_ship_a_draft() {
    let message = g(draft_with_laptop()).when(ship()).then_rejects("cannot_ship");
    assert!(message.contains("draft"), "{message}");
}

#[test]
fn it_refuses_to_ship_a_cancelled_order() {
    g(cancelled_order()).when(ship()).then_rejects("cannot_ship");
}

#[test]
fn it_refuses_to_ship_an_order_twice() {
    g(shipped_order()).when(ship()).then_rejects("cannot_ship");
}

// ---- CancelOrder --------------------------------------------------------------

#[test]
fn it_cancels_a_draft_with_a_reason() {
    g(draft()).when(cancel("customer changed their mind")).then(vec![cancelled("customer changed their mind")]);
}

#[test]
fn it_cancels_a_confirmed_order_with_a_trimmed_reason() {
    g(confirmed_order()).when(cancel("  out of stock  ")).then(vec![cancelled("out of stock")]);
}

#[test]
fn it_refuses_to_cancel_a_shipped_order() {
    let message = g(shipped_order()).when(cancel("too late")).then_rejects("cannot_cancel");
    assert!(message.contains("shipped"), "{message}");
}

#[test]
fn it_refuses_to_cancel_an_order_twice() {
    g(cancelled_order()).when(cancel("again")).then_rejects("cannot_cancel");
}

#[test]
fn it_refuses_to_cancel_without_a_reason() {
    g(draft()).when(cancel("")).then_rejects("reason_required");
    g(confirmed_order()).when(cancel("   ")).then_rejects("reason_required");
}

// ---- evolve -------------------------------------------------------------------

#[test]
fn the_seed_001_story_folds_into_a_shipped_order_with_one_laptop() {
    let history = vec![
        created("山田太郎"),
        added("ノートPC", 1, 120000),
        added("マウス", 2, 3000),
        removed("マウス", 2, 3000),
        confirmed(),
        shipped(),
    ];
    let state = Order::fold(&history).expect("the order exists");
    assert_eq!(
        state,
        OrderState {
            customer_name: "山田太郎".to_owned(),
            status: OrderStatus::Shipped,
            items: vec![LineItem { product_name: "ノートPC".to_owned(), quantity: 1, unit_price_cents: 120000 }],
        }
    );
    assert_eq!(state.total_cents(), 120000);
}

#[test]
fn the_story_folds_step_by_step_through_each_status() {
    let history = [
        created("山田太郎"),
        added("ノートPC", 1, 120000),
        added("マウス", 2, 3000),
        removed("マウス", 2, 3000),
        confirmed(),
        shipped(),
    ];
    let statuses_and_totals: Vec<(OrderStatus, i64, usize)> = (1..=history.len())
        .map(|n| {
            let state = Order::fold(&history[..n]).expect("created first");
            (state.status, state.total_cents(), state.items.len())
        })
        .collect();
    assert_eq!(
        statuses_and_totals,
        vec![
            (OrderStatus::Draft, 0, 0),
            (OrderStatus::Draft, 120000, 1),
            (OrderStatus::Draft, 126000, 2),
            (OrderStatus::Draft, 120000, 1),
            (OrderStatus::Confirmed, 120000, 1),
            (OrderStatus::Shipped, 120000, 1),
        ]
    );
}

#[test]
fn adding_the_same_product_twice_merges_the_quantities_into_one_line() {
    let history = vec![created("山田太郎"), added("ノートPC", 1, 120000), added("マウス", 1, 3000), added("ノートPC", 2, 120000)];
    let state = Order::fold(&history).expect("the order exists");
    assert_eq!(
        state.items,
        vec![
            LineItem { product_name: "ノートPC".to_owned(), quantity: 3, unit_price_cents: 120000 },
            LineItem { product_name: "マウス".to_owned(), quantity: 1, unit_price_cents: 3000 },
        ]
    );
    assert_eq!(state.total_cents(), 363000);
}

#[test]
fn a_cancelled_order_keeps_its_items() {
    let state = Order::fold(&cancelled_order()).expect("the order exists");
    assert_eq!(state.status, OrderStatus::Cancelled);
    assert_eq!(state.total_cents(), 120000);
}

#[test]
fn nothing_exists_before_the_order_is_created() {
    assert_eq!(Order::fold(&[]), None);
    // Events for an order that was never created change nothing.
    assert_eq!(Order::fold(&[added("ノートPC", 1, 120000), confirmed()]), None);
}

// ---- the recorded form --------------------------------------------------------

fn every_event() -> Vec<OrderEvent> {
    vec![
        created("山田太郎"),
        added("ノートPC", 1, 120000),
        removed("ノートPC", 1, 120000),
        confirmed(),
        shipped(),
        cancelled("out of stock"),
    ]
}

#[test]
fn every_event_round_trips_through_its_recorded_data() {
    common::assert_reads_back_from_data(every_event());
}

#[test]
fn every_event_round_trips_through_a_recorded_event() {
    common::assert_decodes_when_recorded(every_event(), &StreamId::new("Order", "o-1"), Event::Order);
}

#[test]
fn event_data_has_the_shape_of_contract_section_1() {
    assert_eq!(
        added("ノートPC", 1, 120000).to_data().to_value(),
        json!({"product_name": "ノートPC", "quantity": 1, "unit_price_cents": 120000})
    );
    assert_eq!(created("山田太郎").to_data().to_value(), json!({"customer_name": "山田太郎"}));
    assert_eq!(
        removed("マウス", 2, 3000).to_data().to_value(),
        json!({"product_name": "マウス", "quantity": 2, "unit_price_cents": 3000})
    );
    assert_eq!(confirmed().to_data().to_value(), json!({}));
    assert_eq!(shipped().to_data().to_value(), json!({}));
    assert_eq!(cancelled("out of stock").to_data().to_value(), json!({"reason": "out of stock"}));
    let types: Vec<&str> = every_event().iter().map(|event| event.event_type()).collect();
    assert_eq!(types, vec!["OrderCreated", "ItemAdded", "ItemRemoved", "OrderConfirmed", "OrderShipped", "OrderCancelled"]);
}

#[test]
fn recorded_data_of_an_unknown_type_or_shape_does_not_decode() {
    assert!(OrderEvent::from_recorded("OrderTeleported", 1, &json!({}).into()).is_err());
    assert!(OrderEvent::from_recorded("ItemAdded", 1, &json!({"product_name": "ノートPC"}).into()).is_err());
    assert!(OrderEvent::from_recorded("ItemAdded", 1, &json!({"product_name": "x", "quantity": "two", "unit_price_cents": 1}).into()).is_err());
}

// ---- rejection messages -------------------------------------------------------

#[test]
fn every_rejection_has_a_distinct_code_and_a_sentence_for_people() {
    use OrderRejection as R;
    let rejections = vec![
        R::AlreadyExists,
        R::NotFound,
        R::CustomerNameRequired,
        R::ProductNameRequired,
        R::InvalidQuantity { quantity: 0 },
        R::InvalidPrice { unit_price_cents: -5 },
        R::PriceMismatch { product_name: "ノートPC".to_owned(), existing_cents: 120000, requested_cents: 99000 },
        R::NotEditable { status: OrderStatus::Confirmed },
        R::ItemNotFound { product_name: "マウス".to_owned() },
        R::EmptyOrder,
        R::CannotConfirm { status: OrderStatus::Shipped },
        R::CannotShip { status: OrderStatus::Draft },
        R::CannotCancel { status: OrderStatus::Cancelled },
        R::ReasonRequired,
    ];
    let mut codes: Vec<&str> = rejections.iter().map(|rejection| rejection.code()).collect();
    for rejection in &rejections {
        let code = rejection.code();
        assert!(
            !code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{code} is snake case"
        );
        let message = rejection.to_string();
        assert!(!message.trim().is_empty(), "{code} has a message");
        assert!(message.ends_with('.'), "{code}: `{message}` ends like a sentence");
        assert!(message.split_whitespace().count() >= 3, "{code}: `{message}` is a sentence, not a word");
        assert!(!message.contains('_'), "{code}: `{message}` is for people, not a code");
    }
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), rejections.len(), "every rejection has its own code");
}

#[test]
fn rejections_met_through_commands_carry_sentences() {
    let messages = [
        g(draft()).when(create("x")).then_rejects("already_exists"),
        g(vec![]).when(ship()).then_rejects("not_found"),
        g(draft()).when(confirm()).then_rejects("empty_order"),
        g(draft()).when(cancel(" ")).then_rejects("reason_required"),
        g(draft_with_laptop()).when(remove("マウス")).then_rejects("item_not_found"),
    ];
    for message in messages {
        assert!(message.len() > 10 && message.ends_with('.'), "`{message}` is a sentence");
    }
}
