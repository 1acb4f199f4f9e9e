#![cfg(not(target_arch = "wasm32"))]
//! Every rule of the product aggregate (seed 002), as given / when / then specifications.

mod common;

use serde_json::json;

use kiroku::domain::product::{Product, ProductCommand, ProductEvent, ProductRejection, ProductState};
use kiroku::domain::Event;
use kiroku::event_sourcing::aggregate::{Aggregate, DomainEvent, Rejection};
use kiroku::event_sourcing::recorded::StreamId;
use kiroku::event_sourcing::testing::{given, Given};

// ---- events -------------------------------------------------------------------

fn created(name: &str, price: i64, category_id: &str) -> ProductEvent {
    ProductEvent::ProductCreated { name: name.to_owned(), price, category_id: category_id.to_owned() }
}

fn repriced(old_price: i64, new_price: i64) -> ProductEvent {
    ProductEvent::PriceUpdated { old_price, new_price }
}

// ---- commands -----------------------------------------------------------------

fn create(name: &str, price: i64, category_id: &str) -> ProductCommand {
    ProductCommand::CreateProduct { name: name.to_owned(), price, category_id: category_id.to_owned() }
}

fn update_price(new_price: i64) -> ProductCommand {
    ProductCommand::UpdatePrice { new_price }
}

// ---- histories ----------------------------------------------------------------

/// A laptop at 120 000.
fn laptop() -> Vec<ProductEvent> {
    vec![created("ノートPC", 120000, "cat-pc")]
}

fn g(history: Vec<ProductEvent>) -> Given<Product> {
    given::<Product>(history)
}

// ---- CreateProduct --------------------------------------------------------------

#[test]
fn it_creates_a_product_with_a_name_a_price_and_a_category() {
    g(vec![]).when(create("ノートPC", 120000, "cat-pc")).then(laptop());
}

#[test]
fn it_trims_the_name_on_creation() {
    g(vec![]).when(create("  ノートPC  ", 120000, "cat-pc")).then(laptop());
}

#[test]
fn it_creates_a_product_at_the_smallest_price() {
    g(vec![]).when(create("USBケーブル", 1, "cat-cable")).then(vec![created("USBケーブル", 1, "cat-cable")]);
}

#[test]
fn it_refuses_to_create_a_product_that_already_exists() {
    g(laptop()).when(create("マウス", 3000, "cat-pc")).then_rejects("already_exists");
}

#[test]
fn it_refuses_to_create_a_product_again_after_its_price_changed() {
    g(vec![created("ノートPC", 120000, "cat-pc"), repriced(120000, 99000)])
        .when(create("ノートPC", 120000, "cat-pc"))
        .then_rejects("already_exists");
}

#[test]
fn it_refuses_a_product_without_a_name() {
    g(vec![]).when(create("", 120000, "cat-pc")).then_rejects("name_required");
}

#[test]
fn it_refuses_a_name_made_only_of_whitespace() {
    g(vec![]).when(create("   ", 120000, "cat-pc")).then_rejects("name_required");
}

#[test]
fn it_refuses_to_create_a_product_at_price_zero() {
    let message = g(vec![]).when(create("ノートPC", 0, "cat-pc")).then_rejects("invalid_price");
    assert!(message.contains('0'), "{message}");
}

#[test]
fn it_refuses_to_create_a_product_at_a_negative_price_naming_it() {
    let message = g(vec![]).when(create("ノートPC", -100, "cat-pc")).then_rejects("invalid_price");
    assert!(message.contains("-100"), "{message}");
}

// ---- UpdatePrice ----------------------------------------------------------------

#[test]
fn it_refuses_to_reprice_a_product_that_does_not_exist() {
    g(vec![]).when(update_price(99000)).then_rejects("not_found");
}

#[test]
fn a_price_update_carries_the_old_and_the_new_price() {
    g(laptop()).when(update_price(99000)).then(vec![repriced(120000, 99000)]);
}

#[test]
fn the_old_price_is_the_latest_price_not_the_first() {
    g(vec![created("ノートPC", 120000, "cat-pc"), repriced(120000, 99000), repriced(99000, 110000)])
        .when(update_price(130000))
        .then(vec![repriced(110000, 130000)]);
}

#[test]
fn a_price_may_go_up() {
    g(laptop()).when(update_price(150000)).then(vec![repriced(120000, 150000)]);
}

#[test]
fn it_refuses_an_update_to_price_zero() {
    g(laptop()).when(update_price(0)).then_rejects("invalid_price");
}

