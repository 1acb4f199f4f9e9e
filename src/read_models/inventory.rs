//! InventoryLevels (seed 004 "inventory projection"): per SKU, the stock on hand,
//! what is reserved for which order, what is available and whether that is low; the
//! stock movements in order; and a low stock alert each time an item becomes low.
//!
//! An item is low when `available < low_stock_threshold`. An alert is raised when
//! an item goes from not low to low: by a reservation, by a threshold raised on a
//! receipt, or by a first receipt that is already below the threshold (an item
//! that did not exist was not low). Releasing or receiving stock can bring an item
//! back above the threshold; it alerts again the next time it drops below.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use rustc_hash::FxBuildHasher;
use serde::{Serialize, Serializer};
use serde_json::json;

use crate::read_models::Timestamp;
use crate::domain::inventory::{InventoryEvent, DEFAULT_LOW_STOCK_THRESHOLD};
use crate::domain::Event;
use crate::event_sourcing::projection::Projection;
use crate::event_sourcing::recorded::RecordedEvent;
use crate::event_sourcing::shared_str::SharedStr;

use super::rows::{List, Rows};
use super::table::{latest_entries, Table, TableRow};
use super::timestamp;

/// Units held for one order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReservationRow {
    /// The index's copy of the order id ([`ReservedAt`]), shared.
    pub order_id: SharedStr,
    pub quantity: u32,
}

/// The stock of one SKU.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InventoryRow {
    /// The stream's aggregate id (the validation middleware keeps it equal to the
    /// `sku` in the data of `ReceiveStock`): the table's copy of its key, shared by
    /// the item's movements and alerts.
    pub sku: SharedStr,
    pub on_hand: u32,
    pub reserved: u32,
    /// `on_hand − reserved`.
    pub available: u32,
    pub low_stock_threshold: u32,
    /// `available < low_stock_threshold`.
    pub low_stock: bool,
    /// In the order they were made.
    pub reservations: Reservations,
}

/// The units a SKU holds for orders, in the order they were reserved (written out as
/// a plain list), kept by the position of the event that reserved them. Each
/// reservation is behind an `Rc`: a change after a copy copies nodes of the map
/// (16 entries each) of pointers, not of reservations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reservations {
    by_position: imbl::OrdMap<u64, Rc<ReservationRow>>,
}

impl Reservations {
    pub fn reserve(&mut self, position: u64, reservation: ReservationRow) {
        self.by_position.insert(position, Rc::new(reservation));
    }

    /// Removes the reservations made at `positions` that this SKU holds (the
    /// others are another SKU's, released already, or not reached); answers the
    /// units they held.
    pub fn release(&mut self, positions: &[u64]) -> u32 {
        positions.iter().filter_map(|position| self.by_position.remove(position)).map(|reservation| reservation.quantity).sum()
    }

    pub fn len(&self) -> usize {
        self.by_position.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_position.is_empty()
    }

    /// Oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &ReservationRow> + '_ {
        self.by_position.values().map(|reservation| &**reservation)
    }
}

impl Serialize for Reservations {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl InventoryRow {
    fn refresh(&mut self) {
        self.available = self.on_hand.saturating_sub(self.reserved);
        self.low_stock = self.available < self.low_stock_threshold;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    Received,
    Reserved,
    Released,
}

impl MovementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::Received => "received",
            MovementKind::Reserved => "reserved",
            MovementKind::Released => "released",
        }
    }
}

/// One stock movement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Movement {
    pub position: u64,
    pub recorded_at: Timestamp,
    pub sku: SharedStr,
    pub kind: MovementKind,
    pub quantity: u32,
    /// The order a reservation or release is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<SharedStr>,
}

/// An item went from not low to low.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LowStockAlert {
    /// The position of the event that made it low.
    pub position: u64,
    pub sku: SharedStr,
    pub available: u32,
    pub threshold: u32,
}

/// Which log positions reserved stock for each order, for any SKU: releasing one of
/// a busy SKU's thousands of reservations is a lookup, not a scan.
///
/// These are facts of the log, the same for every copy of the read model taken
/// from it, so the copies (timeline checkpoints, the state being scrubbed) share
/// one index instead of each copying the nodes a reservation after it touches (at
/// 100k events that copying was 17 of the inventory's 20 MB of checkpoints). A copy
/// at an earlier position can find positions it has not reached yet: they are not
/// among its reservations, and [`Reservations::release`] passes over them.
#[derive(Debug, Clone, Default)]
pub struct ReservedAt(Rc<RefCell<PositionsByOrder>>);

/// Order id → what was reserved for it.
type PositionsByOrder = HashMap<SharedStr, ReservedFor, FxBuildHasher>;

/// The index's copy of an order id (shared by the reservations and movements that
/// name it) and the positions of the events that reserved stock for the order.
#[derive(Debug)]
struct ReservedFor {
    order_id: SharedStr,
    positions: Vec<u64>,
}

impl ReservedAt {
    /// Records that the event at `position` reserved stock for `order_id`; answers
    /// the index's copy of the order id, for the read model to share.
    fn record(&self, order_id: &str, position: u64) -> SharedStr {
        let mut index = self.0.borrow_mut();
        match index.get_mut(order_id) {
            Some(reserved) => {
                // A copy folding forward records again what the head already did.
                if !reserved.positions.contains(&position) {
                    reserved.positions.push(position);
                }
                reserved.order_id.clone()
            }
            None => {
                let kept = SharedStr::from(order_id);
                index.insert(kept.clone(), ReservedFor { order_id: kept.clone(), positions: vec![position] });
                kept
            }
        }
    }

