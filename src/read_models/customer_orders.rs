//! CustomerOrders (seed 004 "customer order history"): per customer, their orders in
//! the order they were created, how many, and how much they spent on the orders
//! that went through (confirmed or shipped).

use std::rc::Rc;

use serde::Serialize;
use serde_json::json;

use crate::domain::order::{OrderEvent, OrderStatus};
use crate::domain::Event;
use crate::event_sourcing::projection::Projection;
use crate::event_sourcing::recorded::{AggregateKey, RecordedEvent};
use crate::event_sourcing::shared_str::SharedStr;

use super::rows::{List, Rows, SharedIndex};
use super::table::{latest_entries, money, KeyedTable, NumberColumns, Numbers, TableRow};

/// One order in a customer's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerOrder {
    pub order_id: SharedStr,
    pub status: OrderStatus,
    pub total_cents: i64,
}

/// One customer's order history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerOrdersRow {
    pub customer_name: SharedStr,
    /// In the order they were created.
    pub orders: List<CustomerOrder>,
    pub order_count: u32,
    /// The totals of the orders that are confirmed or shipped (not drafts, not cancelled).
    pub spent_cents: i64,
}

/// Order history per customer name, customers in the order of their first order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CustomerOrders {
    pub customers: Rows<CustomerOrdersRow>,
    /// order id → customer name and the order's place in that customer's list, to
    /// find an order from its later events without searching. Facts of the log,
    /// shared by every copy: a copy checks them against its own rows ([`Self::find`]).
    #[serde(skip)]
    customer_of: SharedIndex<(Rc<str>, usize)>,
}

/// The rows are the read model; the index only leads to them.
impl PartialEq for CustomerOrders {
    fn eq(&self, other: &Self) -> bool {
        self.customers == other.customers
    }
}

fn counts_as_spent(status: OrderStatus) -> bool {
    matches!(status, OrderStatus::Confirmed | OrderStatus::Shipped)
}

impl Projection<Event> for CustomerOrders {
    const NAME: &'static str = "customer_orders";
    const SUBSCRIBES_TO: &'static [&'static str] =
        &["OrderCreated", "ItemAdded", "ItemRemoved", "OrderConfirmed", "OrderReadyToShip", "OrderShipped", "OrderCancelled"];

    fn apply(&mut self, recorded: &RecordedEvent, event: &Event) {
        let Event::Order(event) = event else { return };
        let order_id = recorded.aggregate_key();
        if let OrderEvent::OrderCreated { customer_name } = event {
            if self.find(order_id).is_some() {
                return; // an order is created once
            }
            let place = self.customers.get(customer_name).map_or(0, |row| row.orders.len());
            let order_id = self.customer_of.insert(order_id, (Rc::from(customer_name.as_str()), place));
            let order = CustomerOrder { order_id, status: OrderStatus::Draft, total_cents: 0 };
            match self.customers.get_mut(customer_name) {
                Some(row) => {
                    row.orders.push_back(order);
                    row.order_count += 1;
                }
                None => self.customers.upsert(
                    customer_name,
                    CustomerOrdersRow {
                        customer_name: customer_name.into(),
                        orders: List::of(order),
                        order_count: 1,
                        spent_cents: 0,
                    },
                ),
            }
            return;
        }
        // The order is looked up once, on the row about to change: `find` would look
        // the customer's row up a second time to check it.
        let Some((customer, place)) = self.customer_of.get(order_id, |_, _| true) else { return };
        let Some(row) = self.customers.get_mut(&*customer) else { return };
        if !row.holds_order(place, order_id.id()) {
            return; // this copy does not hold the order
        }
        let order = row.orders.get_mut(place).expect("just looked at");
        let spent_before = if counts_as_spent(order.status) { order.total_cents } else { 0 };
        match event {
            OrderEvent::OrderCreated { .. } => {}
            OrderEvent::ItemAdded { quantity, unit_price_cents, .. } => {
                order.total_cents += unit_price_cents * i64::from(*quantity);
            }
            OrderEvent::ItemRemoved { quantity, unit_price_cents, .. } => {
                order.total_cents -= unit_price_cents * i64::from(*quantity);
            }
            OrderEvent::OrderConfirmed {} => order.status = OrderStatus::Confirmed,
            OrderEvent::OrderReadyToShip {} => order.status = OrderStatus::ReadyToShip,
            OrderEvent::OrderShipped {} => order.status = OrderStatus::Shipped,
            OrderEvent::OrderCancelled { .. } => order.status = OrderStatus::Cancelled,
        }
        let spent_after = if counts_as_spent(order.status) { order.total_cents } else { 0 };
        row.spent_cents += spent_after - spent_before;
    }
}

impl CustomerOrders {
    /// The customer of an order this copy holds, and the order's place in their list.
    fn find(&self, order_id: AggregateKey) -> Option<(Rc<str>, usize)> {
        self.customer_of.get(order_id, |_, (customer, place)| self.customers.get(customer).is_some_and(|row| row.holds_order(*place, order_id.id())))
    }
}

impl CustomerOrdersRow {
    /// Whether the order at `place` in this customer's list is `order_id`: a copy
    /// that went another way may hold another order there, or none.
    fn holds_order(&self, place: usize, order_id: &str) -> bool {
        self.orders.get(place).is_some_and(|order| order.order_id == order_id)
    }
}

impl KeyedTable for CustomerOrders {
    type Row = CustomerOrdersRow;
    const TITLE: &'static str = "Customer orders";
    const COLUMNS: &'static [&'static str] = &["Customer", "Orders", "Spent", "Order history"];
    const NUMBERS: NumberColumns = &[("Spent", Numbers::Money)];

    fn keyed_rows(&self) -> &Rows<CustomerOrdersRow> {
        &self.customers
    }

    fn table_row(row: &CustomerOrdersRow) -> TableRow {
        let history = latest_entries(row.orders.len(), row.orders.iter().rev(), ", ", |order| {
            format!("{} {} {}", order.order_id, order.status.as_str(), money(order.total_cents))
        });
        TableRow::new(
            row.customer_name.clone(),
            vec![json!(row.customer_name), json!(row.order_count), json!(row.spent_cents), json!(history)],
        )
    }
}
