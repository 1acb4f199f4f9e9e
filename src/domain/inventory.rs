//! Stock of one SKU (seeds 003 and 004): received into the warehouse, reserved for
//! orders, released when an order no longer needs it. Never reserve more than is
//! available.

use std::cell::OnceCell;
use std::collections::HashMap;

use rustc_hash::FxBuildHasher;
use serde::{Deserialize, Serialize};

use crate::event_sourcing::aggregate::{adjacent_data, from_adjacent, Aggregate, DecodeError, DomainEvent, Rejection};
use crate::event_sourcing::json_text::JsonText;

pub struct InventoryItem;

/// Below this many available units an item is flagged low on stock, unless the
/// first `ReceiveStock` set another threshold.
pub const DEFAULT_LOW_STOCK_THRESHOLD: u32 = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command_type", content = "data")]
pub enum InventoryCommand {
    /// The first receipt creates the item.
    ReceiveStock {
        sku: String,
        quantity: u32,
        #[serde(default)]
        low_stock_threshold: Option<u32>,
    },
    ReserveStock { order_id: String, quantity: u32 },
    ReleaseStock { order_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum InventoryEvent {
    StockReceived {
        sku: String,
        quantity: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        low_stock_threshold: Option<u32>,
    },
    StockReserved { order_id: String, quantity: u32 },
    StockReleased { order_id: String, quantity: u32 },
}

impl DomainEvent for InventoryEvent {
    fn event_type(&self) -> &'static str {
        match self {
            InventoryEvent::StockReceived { .. } => "StockReceived",
            InventoryEvent::StockReserved { .. } => "StockReserved",
            InventoryEvent::StockReleased { .. } => "StockReleased",
        }
    }

    fn to_data(&self) -> JsonText {
        adjacent_data(self)
    }

    fn from_recorded(event_type: &str, _schema_version: u32, data: &JsonText) -> Result<Self, DecodeError> {
        from_adjacent(event_type, data)
    }
}

/// The write model of one SKU. `None` is "never received".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryState {
    pub sku: String,
    pub on_hand: u32,
    /// Units held for orders, in the order they were reserved.
    reservations: Vec<Reservation>,
    pub low_stock_threshold: u32,
    #[serde(skip)]
    held: Held,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reservation {
    pub order_id: String,
    pub quantity: u32,
}

/// What the reservations add up to: each order's units and the units of all of them.
///
/// A busy SKU holds thousands of reservations (a shipped order's stay), and every
/// reservation and release asks whether an order holds one: this answers without a
/// scan. It is derived, so not written: built when a decision first asks, then kept
/// up to date by `evolve`. A state that is only read (time travel, a snapshot
/// restored to be drawn) never builds it.
#[derive(Clone, Default)]
struct Held(OnceCell<HeldIndex>);

#[derive(Clone, Default)]
struct HeldIndex {
    /// An order's units: its first reservation's, as a scan would find them.
    by_order: HashMap<String, u32, FxBuildHasher>,
    total: u32,
}

impl HeldIndex {
    fn of(reservations: &[Reservation]) -> Self {
        let mut index = HeldIndex::default();
        for reservation in reservations {
            index.add(reservation);
        }
        index
    }

    fn add(&mut self, reservation: &Reservation) {
        self.total = self.total.saturating_add(reservation.quantity);
        self.by_order.entry(reservation.order_id.clone()).or_insert(reservation.quantity);
    }
}

/// Derived from the reservations, which are compared and shown.
impl PartialEq for Held {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Held {}

impl std::fmt::Debug for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() { "Held(indexed)" } else { "Held(not yet)" })
    }
}

impl InventoryState {
    /// An item received for the first time, with nothing reserved.
    pub fn new(sku: String, on_hand: u32, low_stock_threshold: u32) -> Self {
        InventoryState { sku, on_hand, reservations: Vec::new(), low_stock_threshold, held: Held::default() }
    }

    /// Units held for orders, in the order they were reserved.
    pub fn reservations(&self) -> &[Reservation] {
        &self.reservations
    }

    fn held(&self) -> &HeldIndex {
        self.held.0.get_or_init(|| HeldIndex::of(&self.reservations))
    }

    pub fn reserved(&self) -> u32 {
        self.held().total
    }

    /// The units `order_id` holds, if it holds any.
    fn reserved_for(&self, order_id: &str) -> Option<u32> {
        self.held().by_order.get(order_id).copied()
    }

    /// Units neither shipped nor promised to an order.
    pub fn available(&self) -> u32 {
        self.on_hand.saturating_sub(self.reserved())
    }

    fn reserve(&mut self, reservation: Reservation) {
        if let Some(held) = self.held.0.get_mut() {
            held.add(&reservation);
        }
        self.reservations.push(reservation);
    }

