//! The order of seeds 000/001: a draft collects items, is confirmed, then shipped;
//! it can be cancelled until it ships. Money is integer minor units.

use serde::{Deserialize, Serialize};

use crate::event_sourcing::aggregate::{adjacent_data, from_adjacent, Aggregate, DecodeError, DomainEvent, Rejection};
use crate::event_sourcing::json_text::JsonText;

pub struct Order;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command_type", content = "data")]
pub enum OrderCommand {
    CreateOrder { customer_name: String },
    AddItem { product_name: String, quantity: u32, unit_price_cents: i64 },
    RemoveItem { product_name: String },
    ConfirmOrder {},
    /// Sent by the order → inventory saga once every line's stock is reserved.
    MarkReadyToShip {},
    ShipOrder {},
    CancelOrder { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum OrderEvent {
    OrderCreated { customer_name: String },
    ItemAdded { product_name: String, quantity: u32, unit_price_cents: i64 },
    /// Carries what was removed, so read models need not remember it.
    ItemRemoved { product_name: String, quantity: u32, unit_price_cents: i64 },
    OrderConfirmed {},
    OrderReadyToShip {},
    OrderShipped {},
    OrderCancelled { reason: String },
}

impl DomainEvent for OrderEvent {
    fn event_type(&self) -> &'static str {
        match self {
            OrderEvent::OrderCreated { .. } => "OrderCreated",
            OrderEvent::ItemAdded { .. } => "ItemAdded",
            OrderEvent::ItemRemoved { .. } => "ItemRemoved",
            OrderEvent::OrderConfirmed {} => "OrderConfirmed",
            OrderEvent::OrderReadyToShip {} => "OrderReadyToShip",
            OrderEvent::OrderShipped {} => "OrderShipped",
            OrderEvent::OrderCancelled { .. } => "OrderCancelled",
        }
    }

    fn to_data(&self) -> JsonText {
        adjacent_data(self)
    }

    fn from_recorded(event_type: &str, _schema_version: u32, data: &JsonText) -> Result<Self, DecodeError> {
        from_adjacent(event_type, data)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Draft,
    Confirmed,
    /// Confirmed, and its stock is reserved.
    ReadyToShip,
    Shipped,
    Cancelled,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Draft => "draft",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::ReadyToShip => "ready_to_ship",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItem {
    pub product_name: String,
    pub quantity: u32,
    pub unit_price_cents: i64,
}

impl LineItem {
    /// Adds units of a product to a list of lines: onto its line if it has one, as a new line otherwise.
    pub fn add_to(items: &mut Vec<LineItem>, product_name: &str, quantity: u32, unit_price_cents: i64) {
        match items.iter_mut().find(|item| item.product_name == product_name) {
            Some(item) => item.quantity += quantity,
            None => items.push(LineItem { product_name: product_name.to_owned(), quantity, unit_price_cents }),
        }
    }
}

/// The write model of one order. `None` (the default) is "not created yet".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderState {
    pub customer_name: String,
    pub status: OrderStatus,
    pub items: Vec<LineItem>,
}

impl OrderState {
    pub fn total_cents(&self) -> i64 {
        self.items.iter().map(|item| item.unit_price_cents * i64::from(item.quantity)).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderRejection {
    AlreadyExists,
    NotFound,
    CustomerNameRequired,
    ProductNameRequired,
    InvalidQuantity { quantity: u32 },
    InvalidPrice { unit_price_cents: i64 },
    PriceMismatch { product_name: String, existing_cents: i64, requested_cents: i64 },
    NotEditable { status: OrderStatus },
    ItemNotFound { product_name: String },
    EmptyOrder,
    CannotConfirm { status: OrderStatus },
    CannotShip { status: OrderStatus },
    CannotCancel { status: OrderStatus },
    ReasonRequired,
}

impl Rejection for OrderRejection {
    fn code(&self) -> &'static str {
        match self {
            OrderRejection::AlreadyExists => "already_exists",
            OrderRejection::NotFound => "not_found",
            OrderRejection::CustomerNameRequired => "customer_name_required",
            OrderRejection::ProductNameRequired => "product_name_required",
            OrderRejection::InvalidQuantity { .. } => "invalid_quantity",
            OrderRejection::InvalidPrice { .. } => "invalid_price",
            OrderRejection::PriceMismatch { .. } => "price_mismatch",
            OrderRejection::NotEditable { .. } => "order_not_editable",
            OrderRejection::ItemNotFound { .. } => "item_not_found",
            OrderRejection::EmptyOrder => "empty_order",
            OrderRejection::CannotConfirm { .. } => "cannot_confirm",
            OrderRejection::CannotShip { .. } => "cannot_ship",
            OrderRejection::CannotCancel { .. } => "cannot_cancel",
            OrderRejection::ReasonRequired => "reason_required",
        }
    }
}

impl std::fmt::Display for OrderRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OrderRejection::AlreadyExists => write!(f, "This order already exists."),
            OrderRejection::NotFound => write!(f, "There is no such order: create it first."),
            OrderRejection::CustomerNameRequired => write!(f, "An order needs a customer name."),
            OrderRejection::ProductNameRequired => write!(f, "An item needs a product name."),
            OrderRejection::InvalidQuantity { quantity } => {
                write!(f, "Quantity must be at least 1 (got {quantity}).")
            }
            OrderRejection::InvalidPrice { unit_price_cents } => {
                write!(f, "Unit price cannot be negative (got {unit_price_cents}).")
            }
            OrderRejection::PriceMismatch { product_name, existing_cents, requested_cents } => write!(
                f,
                "{product_name} is already in the order at {existing_cents}; it cannot be added again at {requested_cents}."
            ),
            OrderRejection::NotEditable { status } => write!(
                f,
                "The order is {}: items can only be changed while it is a draft.",
                status.as_str()
            ),
            OrderRejection::ItemNotFound { product_name } => {
                write!(f, "{product_name} is not in the order.")
            }
            OrderRejection::EmptyOrder => write!(f, "An empty order cannot be confirmed: add an item first."),
            OrderRejection::CannotConfirm { status } => {
                write!(f, "The order is {}: only a draft can be confirmed.", status.as_str())
            }
            OrderRejection::CannotShip { status } => {
                write!(f, "The order is {}: only a confirmed order can be shipped.", status.as_str())
            }
            OrderRejection::CannotCancel { status } => write!(
                f,
                "The order is {}: only a draft or confirmed order can be cancelled.",
                status.as_str()
            ),
            OrderRejection::ReasonRequired => write!(f, "Say why the order is cancelled."),
        }
    }
}

