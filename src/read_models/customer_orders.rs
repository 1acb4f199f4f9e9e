//! CustomerOrders (seed 004 "customer order history"): per customer, their orders in
//! the order they were created, how many, and how much they spent on the orders
//! that went through (confirmed or shipped).

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
    /// order id → where the order is ([`OrderPlace`]), to find an order from its
    /// later events without searching or hashing the customer's name. Facts of the
    /// log, shared by every copy: a copy checks them against its own rows.
    #[serde(skip)]
    customer_of: SharedIndex<OrderPlace>,
}

/// Where an order is: its customer's row (the row's own copy of the customer's
/// name, and the row's place in the table) and the order's place in that row's list.
#[derive(Debug, Clone, PartialEq)]
struct OrderPlace {
    customer: SharedStr,
    row: usize,
    order: usize,
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
            if self.holds(order_id) {
                return; // an order is created once
            }
            let (row, customer, order) = match self.customers.place(customer_name) {
                Some(row) => {
                    let existing = self.customers.at(row).expect("a row at its place");
                    (row, existing.customer_name.clone(), existing.orders.len())
                }
                None => (self.customers.len(), SharedStr::from(customer_name.as_str()), 0),
            };
            let order_id = self.customer_of.insert(order_id, OrderPlace { customer: customer.clone(), row, order });
            let order = CustomerOrder { order_id, status: OrderStatus::Draft, total_cents: 0 };
            match self.customers.at_mut(row) {
                Some(row) if row.customer_name.is_same_copy(&customer) => {
                    row.orders.push_back(order);
                    row.order_count += 1;
                }
                _ => self.customers.upsert(
                    customer_name,
                    CustomerOrdersRow { customer_name: customer, orders: List::of(order), order_count: 1, spent_cents: 0 },
                ),
            }
            return;
        }
        // The order's entry is found once, and checked on the row about to change:
        // the same copy of the order id at its place (an address, not a text).
        let mut order_id_at = None;
        let Some(at) = self.customer_of.get(order_id, |kept, _| {
            order_id_at = Some(kept.address());
            true
        }) else {
            return;
        };
        let Some(row) = self.row_mut(&at) else { return };
        let Some(order) = row.orders.get_mut(at.order).filter(|order| Some(order.order_id.address()) == order_id_at) else {
            return; // this copy does not hold the order
        };
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
    /// Whether this copy holds the order: a copy that went another way may hold
    /// another order at the order's place, or none.
    fn holds(&self, order_id: AggregateKey) -> bool {
        let holds = |kept: &SharedStr, at: &OrderPlace| {
            self.row(at).and_then(|row| row.orders.get(at.order)).is_some_and(|order| order.order_id.is_same_copy(kept))
        };
        self.customer_of.get(order_id, holds).is_some()
    }

    /// Where the order's customer's row is in this copy: at the place recorded when
    /// the row there is that customer's (the same copy of the name), found by the
    /// name otherwise.
    fn row_place(&self, at: &OrderPlace) -> Option<usize> {
        match self.customers.at(at.row) {
            Some(row) if row.customer_name.is_same_copy(&at.customer) => Some(at.row),
            _ => self.customers.place(&at.customer),
        }
    }

    /// The order's customer's row ([`CustomerOrders::row_place`]).
    fn row(&self, at: &OrderPlace) -> Option<&CustomerOrdersRow> {
        self.customers.at(self.row_place(at)?)
    }

    /// [`CustomerOrders::row`], to change.
    fn row_mut(&mut self, at: &OrderPlace) -> Option<&mut CustomerOrdersRow> {
        let place = self.row_place(at)?;
        self.customers.at_mut(place)
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
