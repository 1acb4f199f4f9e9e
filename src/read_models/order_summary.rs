//! OrderSummary (seed 001): one row per order with its customer, status, total and
//! item count, for listing orders.

use serde::Serialize;
use serde_json::json;

use crate::read_models::Timestamp;
use crate::domain::order::{OrderEvent, OrderStatus};
use crate::domain::Event;
use crate::event_sourcing::projection::Projection;
use crate::event_sourcing::recorded::RecordedEvent;
use crate::event_sourcing::shared_str::SharedStr;

use super::rows::Rows;
use super::table::{KeyedTable, NumberColumns, Numbers, TableRow};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderSummaryRow {
    pub order_id: SharedStr,
    pub customer_name: SharedStr,
    pub status: OrderStatus,
    pub total_cents: i64,
    /// The number of units across all lines.
    pub item_count: u32,
    /// `recorded_at` of the last event that changed the row.
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OrderSummary {
    pub orders: Rows<OrderSummaryRow>,
}

impl Projection<Event> for OrderSummary {
    const NAME: &'static str = "order_summary";
    const SUBSCRIBES_TO: &'static [&'static str] =
        &["OrderCreated", "ItemAdded", "ItemRemoved", "OrderConfirmed", "OrderReadyToShip", "OrderShipped", "OrderCancelled"];

    fn apply(&mut self, recorded: &RecordedEvent, event: &Event) {
        let Event::Order(event) = event else { return };
        let order_id = recorded.aggregate_key();
        let updated_at = super::timestamp(recorded);
        if let OrderEvent::OrderCreated { customer_name } = event {
            self.orders.upsert_with(order_id, |id| OrderSummaryRow {
                order_id: id.clone(),
                customer_name: customer_name.into(),
                status: OrderStatus::Draft,
                total_cents: 0,
                item_count: 0,
                updated_at,
            });
            return;
        }
        let Some(row) = self.orders.get_mut(order_id) else { return };
        row.updated_at = updated_at;
        match event {
            OrderEvent::OrderCreated { .. } => {}
            OrderEvent::ItemAdded { quantity, unit_price_cents, .. } => {
                row.item_count += quantity;
                row.total_cents += unit_price_cents * i64::from(*quantity);
            }
            OrderEvent::ItemRemoved { quantity, unit_price_cents, .. } => {
                row.item_count -= quantity;
                row.total_cents -= unit_price_cents * i64::from(*quantity);
            }
            OrderEvent::OrderConfirmed {} => row.status = OrderStatus::Confirmed,
            OrderEvent::OrderReadyToShip {} => row.status = OrderStatus::ReadyToShip,
            OrderEvent::OrderShipped {} => row.status = OrderStatus::Shipped,
            OrderEvent::OrderCancelled { .. } => row.status = OrderStatus::Cancelled,
        }
    }
}

impl KeyedTable for OrderSummary {
    type Row = OrderSummaryRow;
    const TITLE: &'static str = "Order summary";
    const COLUMNS: &'static [&'static str] = &["Order", "Customer", "Status", "Items", "Total", "Updated at"];
    const NUMBERS: NumberColumns = &[("Total", Numbers::Money)];

    fn keyed_rows(&self) -> &Rows<OrderSummaryRow> {
        &self.orders
    }

    fn table_row(row: &OrderSummaryRow) -> TableRow {
        TableRow::new(
            row.order_id.clone(),
            vec![
                json!(row.order_id),
                json!(row.customer_name),
                json!(row.status.as_str()),
                json!(row.item_count),
                json!(row.total_cents),
                json!(row.updated_at),
            ],
        )
    }
}
