//! ProductCatalog (seed 002's product): per product, its name, category and current
//! price, and every price it has had, the creation price first.

use serde::Serialize;
use serde_json::json;

use crate::read_models::Timestamp;
use crate::domain::product::ProductEvent;
use crate::domain::Event;
use crate::event_sourcing::projection::Projection;
use crate::event_sourcing::recorded::RecordedEvent;

use super::rows::{List, Rows};
use super::table::{latest_entries, money, KeyedTable, NumberColumns, Numbers, TableRow};
use super::timestamp;

/// A price from a position on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PricePoint {
    pub position: u64,
    pub recorded_at: Timestamp,
    pub price: i64,
}

/// One product of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductRow {
    /// The stream's aggregate id.
    pub product_id: String,
    pub name: String,
    pub price: i64,
    pub category_id: String,
    /// Oldest first; the last one is `price`.
    pub price_history: List<PricePoint>,
}

/// The catalogue, products in the order they were created.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProductCatalog {
    pub products: Rows<ProductRow>,
}

impl Projection<Event> for ProductCatalog {
    const NAME: &'static str = "product_catalog";
    const SUBSCRIBES_TO: &'static [&'static str] = &["ProductCreated", "PriceUpdated"];

    fn apply(&mut self, recorded: &RecordedEvent, event: &Event) {
        let Event::Product(event) = event else { return };
        let product_id = recorded.aggregate_key();
        let point = |price: i64| PricePoint { position: recorded.position, recorded_at: timestamp(recorded), price };
        match event {
            ProductEvent::ProductCreated { name, price, category_id } => self.products.upsert(
                product_id,
                ProductRow {
                    product_id: product_id.id().to_owned(),
                    name: name.clone(),
                    price: *price,
                    category_id: category_id.clone(),
                    price_history: List::of(point(*price)),
                },
            ),
            ProductEvent::PriceUpdated { new_price, .. } => {
                if let Some(row) = self.products.get_mut(product_id) {
                    row.price = *new_price;
                    row.price_history.push_back(point(*new_price));
                }
            }
        }
    }
}

impl KeyedTable for ProductCatalog {
    type Row = ProductRow;
    const TITLE: &'static str = "Product catalog";
    const COLUMNS: &'static [&'static str] = &["Product", "Name", "Category", "Price", "Price history"];
    const NUMBERS: NumberColumns = &[("Price", Numbers::Money)];

    fn keyed_rows(&self) -> &Rows<ProductRow> {
        &self.products
    }

    fn table_row(row: &ProductRow) -> TableRow {
        let history = latest_entries(row.price_history.len(), row.price_history.iter().rev(), " → ", |point| money(point.price));
        TableRow::new(
            row.product_id.clone(),
            vec![
                json!(row.product_id),
                json!(row.name),
                json!(row.category_id),
                json!(row.price),
                json!(history),
            ],
        )
    }
}
