//! Read models, pure: one projector per file, the queries they answer, and a
//! generic table view of each for the UI ([`table`]).

pub mod account_balances;
pub mod account_history;
pub mod customer_orders;
pub mod daily_stats;
pub mod inventory;
pub mod order_details;
pub mod order_summary;
pub mod product_catalog;
pub mod product_sales;
pub mod rows;
pub mod table;
pub mod user_activity;

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::SecondsFormat;
use rustc_hash::FxBuildHasher;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::domain::order::OrderStatus;
use crate::domain::{Event, EVENT_TYPES};
use crate::event_sourcing::envelope::{typed, ErrorBody, QueryEnvelope};
use crate::event_sourcing::projection_engine::Lane;
use crate::event_sourcing::projection::{Projection, Projector};
use crate::event_sourcing::recorded::RecordedEvent;
use account_balances::AccountBalances;
use account_history::AccountHistory;
use customer_orders::CustomerOrders;
use daily_stats::DailyStats;
use inventory::InventoryLevels;
use order_details::OrderDetails;
use order_summary::OrderSummary;
use product_catalog::ProductCatalog;
use product_sales::ProductSales;
use table::{KeyedTable, Table, TableWindow};
use user_activity::UserActivity;

const ALL_EVENT_TYPE_NAMES: [&str; EVENT_TYPES.len()] = {
    let mut names = [""; EVENT_TYPES.len()];
    let mut at = 0;
    while at < EVENT_TYPES.len() {
        names[at] = EVENT_TYPES[at].0;
        at += 1;
    }
    names
};

/// Every event type of the lab (the names of [`EVENT_TYPES`]), for the projections
/// that subscribe to all of them.
pub const ALL_EVENT_TYPES: &[&str] = &ALL_EVENT_TYPE_NAMES;

/// The projectors subscribed to an event type, one bit per projector in the order of
/// [`ReadModels::lanes_mut`]. Looked up once per event: comparing the type with every
/// projector's list of subscriptions was a quarter of a fold.
fn subscribers_of(event_type: &str) -> u16 {
    static SUBSCRIBERS: OnceLock<HashMap<&'static str, u16, FxBuildHasher>> = OnceLock::new();
    let subscribers = SUBSCRIBERS.get_or_init(|| {
        let mut subscribers: HashMap<&'static str, u16, FxBuildHasher> = HashMap::default();
        for (at, lane) in ReadModels::default().lanes_mut().into_iter().enumerate() {
            for event_type in lane.subscribes_to() {
                *subscribers.entry(event_type).or_default() |= 1 << at;
            }
        }
        subscribers
    });
    subscribers.get(event_type).copied().unwrap_or(0)
}

/// `recorded_at` as it is written everywhere: `2026-11-22T10:00:00.000Z`.
pub(crate) fn timestamp(recorded: &RecordedEvent) -> Timestamp {
    Timestamp(recorded.metadata.recorded_at)
}

/// A `recorded_at` kept in a read model: a copy of the time, written out as text
/// only when shown (formatting it on every event was most of a fold's cost).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub chrono::DateTime<chrono::Utc>);

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Every read model of the lab, each behind its own checkpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReadModels {
    pub order_summary: Projector<OrderSummary>,
    pub order_details: Projector<OrderDetails>,
    pub customer_orders: Projector<CustomerOrders>,
    pub product_sales: Projector<ProductSales>,
    pub daily_stats: Projector<DailyStats>,
    pub account_balances: Projector<AccountBalances>,
    pub account_history: Projector<AccountHistory>,
    pub inventory: Projector<InventoryLevels>,
    pub product_catalog: Projector<ProductCatalog>,
    pub user_activity: Projector<UserActivity>,
}

/// One projector's progress, for status panels and `GetProjectionStatus`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectorStatus {
    pub name: &'static str,
    pub subscribes_to: &'static [&'static str],
    pub checkpoint: u64,
    pub applied: u64,
}

fn status_of<P: Projection<Event>>(projector: &Projector<P>) -> ProjectorStatus {
    ProjectorStatus {
        name: P::NAME,
        subscribes_to: P::SUBSCRIBES_TO,
        checkpoint: projector.checkpoint,
        applied: projector.applied,
    }
}

/// The name `GetProjectionStatus` is served by: the checkpoints of every projector,
/// not a read model of its own.
pub const PROJECTION_STATUS: &str = "projection_status";

/// Every query type, with the one projection that serves it (the name a query
/// envelope's `projection` may give).
pub const QUERY_TYPES: &[(&str, &str)] = &[
    ("ListOrders", "order_summary"),
    ("GetOrder", "order_details"),
    ("GetCustomerOrders", "customer_orders"),
    ("GetProductSales", "product_sales"),
    ("GetDailyStats", "daily_stats"),
    ("GetAccountBalance", "account_balances"),
    ("GetAccountHistory", "account_history"),
    ("GetInventory", "inventory"),
    ("GetProductCatalog", "product_catalog"),
    ("GetProduct", "product_catalog"),
    ("GetUserActivity", "user_activity"),
    ("GetProjectionStatus", PROJECTION_STATUS),
];