    fn release(&mut self, order_id: &str) {
        let mut freed = 0u32;
        self.reservations.retain(|reservation| {
            let theirs = reservation.order_id == order_id;
            if theirs {
                freed = freed.saturating_add(reservation.quantity);
            }
            !theirs
        });
        if let Some(held) = self.held.0.get_mut() {
            held.by_order.remove(order_id);
            held.total = held.total.saturating_sub(freed);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InventoryRejection {
    NotFound,
    SkuMismatch { existing: String, given: String },
    InvalidQuantity { quantity: u32 },
    InsufficientStock { available: u32, requested: u32 },
    AlreadyReserved { order_id: String },
    ReservationNotFound { order_id: String },
}

impl Rejection for InventoryRejection {
    fn code(&self) -> &'static str {
        match self {
            InventoryRejection::NotFound => "not_found",
            InventoryRejection::SkuMismatch { .. } => "sku_mismatch",
            InventoryRejection::InvalidQuantity { .. } => "invalid_quantity",
            InventoryRejection::InsufficientStock { .. } => "insufficient_stock",
            InventoryRejection::AlreadyReserved { .. } => "already_reserved",
            InventoryRejection::ReservationNotFound { .. } => "reservation_not_found",
        }
    }
}

impl std::fmt::Display for InventoryRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InventoryRejection::NotFound => write!(f, "This item has never been received: receive stock first."),
            InventoryRejection::SkuMismatch { existing, given } => {
                write!(f, "This stream holds SKU {existing}, not {given}.")
            }
            InventoryRejection::InvalidQuantity { quantity } => {
                write!(f, "Quantity must be at least 1 (got {quantity}).")
            }
            InventoryRejection::InsufficientStock { available, requested } => write!(
                f,
                "Insufficient stock: {available} available, {requested} requested."
            ),
            InventoryRejection::AlreadyReserved { order_id } => {
                write!(f, "Stock is already reserved for order {order_id}: release it first.")
            }
            InventoryRejection::ReservationNotFound { order_id } => {
                write!(f, "Nothing is reserved for order {order_id}.")
            }
        }
    }
}

impl Aggregate for InventoryItem {
    const STREAM_TYPE: &'static str = "Inventory";
    type State = Option<InventoryState>;
    type Command = InventoryCommand;
    type Event = InventoryEvent;
    type Rejection = InventoryRejection;

    fn decide(state: &Self::State, command: &InventoryCommand) -> Result<Vec<InventoryEvent>, InventoryRejection> {
        use InventoryRejection as R;
        match command {
            InventoryCommand::ReceiveStock { sku, quantity, low_stock_threshold } => {
                if let Some(item) = state {
                    if &item.sku != sku {
                        return Err(R::SkuMismatch { existing: item.sku.clone(), given: sku.clone() });
                    }
                }
                if *quantity == 0 {
                    return Err(R::InvalidQuantity { quantity: 0 });
                }
                Ok(vec![InventoryEvent::StockReceived {
                    sku: sku.clone(),
                    quantity: *quantity,
                    low_stock_threshold: *low_stock_threshold,
                }])
            }
            InventoryCommand::ReserveStock { order_id, quantity } => {
                let item = state.as_ref().ok_or(R::NotFound)?;
                if *quantity == 0 {
                    return Err(R::InvalidQuantity { quantity: 0 });
                }
                if item.reserved_for(order_id).is_some() {
                    return Err(R::AlreadyReserved { order_id: order_id.clone() });
                }
                if *quantity > item.available() {
                    return Err(R::InsufficientStock { available: item.available(), requested: *quantity });
                }
                Ok(vec![InventoryEvent::StockReserved { order_id: order_id.clone(), quantity: *quantity }])
            }
            InventoryCommand::ReleaseStock { order_id } => {
                let item = state.as_ref().ok_or(R::NotFound)?;
                let quantity = item.reserved_for(order_id).ok_or_else(|| R::ReservationNotFound { order_id: order_id.clone() })?;
                Ok(vec![InventoryEvent::StockReleased { order_id: order_id.clone(), quantity }])
            }
        }
    }

    fn evolve(state: Self::State, event: &InventoryEvent) -> Self::State {
        match (state, event) {
            (None, InventoryEvent::StockReceived { sku, quantity, low_stock_threshold }) => {
                Some(InventoryState::new(sku.clone(), *quantity, low_stock_threshold.unwrap_or(DEFAULT_LOW_STOCK_THRESHOLD)))
            }
            (None, _) => None,
            (Some(mut item), InventoryEvent::StockReceived { quantity, low_stock_threshold, .. }) => {
                item.on_hand += quantity;
                if let Some(threshold) = low_stock_threshold {
                    item.low_stock_threshold = *threshold;
                }
                Some(item)
            }
            (Some(mut item), InventoryEvent::StockReserved { order_id, quantity }) => {
                item.reserve(Reservation { order_id: order_id.clone(), quantity: *quantity });
                Some(item)
            }
            (Some(mut item), InventoryEvent::StockReleased { order_id, .. }) => {
                item.release(order_id);
                Some(item)
            }
        }
    }
}
