//! DailyStats (seed 004 "daily statistics"): per UTC date of `recorded_at`, how many
//! orders were created, confirmed, shipped and cancelled, the revenue of the orders
//! confirmed that day, the money deposited and withdrawn, and how many events of
//! any kind were recorded.


use chrono::Datelike;
use serde::Serialize;
use serde_json::json;

use crate::domain::account::AccountEvent;
use crate::domain::order::OrderEvent;
use crate::domain::Event;
use crate::event_sourcing::projection::Projection;
use crate::event_sourcing::recorded::RecordedEvent;

use super::rows::{change_value, Map, Rows};
use super::table::{Numbers, Table, TableRow};
use super::ALL_EVENT_TYPES;

/// The counts of one day.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DailyStatsRow {
    /// `YYYY-MM-DD`, UTC.
    pub date: String,
    pub orders_created: u32,
    pub orders_confirmed: u32,
    pub orders_shipped: u32,
    pub orders_cancelled: u32,
    /// The totals of the orders confirmed that day (a later cancellation does not undo it).
    pub revenue_cents: i64,
    pub deposits_cents: i64,
    pub withdrawals_cents: i64,
    /// Every event recorded that day, of any type.
    pub events: u32,
}

/// Statistics per day, days in the order their first event arrived.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DailyStats {
    pub days: Rows<DailyStatsRow>,
    /// order id → current total, for orders not confirmed yet.
    #[serde(skip)]
    open_totals: Map<String, i64>,
    /// The last event's day: most events fall on the day of the event before them.
    #[serde(skip)]
    today: Option<Today>,
}

/// A day and the place of its row in [`DailyStats::days`].
#[derive(Debug, Clone, Copy, PartialEq)]
struct Today {
    day: chrono::NaiveDate,
    place: usize,
}

/// The UTC date of an event, `YYYY-MM-DD`.
pub fn date_of(recorded: &RecordedEvent) -> String {
    let at = recorded.metadata.recorded_at;
    format!("{:04}-{:02}-{:02}", at.year(), at.month(), at.day())
}

impl Projection<Event> for DailyStats {
    const NAME: &'static str = "daily_stats";
    const SUBSCRIBES_TO: &'static [&'static str] = ALL_EVENT_TYPES;

    fn apply(&mut self, recorded: &RecordedEvent, event: &Event) {
        // The UTC date, read without adding the offset of UTC (zero) on every event.
        let day = recorded.metadata.recorded_at.naive_utc().date();
        let today = match self.today {
            Some(today) if today.day == day => today,
            _ => {
                let date = date_of(recorded);
                let place = self.days.place(&date).unwrap_or_else(|| {
                    self.days.upsert(&date, DailyStatsRow { date: date.clone(), ..DailyStatsRow::default() });
                    self.days.len() - 1
                });
                Today { day, place }
            }
        };
        let mut confirmed_total = None;
        if let Event::Order(order) = event {
            let order_id = recorded.aggregate_id();
            match order {
                OrderEvent::OrderCreated { .. } => {
                    self.open_totals.insert(order_id.to_owned(), 0);
                }
                OrderEvent::ItemAdded { quantity, unit_price_cents, .. } => {
                    change_value(&mut self.open_totals, order_id, |total| *total += unit_price_cents * i64::from(*quantity));
                }
                OrderEvent::ItemRemoved { quantity, unit_price_cents, .. } => {
                    change_value(&mut self.open_totals, order_id, |total| *total -= unit_price_cents * i64::from(*quantity));
                }
                OrderEvent::OrderConfirmed {} => {
                    // Items cannot change once confirmed: the total is final.
                    confirmed_total = Some(self.open_totals.remove(order_id).unwrap_or(0));
                }
                OrderEvent::OrderCancelled { .. } => {
                    self.open_totals.remove(order_id);
                }
                OrderEvent::OrderReadyToShip {} | OrderEvent::OrderShipped {} => {}
            }
        }
        let day = self.days.at_mut(today.place).expect("the day's row");
        day.events += 1;
        match event {
            Event::Order(OrderEvent::OrderCreated { .. }) => day.orders_created += 1,
            Event::Order(OrderEvent::OrderConfirmed {}) => {
                day.orders_confirmed += 1;
                day.revenue_cents += confirmed_total.unwrap_or(0);
            }
            Event::Order(OrderEvent::OrderShipped {}) => day.orders_shipped += 1,
            Event::Order(OrderEvent::OrderCancelled { .. }) => day.orders_cancelled += 1,
            Event::Account(AccountEvent::MoneyDeposited { amount, .. }) => day.deposits_cents += amount,
            Event::Account(AccountEvent::MoneyWithdrawn { amount, .. }) => day.withdrawals_cents += amount,
            _ => {}
        }
        self.today = Some(today);
    }
}

impl DailyStats {
    /// The days sorted by date (the log is in arrival order, clocks may disagree).
    pub fn by_date(&self) -> Vec<&DailyStatsRow> {
        let mut days: Vec<&DailyStatsRow> = self.days.iter().collect();
        days.sort_by(|a, b| a.date.cmp(&b.date));
        days
    }

    pub fn table(&self) -> Table {
        Table {
            name: <Self as Projection<Event>>::NAME,
            title: "Daily stats",
            columns: vec![
                "Date",
                "Events",
                "Orders created",
                "Confirmed",
                "Shipped",
                "Cancelled",
                "Revenue",
                "Deposits",
                "Withdrawals",
            ],
            numbers: &[("Revenue", Numbers::Money), ("Deposits", Numbers::Money), ("Withdrawals", Numbers::Money)],
            rows: self
                .by_date()
                .into_iter()
                .map(|day| {
                    TableRow::new(
                        day.date.clone(),
                        vec![
                            json!(day.date),
                            json!(day.events),
                            json!(day.orders_created),
                            json!(day.orders_confirmed),
                            json!(day.orders_shipped),
                            json!(day.orders_cancelled),
                            json!(day.revenue_cents),
                            json!(day.deposits_cents),
                            json!(day.withdrawals_cents),
                        ],
                    )
                })
                .collect(),
        }
    }
}
