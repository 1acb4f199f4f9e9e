#![cfg(not(target_arch = "wasm32"))]
//! What a panel draws of a read model's table: its first rows and every row the
//! selected event changed, each with its earlier version. Every read model but daily
//! stats and inventory builds only those rows (the histories because their rows never
//! change, the others by comparing only the rows the earlier copy does not share);
//! what each gives must be what comparing its two whole tables gives, at any position
//! and any number of first rows (a property, over random demo histories), whether the
//! earlier read models were folded apart or are the copy a scrub steps on from.

mod common;

use futures::executor::block_on;
use proptest::prelude::*;

use kiroku::event_sourcing::memory_store::MemoryStore;
use kiroku::lab::Lab;
use kiroku::read_models::table::{Numbers, Table, TableRow, TableWindow};
use kiroku::read_models::{ModelSet, ReadModels};

use common::TestEnv;

fn demo_lab(seed: u64, events: usize) -> Lab<MemoryStore> {
    let lab = Lab::new(MemoryStore::new(), Box::new(TestEnv::new()));
    block_on(lab.load_demo(seed, events)).expect("a demo history loads");
    lab
}

/// The window the generic way: both whole tables, compared by key.
fn compared(models: &ReadModels, before: &ReadModels, name: &str, first: usize) -> TableWindow {
    TableWindow::between(models.table(name).unwrap(), before.table(name).as_ref(), first)
}

/// Every read model with a table.
fn names() -> Vec<&'static str> {
    ReadModels::default().tables().iter().map(|table| table.name).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn a_window_is_what_comparing_the_whole_tables_gives(
        seed in 0u64..1_000,
        picks in proptest::collection::vec(0.0f64..=1.0, 8),
        first in prop_oneof![Just(0usize), Just(1), Just(16), Just(56), Just(100_000)],
    ) {
        let lab = demo_lab(seed, 1_200);
        let head = lab.head();
        for pick in picks {
            let position = ((head as f64) * pick) as u64;
            // Folded apart: the two share only what their checkpoint held.
            let models = lab.read_models_at(position);
            let before = lab.read_models_at(position.saturating_sub(1));
            // A scrub's step: the read models at the position are a copy of the ones
            // before it, with one event more.
            lab.with_read_models_around(position.saturating_sub(1), ModelSet::ALL, |_, _| ());
            let stepped = lab.with_read_models_around(position, ModelSet::ALL, |at, before| {
                names().into_iter().map(|name| at.table_window(before, name, first).unwrap()).collect::<Vec<_>>()
            });
            for (name, stepped) in names().into_iter().zip(stepped) {
                let window = models.table_window(&before, name, first).unwrap();
                let expected = compared(&models, &before, name, first);
                prop_assert_eq!(&window, &expected, "{} at {} with {} first rows", name, position, first);
                prop_assert_eq!(&stepped, &expected, "{} stepped on to {} with {} first rows", name, position, first);
                prop_assert_eq!(window.total, models.table(name).unwrap().rows.len());
            }
        }
    }
}

#[test]
fn a_window_holds_the_first_rows_and_the_changed_ones_after_them_with_their_earlier_version_drawn_first() {
    let row = |key: &str, value: i64| TableRow::new(key, vec![serde_json::json!(value)]);
    let table = |rows: Vec<TableRow>| Table { name: "t", title: "T", columns: vec!["v"], numbers: &[], rows };
    let before = table(vec![row("a", 1), row("b", 2), row("c", 3), row("d", 4)]);
    let now = table(vec![row("a", 1), row("b", 2), row("c", 30), row("d", 4), row("e", 5)]);
    let window = TableWindow::between(now, Some(&before), 2);
    let drawn: Vec<(&str, bool)> = window.rows.iter().map(|drawn| (drawn.row.key.as_str(), drawn.changed())).collect();
    assert_eq!(drawn, [("a", false), ("b", false), ("c", true), ("e", true)]);
    assert_eq!(window.total, 5);
    assert_eq!(window.rows[2].before, Some(row("c", 3)), "a changed row keeps its earlier version, to mark its cells");
    assert_eq!(window.rows[3].before, None, "a new row has none");
    // A panel draws the changed rows past the first ones before those, so that they
    // are in sight without scrolling.
    let in_order: Vec<&str> = window.in_drawing_order().map(|drawn| drawn.row.key.as_str()).collect();
    assert_eq!(in_order, ["c", "e", "a", "b"]);
    // With more first rows than the table has, it is the table's order.
    let all_first = TableWindow::between(table(vec![row("a", 1), row("b", 2)]), Some(&table(vec![row("a", 1)])), 16);
    let in_order: Vec<&str> = all_first.in_drawing_order().map(|drawn| drawn.row.key.as_str()).collect();
    assert_eq!(in_order, ["a", "b"]);
    // Without an earlier table (position 0), every row is new.
    let all_new = TableWindow::between(table(vec![row("a", 1), row("b", 2)]), None, 1);
    assert_eq!(all_new.rows.len(), 2);
    assert!(all_new.rows.iter().all(|drawn| drawn.changed()));
}

#[test]
fn the_window_of_an_unknown_read_model_is_none() {
    let models = ReadModels::default();
    assert_eq!(models.table_window(&models, "no_such_model", 16), None);
}

/// Panels show a column's integers as what they are: money in yen, positions as the
/// timeline writes them, anything else as a count. Each table names its money and
/// position columns, and only columns it has.
#[test]
fn each_table_says_which_columns_hold_money_and_which_positions() {
    let money = |name: &str| -> &[&str] {
        match name {
            "order_summary" | "order_details" => &["Total"],
            "customer_orders" => &["Spent"],
            "product_sales" => &["Revenue"],
            "daily_stats" => &["Revenue", "Deposits", "Withdrawals"],
            "account_balances" => &["Balance"],
            "account_history" => &["Amount", "Balance after"],
            "product_catalog" => &["Price"],
            "inventory" | "user_activity" => &[],
            other => panic!("a table this test does not know: {other}"),
        }
    };
    let positions = |name: &str| -> &[&str] { if matches!(name, "account_history" | "user_activity") { &["Position"] } else { &[] } };
    let lab = demo_lab(3, 400);
    let models = lab.read_models_at(lab.head());
    let before = lab.read_models_at(lab.head() - 1);
    for table in models.tables() {
        for (column, _) in table.numbers {
            assert!(table.columns.contains(column), "{} names a column it does not have: {column}", table.name);
        }
        let window = models.table_window(&before, table.name, 8).unwrap();
        for (index, column) in table.columns.iter().enumerate() {
            let expected = if money(table.name).contains(column) {
                Numbers::Money
            } else if positions(table.name).contains(column) {
                Numbers::Position
            } else {
                Numbers::Count
            };
            assert_eq!(table.numbers(column), expected, "{} · {column}", table.name);
            assert_eq!(window.numbers(index), expected, "{} · {column}, as a panel draws it", table.name);
        }
    }
}