/// Other names a query may give for a projection: seed 004 (and CONTRACT §2) send
/// `GetAccountBalance` with `"projection": "account_balance"`.
pub const PROJECTION_ALIASES: &[(&str, &str)] = &[("account_balance", "account_balances")];

/// How many movements `GetInventory` returns: the most recent ones.
pub const RECENT_MOVEMENTS: usize = 20;

/// The projection that serves a query type.
pub fn projection_for(query_type: &str) -> Option<&'static str> {
    QUERY_TYPES.iter().find(|(name, _)| *name == query_type).map(|(_, projection)| *projection)
}

fn canonical_projection(name: &str) -> &str {
    PROJECTION_ALIASES.iter().find(|(alias, _)| *alias == name).map_or(name, |(_, canonical)| canonical)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListOrders {
    status: Option<OrderStatus>,
    customer_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GetOrder {
    order_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoFilters {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GetCustomerOrders {
    customer_name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ByAccount {
    account_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GetInventory {
    sku: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GetUserActivity {
    actor: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GetDailyStats {
    date: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GetProductCatalog {
    category_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GetProduct {
    product_id: String,
}

fn to_json<T: Serialize>(value: T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Some of the read models, by their place in [`ReadModels::lanes_mut`]: the ones a
/// page shows. Time travel brings only those to a position; the others are not
/// looked at there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ModelSet(u16);

/// How many projectors [`ReadModels`] holds.
pub const LANES: usize = 10;

impl ModelSet {
    pub const ALL: ModelSet = ModelSet((1 << LANES) - 1);
    pub const NONE: ModelSet = ModelSet(0);

    /// The read models among `names` (projection names, e.g. `"order_summary"`);
    /// other names (panels that are not read models) are left out.
    pub fn named<'a>(names: impl IntoIterator<Item = &'a str>) -> ModelSet {
        let mut all = ReadModels::default();
        let lanes: Vec<&'static str> = all.lanes_mut().iter().map(|lane| lane.name()).collect();
        ModelSet(names.into_iter().filter_map(|name| lanes.iter().position(|lane| *lane == name)).fold(0, |set, at| set | 1 << at))
    }

    pub fn contains(self, lane: usize) -> bool {
        self.0 & (1 << lane) != 0
    }

    /// This set and the read model at place `lane`.
    pub fn with(self, lane: usize) -> ModelSet {
        ModelSet(self.0 | 1 << lane)
    }

    /// The places of the read models in the set.
    pub fn places(self) -> impl Iterator<Item = usize> {
        (0..LANES).filter(move |&lane| self.contains(lane))
    }
}

impl ReadModels {
    /// Delivers one event to every projector (each skips what it has seen or does not subscribe to).
    pub fn apply(&mut self, recorded: &RecordedEvent, event: &Event) {
        self.apply_to(recorded, event, ModelSet::ALL);
    }

    /// Delivers one event to the projectors in `set` only: the others stay where they were.
    pub fn apply_to(&mut self, recorded: &RecordedEvent, event: &Event, set: ModelSet) {
        let subscribers = subscribers_of(&recorded.event_type);
        // Each projector by its own type, in the order of `lanes_mut`: a fold makes
        // these ten calls for every event, and most of them only move a checkpoint,
        // which a call through `Lane` could not inline.
        macro_rules! deliver {
            ($($at:literal $lane:ident)*) => {$(
                if set.contains($at) {
                    self.$lane.handle_routed(recorded, event, subscribers & (1 << $at) != 0);
                }
            )*};
        }
        deliver!(0 order_summary 1 order_details 2 customer_orders 3 product_sales 4 daily_stats
            5 account_balances 6 account_history 7 inventory 8 product_catalog 9 user_activity);
    }

    /// Makes the projector at place `lane` (in [`ReadModels::lanes_mut`]) a copy of
    /// the one in `from`. Free: the copy shares every row.
    pub fn copy_lane_from(&mut self, lane: usize, from: &ReadModels) {
        match lane {
            0 => self.order_summary = from.order_summary.clone(),
            1 => self.order_details = from.order_details.clone(),
            2 => self.customer_orders = from.customer_orders.clone(),
            3 => self.product_sales = from.product_sales.clone(),
            4 => self.daily_stats = from.daily_stats.clone(),
            5 => self.account_balances = from.account_balances.clone(),
            6 => self.account_history = from.account_history.clone(),
            7 => self.inventory = from.inventory.clone(),
            8 => self.product_catalog = from.product_catalog.clone(),
            9 => self.user_activity = from.user_activity.clone(),
            _ => {}
        }
    }

    /// Every projector as a [`Lane`] the projection engine can drive, in the order
    /// of [`ReadModels::statuses`].
    pub fn lanes_mut(&mut self) -> [&mut dyn Lane<Event>; LANES] {
        [
            &mut self.order_summary,
            &mut self.order_details,
            &mut self.customer_orders,
            &mut self.product_sales,
            &mut self.daily_stats,
            &mut self.account_balances,
            &mut self.account_history,
            &mut self.inventory,
            &mut self.product_catalog,
            &mut self.user_activity,
        ]
    }

    /// Every projector's progress, in the order of [`ReadModels::tables`].
    pub fn statuses(&self) -> Vec<ProjectorStatus> {
        vec![
            status_of(&self.order_summary),
            status_of(&self.order_details),
            status_of(&self.customer_orders),
            status_of(&self.product_sales),
            status_of(&self.daily_stats),
            status_of(&self.account_balances),
            status_of(&self.account_history),
            status_of(&self.inventory),
            status_of(&self.product_catalog),
            status_of(&self.user_activity),
        ]
    }

    /// One table per read model, in a fixed order (that of [`ReadModels::statuses`]).
    pub fn tables(&self) -> Vec<Table> {
        vec![
            self.order_summary.model.table(),
            self.order_details.model.table(),
            self.customer_orders.model.table(),
            self.product_sales.model.table(),
            self.daily_stats.model.table(),
            self.account_balances.model.table(),
            self.account_history.model.table(),
            self.inventory.model.table(),
            self.product_catalog.model.table(),
            self.user_activity.model.table(),
        ]
    }

    /// One read model's table, by name (`None` for an unknown name): only that table is built.
    pub fn table(&self, name: &str) -> Option<Table> {
        fn named<P: Projection<Event>>(name: &str, projector: &Projector<P>, table: impl FnOnce(&P) -> Table) -> Option<Table> {
            (P::NAME == name).then(|| table(&projector.model))
        }
        named(name, &self.order_summary, OrderSummary::table)
            .or_else(|| named(name, &self.order_details, OrderDetails::table))
            .or_else(|| named(name, &self.customer_orders, CustomerOrders::table))
            .or_else(|| named(name, &self.product_sales, ProductSales::table))
            .or_else(|| named(name, &self.daily_stats, DailyStats::table))
            .or_else(|| named(name, &self.account_balances, AccountBalances::table))
            .or_else(|| named(name, &self.account_history, AccountHistory::table))
            .or_else(|| named(name, &self.inventory, InventoryLevels::table))
            .or_else(|| named(name, &self.product_catalog, ProductCatalog::table))
            .or_else(|| named(name, &self.user_activity, UserActivity::table))
    }

    /// What a panel draws of one read model's table (`None` for an unknown name):
    /// its first `first` rows and every row that differs from `before` (these read
    /// models one position earlier), each with its earlier version. Only the rows
    /// drawn are built, except for daily stats (sorted by date) and inventory (whose
    /// alert counts are kept outside its rows): both their whole tables are built and
    /// compared by key.
    pub fn table_window(&self, before: &ReadModels, name: &str, first: usize) -> Option<TableWindow> {
        fn keyed<M: KeyedTable>(name: &str, at: &Projector<M>, before: &Projector<M>, first: usize) -> Option<TableWindow> {
            (M::NAME == name).then(|| at.model.window(&before.model, first))
        }
        if name == AccountHistory::NAME {
            return Some(self.account_history.model.window(&before.account_history.model, first));
        }
        if name == UserActivity::NAME {
            return Some(self.user_activity.model.window(&before.user_activity.model, first));
        }
        keyed(name, &self.order_summary, &before.order_summary, first)
            .or_else(|| keyed(name, &self.order_details, &before.order_details, first))
            .or_else(|| keyed(name, &self.customer_orders, &before.customer_orders, first))
            .or_else(|| keyed(name, &self.product_sales, &before.product_sales, first))
            .or_else(|| keyed(name, &self.account_balances, &before.account_balances, first))
            .or_else(|| keyed(name, &self.product_catalog, &before.product_catalog, first))
            .or_else(|| Some(TableWindow::between(self.table(name)?, before.table(name).as_ref(), first)))
    }

    /// Answers a query from these read models. `head` is the position of the end of
    /// the log, against which `GetProjectionStatus` measures each projector's lag.
    pub fn answer(&self, query: &QueryEnvelope, head: u64) -> Result<Value, ErrorBody> {
        let query_type = query.query_type.as_str();
        let Some(serving) = projection_for(query_type) else {
            let known: Vec<&str> = QUERY_TYPES.iter().map(|(name, _)| *name).collect();
            return Err(ErrorBody::new(
                "unknown_query",
                format!("`{query_type}` is not a query; known queries: {}", known.join(", ")),
            ));
        };
        if let Some(named) = &query.projection {
            if canonical_projection(named) != serving {
                return Err(ErrorBody::new(
                    "wrong_projection",
                    format!("`{query_type}` is answered by the `{serving}` projection, not `{named}`"),
                ));
            }
        }
        let filters = &query.filters;
        let what = format!("{query_type} filters");
        match query_type {
            "ListOrders" => {
                let filter: ListOrders = typed(&what, filters)?;
                let needle = filter.customer_name.map(|name| name.to_lowercase());
                let rows: Vec<&order_summary::OrderSummaryRow> = self
                    .order_summary
                    .model
                    .orders
                    .iter()
                    .filter(|row| filter.status.is_none_or(|status| row.status == status))
                    .filter(|row| {
                        needle.as_ref().is_none_or(|needle| row.customer_name.to_lowercase().contains(needle))
                    })
                    .collect();
                Ok(json!({ "orders": rows }))
            }
            "GetOrder" => {
                let filter: GetOrder = typed(&what, filters)?;
                let summary = self.order_summary.model.orders.get(&filter.order_id);
                let details = self.order_details.model.orders.get(&filter.order_id);
                Ok(match (summary, details) {
                    (Some(summary), Some(details)) => json!({ "summary": summary, "details": details }),
                    _ => Value::Null,
                })
            }
            "GetCustomerOrders" => {
                let filter: GetCustomerOrders = typed(&what, filters)?;
                Ok(to_json(self.customer_orders.model.customers.get(&filter.customer_name)))
            }
            "GetProductSales" => {
                let _: NoFilters = typed(&what, filters)?;
                Ok(json!({ "products": self.product_sales.model.products }))
            }
            "GetDailyStats" => {
                let filter: GetDailyStats = typed(&what, filters)?;
                Ok(match filter.date {
                    Some(date) => to_json(self.daily_stats.model.days.get(&date)),
                    None => json!({ "days": self.daily_stats.model.by_date() }),
                })
            }
            "GetAccountBalance" => {
                let filter: ByAccount = typed(&what, filters)?;
                Ok(to_json(self.account_balances.model.accounts.get(&filter.account_id)))
            }
            "GetAccountHistory" => {
                let filter: ByAccount = typed(&what, filters)?;
                Ok(to_json(self.account_history.model.accounts.get(&filter.account_id)))
            }
            "GetInventory" => {
                let filter: GetInventory = typed(&what, filters)?;
                let inventory = &self.inventory.model;
                Ok(match filter.sku {
                    Some(sku) => match inventory.items.get(&sku) {
                        Some(item) => json!({
                            "item": item,
                            "movements": inventory.recent_movements(Some(&sku), RECENT_MOVEMENTS),
                            "low_stock_alerts": inventory.alerts(Some(&sku)),
                        }),
                        None => Value::Null,
                    },
                    None => json!({
                        "items": inventory.items,
                        "movements": inventory.recent_movements(None, RECENT_MOVEMENTS),
                        "low_stock_alerts": inventory.alerts(None),
                    }),
                })
            }
            "GetProductCatalog" => {
                let filter: GetProductCatalog = typed(&what, filters)?;
                let products: Vec<&product_catalog::ProductRow> = self
                    .product_catalog
                    .model
                    .products
                    .iter()
                    .filter(|row| filter.category_id.as_ref().is_none_or(|category| &row.category_id == category))
                    .collect();
                Ok(json!({ "products": products }))
            }
            "GetProduct" => {
                let filter: GetProduct = typed(&what, filters)?;
                Ok(to_json(self.product_catalog.model.products.get(&filter.product_id)))
            }
            "GetUserActivity" => {
                let filter: GetUserActivity = typed(&what, filters)?;
                let activity = self.user_activity.model.actors.get(&filter.actor).map(|row| &row.activity);
                Ok(json!({ "actor": filter.actor, "activity": activity.map_or(Value::Array(Vec::new()), to_json) }))
            }
            "GetProjectionStatus" => {
                let _: NoFilters = typed(&what, filters)?;
                let projectors: Vec<Value> = self
                    .statuses()
                    .into_iter()
                    .map(|status| {
                        json!({
                            "name": status.name,
                            "subscribes_to": status.subscribes_to,
                            "position": status.checkpoint,
                            "lag": head.saturating_sub(status.checkpoint),
                            "applied": status.applied,
                        })
                    })
                    .collect();
                Ok(json!({ "head": head, "projectors": projectors }))
            }
            other => unreachable!("{other} is in QUERY_TYPES but not answered"),
        }
    }
}