#[test]
fn it_refuses_an_update_to_a_negative_price_naming_it() {
    let message = g(laptop()).when(update_price(-1)).then_rejects("invalid_price");
    assert!(message.contains("-1"), "{message}");
}

#[test]
fn it_refuses_an_update_to_the_price_it_already_has() {
    let message = g(laptop()).when(update_price(120000)).then_rejects("price_unchanged");
    assert!(message.contains("120000"), "{message}");
}

#[test]
fn an_unchanged_price_is_compared_with_the_latest_price() {
    let history = vec![created("ノートPC", 120000, "cat-pc"), repriced(120000, 99000)];
    g(history.clone()).when(update_price(99000)).then_rejects("price_unchanged");
    g(history).when(update_price(120000)).then(vec![repriced(99000, 120000)]);
}

// ---- evolve -------------------------------------------------------------------

#[test]
fn nothing_exists_before_the_product_is_created() {
    assert_eq!(Product::fold(&[]), None);
    assert_eq!(Product::fold(&[repriced(1, 2)]), None, "a price update without a product changes nothing");
}

#[test]
fn the_price_folds_to_the_latest_update_keeping_name_and_category() {
    let history = [created("ノートPC", 120000, "cat-pc"), repriced(120000, 99000), repriced(99000, 110000)];
    let prices: Vec<i64> = (1..=history.len()).map(|n| Product::fold(&history[..n]).unwrap().price).collect();
    assert_eq!(prices, vec![120000, 99000, 110000]);
    assert_eq!(
        Product::fold(&history),
        Some(ProductState { name: "ノートPC".to_owned(), price: 110000, category_id: "cat-pc".to_owned() })
    );
}

#[test]
fn the_state_reads_as_json() {
    assert_eq!(
        serde_json::to_value(Product::fold(&laptop())).unwrap(),
        json!({"name": "ノートPC", "price": 120000, "category_id": "cat-pc"})
    );
}

// ---- the recorded form --------------------------------------------------------

fn every_event() -> Vec<ProductEvent> {
    vec![created("ノートPC", 120000, "cat-pc"), repriced(120000, 99000)]
}

#[test]
fn every_event_round_trips_through_its_recorded_data() {
    common::assert_reads_back_from_data(every_event());
}

#[test]
fn every_event_round_trips_through_a_recorded_event() {
    common::assert_decodes_when_recorded(every_event(), &StreamId::new("Product", "p-1"), Event::Product);
}

#[test]
fn event_data_has_the_shape_of_the_contract() {
    assert_eq!(
        created("ノートPC", 120000, "cat-pc").to_data().to_value(),
        json!({"name": "ノートPC", "price": 120000, "category_id": "cat-pc"})
    );
    assert_eq!(repriced(120000, 99000).to_data().to_value(), json!({"old_price": 120000, "new_price": 99000}));
    let types: Vec<&str> = every_event().iter().map(|event| event.event_type()).collect();
    assert_eq!(types, vec!["ProductCreated", "PriceUpdated"]);
}

#[test]
fn recorded_data_of_an_unknown_type_or_shape_does_not_decode() {
    assert!(ProductEvent::from_recorded("ProductDiscontinued", 1, &json!({}).into()).is_err());
    assert!(ProductEvent::from_recorded("PriceUpdated", 1, &json!({"new_price": 99000}).into()).is_err());
    assert!(ProductEvent::from_recorded("ProductCreated", 1, &json!({"name": "x", "price": 9.99, "category_id": "c"}).into()).is_err(), "money is never a float");
}

#[test]
fn a_product_event_in_another_stream_type_is_not_read_as_a_product() {
    let event = repriced(120000, 99000);
    let recorded = common::record_on(&event, &StreamId::new("Order", "p-1"), 1);
    assert!(Event::decode(&recorded).is_err(), "an Order stream holds no PriceUpdated");
}

// ---- rejection messages -------------------------------------------------------

#[test]
fn every_rejection_has_a_distinct_code_and_a_sentence_for_people() {
    use ProductRejection as R;
    let rejections = vec![
        R::AlreadyExists,
        R::NotFound,
        R::NameRequired,
        R::InvalidPrice { price: 0 },
        R::PriceUnchanged { price: 120000 },
    ];
    let mut codes: Vec<&str> = rejections.iter().map(|rejection| rejection.code()).collect();
    assert_eq!(codes, vec!["already_exists", "not_found", "name_required", "invalid_price", "price_unchanged"]);
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
