//! OrderDetails (seed 001): one order with its line items, for an order's page.

use std::sync::Arc;

use serde::Serialize;
use serde_json::json;

use crate::domain::order::{LineItem, OrderEvent, OrderStatus};
use crate::domain::Event;
use crate::event_sourcing::projection::Projection;
use crate::event_sourcing::recorded::RecordedEvent;
use crate::event_sourcing::shared_str::SharedStr;

use super::rows::Rows;
use super::table::{lines_summary, KeyedTable, NumberColumns, Numbers, TableRow};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderDetailsRow {
    pub order_id: SharedStr,
    pub customer_name: SharedStr,
    pub status: OrderStatus,
    /// Shared by the copies of the row until an item is added or removed (an `Arc`:
    /// the order panel holds the row in a signal).
    pub items: Arc<Vec<LineItem>>,
    pub total_cents: i64,
    /// Why it was cancelled, once it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OrderDetails {
    pub orders: Rows<OrderDetailsRow>,
}

impl Projection<Event> for OrderDetails {
    const NAME: &'static str = "order_details";
    const SUBSCRIBES_TO: &'static [&'static str] =
        &["OrderCreated", "ItemAdded", "ItemRemoved", "OrderConfirmed", "OrderReadyToShip", "OrderShipped", "OrderCancelled"];

    fn apply(&mut self, recorded: &RecordedEvent, event: &Event) {
        let Event::Order(event) = event else { return };
        let order_id = recorded.aggregate_key();
        if let OrderEvent::OrderCreated { customer_name } = event {
            self.orders.upsert_with(order_id, |id| OrderDetailsRow {
                order_id: id.clone(),
                customer_name: customer_name.into(),
                status: OrderStatus::Draft,
                items: Arc::default(),
                total_cents: 0,
                cancel_reason: None,
            });
            return;
        }
        let Some(row) = self.orders.get_mut(order_id) else { return };
        match event {
            OrderEvent::OrderCreated { .. } => {}
            OrderEvent::ItemAdded { product_name, quantity, unit_price_cents } => {
                LineItem::add_to(Arc::make_mut(&mut row.items), product_name, *quantity, *unit_price_cents);
                row.total_cents += unit_price_cents * i64::from(*quantity);
            }
            OrderEvent::ItemRemoved { product_name, quantity, unit_price_cents } => {
                Arc::make_mut(&mut row.items).retain(|item| &item.product_name != product_name);
                row.total_cents -= unit_price_cents * i64::from(*quantity);
            }
            OrderEvent::OrderConfirmed {} => row.status = OrderStatus::Confirmed,
            OrderEvent::OrderReadyToShip {} => row.status = OrderStatus::ReadyToShip,
            OrderEvent::OrderShipped {} => row.status = OrderStatus::Shipped,
            OrderEvent::OrderCancelled { reason } => {
                row.status = OrderStatus::Cancelled;
                row.cancel_reason = Some(reason.clone());
            }
        }
    }
}

impl KeyedTable for OrderDetails {
    type Row = OrderDetailsRow;
    const TITLE: &'static str = "Order details";
    const COLUMNS: &'static [&'static str] = &["Order", "Customer", "Status", "Lines", "Total", "Cancel reason"];
    const NUMBERS: NumberColumns = &[("Total", Numbers::Money)];

    fn keyed_rows(&self) -> &Rows<OrderDetailsRow> {
        &self.orders
    }

    fn table_row(row: &OrderDetailsRow) -> TableRow {
        TableRow::new(
            row.order_id.clone(),
            vec![
                json!(row.order_id),
                json!(row.customer_name),
                json!(row.status.as_str()),
                json!(lines_summary(&row.items)),
                json!(row.total_cents),
                json!(row.cancel_reason),
            ],
        )
    }
}