impl Aggregate for Order {
    const STREAM_TYPE: &'static str = "Order";
    type State = Option<OrderState>;
    type Command = OrderCommand;
    type Event = OrderEvent;
    type Rejection = OrderRejection;

    fn decide(state: &Self::State, command: &OrderCommand) -> Result<Vec<OrderEvent>, OrderRejection> {
        use OrderRejection as R;
        let order = match (state, command) {
            (None, OrderCommand::CreateOrder { customer_name }) => {
                if customer_name.trim().is_empty() {
                    return Err(R::CustomerNameRequired);
                }
                return Ok(vec![OrderEvent::OrderCreated { customer_name: customer_name.trim().to_owned() }]);
            }
            (Some(_), OrderCommand::CreateOrder { .. }) => return Err(R::AlreadyExists),
            (None, _) => return Err(R::NotFound),
            (Some(order), _) => order,
        };
        match command {
            OrderCommand::CreateOrder { .. } => unreachable!("handled above"),
            OrderCommand::AddItem { product_name, quantity, unit_price_cents } => {
                let product_name = product_name.trim();
                if order.status != OrderStatus::Draft {
                    return Err(R::NotEditable { status: order.status });
                }
                if product_name.is_empty() {
                    return Err(R::ProductNameRequired);
                }
                if *quantity == 0 {
                    return Err(R::InvalidQuantity { quantity: *quantity });
                }
                if *unit_price_cents < 0 {
                    return Err(R::InvalidPrice { unit_price_cents: *unit_price_cents });
                }
                if let Some(existing) = order.items.iter().find(|item| item.product_name == product_name) {
                    if existing.unit_price_cents != *unit_price_cents {
                        return Err(R::PriceMismatch {
                            product_name: product_name.to_owned(),
                            existing_cents: existing.unit_price_cents,
                            requested_cents: *unit_price_cents,
                        });
                    }
                }
                Ok(vec![OrderEvent::ItemAdded {
                    product_name: product_name.to_owned(),
                    quantity: *quantity,
                    unit_price_cents: *unit_price_cents,
                }])
            }
            OrderCommand::RemoveItem { product_name } => {
                if order.status != OrderStatus::Draft {
                    return Err(R::NotEditable { status: order.status });
                }
                let product_name = product_name.trim();
                let item = order
                    .items
                    .iter()
                    .find(|item| item.product_name == product_name)
                    .ok_or_else(|| R::ItemNotFound { product_name: product_name.to_owned() })?;
                Ok(vec![OrderEvent::ItemRemoved {
                    product_name: item.product_name.clone(),
                    quantity: item.quantity,
                    unit_price_cents: item.unit_price_cents,
                }])
            }
            OrderCommand::ConfirmOrder {} => match order.status {
                OrderStatus::Draft if order.items.is_empty() => Err(R::EmptyOrder),
                OrderStatus::Draft => Ok(vec![OrderEvent::OrderConfirmed {}]),
                status => Err(R::CannotConfirm { status }),
            },
            OrderCommand::MarkReadyToShip {} => match order.status {
                OrderStatus::Confirmed => Ok(vec![OrderEvent::OrderReadyToShip {}]),
                status => Err(R::CannotShip { status }),
            },
            OrderCommand::ShipOrder {} => match order.status {
                OrderStatus::Confirmed | OrderStatus::ReadyToShip => Ok(vec![OrderEvent::OrderShipped {}]),
                status => Err(R::CannotShip { status }),
            },
            OrderCommand::CancelOrder { reason } => match order.status {
                OrderStatus::Draft | OrderStatus::Confirmed | OrderStatus::ReadyToShip if reason.trim().is_empty() => {
                    Err(R::ReasonRequired)
                }
                OrderStatus::Draft | OrderStatus::Confirmed | OrderStatus::ReadyToShip => {
                    Ok(vec![OrderEvent::OrderCancelled { reason: reason.trim().to_owned() }])
                }
                status => Err(R::CannotCancel { status }),
            },
        }
    }

    fn evolve(state: Self::State, event: &OrderEvent) -> Self::State {
        let mut order = match (state, event) {
            (_, OrderEvent::OrderCreated { customer_name }) => {
                return Some(OrderState {
                    customer_name: customer_name.clone(),
                    status: OrderStatus::Draft,
                    items: Vec::new(),
                })
            }
            // An event for an order that was never created changes nothing.
            (None, _) => return None,
            (Some(order), _) => order,
        };
        match event {
            OrderEvent::OrderCreated { .. } => {}
            OrderEvent::ItemAdded { product_name, quantity, unit_price_cents } => {
                LineItem::add_to(&mut order.items, product_name, *quantity, *unit_price_cents);
            }
            OrderEvent::ItemRemoved { product_name, .. } => {
                order.items.retain(|item| &item.product_name != product_name);
            }
            OrderEvent::OrderConfirmed {} => order.status = OrderStatus::Confirmed,
            OrderEvent::OrderReadyToShip {} => order.status = OrderStatus::ReadyToShip,
            OrderEvent::OrderShipped {} => order.status = OrderStatus::Shipped,
            OrderEvent::OrderCancelled { .. } => order.status = OrderStatus::Cancelled,
        }
        Some(order)
    }
}
