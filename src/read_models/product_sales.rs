//! ProductSales (seed 004 "product order tracking"): per product name, the units,
//! orders and revenue of CONFIRMED orders. A draft counts for nothing; a confirmed
//! order counts when it is confirmed, stays counted once shipped, and is taken out
//! again when it is cancelled.


use serde::Serialize;
use serde_json::json;

use crate::domain::order::{LineItem, OrderEvent};
use crate::domain::Event;
use crate::event_sourcing::projection::Projection;
use crate::event_sourcing::recorded::RecordedEvent;

use super::rows::{change_value, Map, Rows, Set};
use super::table::{KeyedTable, NumberColumns, Numbers, TableRow};

/// What one product sold, over confirmed (and shipped) orders.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductSalesRow {
    pub product_name: String,
    pub units_ordered: u64,
    /// How many confirmed orders have a line of it.
    pub order_count: u32,
    pub revenue_cents: i64,
}

/// Sales per product name, products in the order they were first sold.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProductSales {
    pub products: Rows<ProductSalesRow>,
    /// The current lines of each order that can still change what is counted
    /// (drafts and confirmed orders; shipped and cancelled ones are dropped).
    #[serde(skip)]
    lines: Map<String, Vec<LineItem>>,
    /// The orders whose lines are counted now.
    #[serde(skip)]
    confirmed: Set<String>,
}

impl ProductSales {
    /// Adds (`sign` = 1) or takes out (`sign` = -1) the lines of one order.
    fn count(products: &mut Rows<ProductSalesRow>, lines: &[LineItem], sign: i64) {
        for line in lines {
            let row = match products.get_mut(&line.product_name) {
                Some(row) => row,
                None => {
                    let name = &line.product_name;
                    products.upsert(name, ProductSalesRow { product_name: name.clone(), units_ordered: 0, order_count: 0, revenue_cents: 0 });
                    products.get_mut(name).expect("just inserted")
                }
            };
            let revenue = line.unit_price_cents * i64::from(line.quantity);
            if sign > 0 {
                row.units_ordered += u64::from(line.quantity);
                row.order_count += 1;
                row.revenue_cents += revenue;
            } else {
                row.units_ordered = row.units_ordered.saturating_sub(u64::from(line.quantity));
                row.order_count = row.order_count.saturating_sub(1);
                row.revenue_cents -= revenue;
            }
        }
    }
}

impl Projection<Event> for ProductSales {
    const NAME: &'static str = "product_sales";
    const SUBSCRIBES_TO: &'static [&'static str] =
        &["OrderCreated", "ItemAdded", "ItemRemoved", "OrderConfirmed", "OrderShipped", "OrderCancelled"];

    fn apply(&mut self, recorded: &RecordedEvent, event: &Event) {
        let Event::Order(event) = event else { return };
        let order_id = recorded.aggregate_id();
        match event {
            OrderEvent::OrderCreated { .. } => {
                change_value(&mut self.lines, order_id, |_| {}); // its lines, empty so far
            }
            OrderEvent::ItemAdded { product_name, quantity, unit_price_cents } => {
                if !self.confirmed.contains(order_id) {
                    change_value(&mut self.lines, order_id, |lines| LineItem::add_to(lines, product_name, *quantity, *unit_price_cents));
                }
            }
            OrderEvent::ItemRemoved { product_name, .. } => {
                if let Some(lines) = self.lines.get_mut(order_id) {
                    lines.retain(|line| &line.product_name != product_name);
                }
            }
            OrderEvent::OrderConfirmed {} => {
                if self.confirmed.contains(order_id) {
                    return;
                }
                if let Some(lines) = self.lines.get(order_id) {
                    self.confirmed.insert(order_id.to_owned());
                    Self::count(&mut self.products, lines, 1);
                }
            }
            OrderEvent::OrderReadyToShip {} => {}
            OrderEvent::OrderShipped {} => {
                // Counted for good: a shipped order can no longer be cancelled.
                self.confirmed.remove(order_id);
                self.lines.remove(order_id);
            }
            OrderEvent::OrderCancelled { .. } => {
                let lines = self.lines.remove(order_id).unwrap_or_default();
                if self.confirmed.remove(order_id).is_some() {
                    Self::count(&mut self.products, &lines, -1);
                }
            }
        }
    }
}

impl KeyedTable for ProductSales {
    type Row = ProductSalesRow;
    const TITLE: &'static str = "Product sales";
    const COLUMNS: &'static [&'static str] = &["Product", "Units", "Orders", "Revenue"];
    const NUMBERS: NumberColumns = &[("Revenue", Numbers::Money)];

    fn keyed_rows(&self) -> &Rows<ProductSalesRow> {
        &self.products
    }

    fn table_row(row: &ProductSalesRow) -> TableRow {
        TableRow::new(
            row.product_name.clone(),
            vec![
                json!(row.product_name),
                json!(row.units_ordered),
                json!(row.order_count),
                json!(row.revenue_cents),
            ],
        )
    }
}