    /// Releases from `reservations` what was reserved for `order_id`; answers the
    /// units released and the index's copy of the order id (a new one for an order
    /// that reserved nothing).
    fn release(&self, order_id: &str, reservations: &mut Reservations) -> (u32, SharedStr) {
        match self.0.borrow().get(order_id) {
            Some(reserved) => (reservations.release(&reserved.positions), reserved.order_id.clone()),
            None => (0, SharedStr::from(order_id)),
        }
    }
}

/// Every index of one log holds the same facts: not part of a read model's state.
impl PartialEq for ReservedAt {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Stock levels per SKU (in the order first received), movements and alerts.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct InventoryLevels {
    pub items: Rows<InventoryRow>,
    #[serde(skip)]
    reserved_at: ReservedAt,
    /// Every movement, oldest first.
    pub movements: List<Movement>,
    /// Every alert, oldest first.
    pub low_stock_alerts: List<LowStockAlert>,
}

impl Projection<Event> for InventoryLevels {
    const NAME: &'static str = "inventory";
    const SUBSCRIBES_TO: &'static [&'static str] = &["StockReceived", "StockReserved", "StockReleased"];

    fn apply(&mut self, recorded: &RecordedEvent, event: &Event) {
        let Event::Inventory(event) = event else { return };
        let sku = recorded.aggregate_key();
        let item = match (self.items.get_mut(sku), event) {
            (Some(item), _) => item,
            (None, InventoryEvent::StockReceived { low_stock_threshold, .. }) => {
                self.items.upsert_with(sku, |key| {
                    InventoryRow {
                        sku: key.clone(),
                        on_hand: 0,
                        reserved: 0,
                        available: 0,
                        low_stock_threshold: low_stock_threshold.unwrap_or(DEFAULT_LOW_STOCK_THRESHOLD),
                        low_stock: false,
                        reservations: Reservations::default(),
                    }
                });
                self.items.get_mut(sku).expect("just inserted")
            }
            // Reserved or released before it was ever received: nothing to show.
            (None, _) => return,
        };
        let was_low = item.low_stock;
        let (kind, quantity, order_id) = match event {
            InventoryEvent::StockReceived { quantity, low_stock_threshold, .. } => {
                item.on_hand += quantity;
                if let Some(threshold) = low_stock_threshold {
                    item.low_stock_threshold = *threshold;
                }
                (MovementKind::Received, *quantity, None)
            }
            InventoryEvent::StockReserved { order_id, quantity } => {
                let order_id = self.reserved_at.record(order_id, recorded.position);
                item.reservations.reserve(recorded.position, ReservationRow { order_id: order_id.clone(), quantity: *quantity });
                item.reserved += quantity;
                (MovementKind::Reserved, *quantity, Some(order_id))
            }
            InventoryEvent::StockReleased { order_id, quantity } => {
                let (released, order_id) = self.reserved_at.release(order_id, &mut item.reservations);
                item.reserved -= released;
                (MovementKind::Released, *quantity, Some(order_id))
            }
        };
        item.refresh();
        if item.low_stock && !was_low {
            self.low_stock_alerts.push_back(LowStockAlert {
                position: recorded.position,
                sku: item.sku.clone(),
                available: item.available,
                threshold: item.low_stock_threshold,
            });
        }
        self.movements.push_back(Movement {
            position: recorded.position,
            recorded_at: timestamp(recorded),
            sku: item.sku.clone(),
            kind,
            quantity,
            order_id,
        });
    }
}

/// The reservations as `o-1×2, o-2×1`: the latest ones, after a count of the older
/// ones (a busy SKU holds thousands).
fn reservations_summary(reservations: &Reservations) -> String {
    latest_entries(reservations.len(), reservations.iter().rev(), ", ", |reservation| format!("{}×{}", reservation.order_id, reservation.quantity))
}

impl InventoryLevels {
    /// The movements of one SKU (all of them when `sku` is `None`), the last `limit`, oldest first.
    pub fn recent_movements(&self, sku: Option<&str>, limit: usize) -> Vec<&Movement> {
        let matching: Vec<&Movement> =
            self.movements.iter().filter(|movement| sku.is_none_or(|sku| movement.sku == sku)).collect();
        let skip = matching.len().saturating_sub(limit);
        matching.into_iter().skip(skip).collect()
    }

    /// The alerts of one SKU (all of them when `sku` is `None`), oldest first.
    pub fn alerts(&self, sku: Option<&str>) -> Vec<&LowStockAlert> {
        self.low_stock_alerts.iter().filter(|alert| sku.is_none_or(|sku| alert.sku == sku)).collect()
    }

    pub fn table(&self) -> Table {
        Table {
            name: <Self as Projection<Event>>::NAME,
            title: "Inventory",
            columns: vec!["SKU", "On hand", "Reserved", "Available", "Threshold", "Low stock", "Reservations", "Alerts"],
            numbers: &[],
            rows: self
                .items
                .iter()
                .map(|item| {
                    let reservations = reservations_summary(&item.reservations);
                    TableRow::new(
                        item.sku.clone(),
                        vec![
                            json!(item.sku),
                            json!(item.on_hand),
                            json!(item.reserved),
                            json!(item.available),
                            json!(item.low_stock_threshold),
                            json!(item.low_stock),
                            json!(reservations),
                            json!(self.alerts(Some(&item.sku)).len()),
                        ],
                    )
                })
                .collect(),
        }
    }
}
