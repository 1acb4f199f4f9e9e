//! "Load demo history": a realistic, seeded and reproducible history (a shop's
//! catalogue, warehouse, orders and its customers' bank accounts), made by sending
//! commands through the aggregates' own `decide`, so every event in it is one the
//! lab could have recorded. The same seed and size always give the same log.
//!
//! Pure: the seed and the start time come in; the ids are drawn from the seed.
//! Generation runs in steps ([`DemoHistory::step`]) so a page can show progress.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::domain::authorization::USERS;
use crate::domain::{AggregateState, Command};
use crate::event_sourcing::envelope::ErrorBody;
use crate::event_sourcing::recorded::{EventMetadata, RecordedEvent};

/// The history a person gets when they ask for one without saying how long.
pub const DEMO_EVENTS: usize = 100_000;
pub const DEMO_SEED: u64 = 2026;
/// The longest demo history the console makes. One of 1,000,000 events took ~12 s and
/// ~770 MB of the page's memory here; much longer ones outgrow what a page may hold,
/// and a page out of memory stops.
pub const DEMO_MAX_EVENTS: usize = 1_000_000;

/// The options of `kiroku.loadDemo({events?, seed?})` as `(seed, events)`. Either
/// may be left out ([`DEMO_SEED`], [`DEMO_EVENTS`]); given, each is a whole number,
/// `events` at most [`DEMO_MAX_EVENTS`]. Anything else is refused, not replaced by
/// the default: a log replaced by a history nobody asked for is lost.
pub fn demo_options(input: &Value) -> Result<(u64, usize), ErrorBody> {
    let refuse = |message: String| ErrorBody::new("invalid_demo", message);
    let options = match input {
        Value::Null => return Ok((DEMO_SEED, DEMO_EVENTS)),
        Value::Object(options) => options,
        other => return Err(refuse(format!("pass {{events, seed}} (both optional), not {other}"))),
    };
    let whole = |name: &str| match options.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value.as_u64().map(Some).ok_or_else(|| refuse(format!("{name} must be a whole number from 0, not {value}"))),
    };
    let seed = whole("seed")?.unwrap_or(DEMO_SEED);
    let events = whole("events")?.unwrap_or(DEMO_EVENTS as u64);
    match usize::try_from(events) {
        Ok(events) if events <= DEMO_MAX_EVENTS => Ok((seed, events)),
        _ => Err(refuse(format!("a demo history has at most {DEMO_MAX_EVENTS} events, not {events}"))),
    }
}

const PRODUCTS: &[(&str, i64, &str)] = &[
    ("matcha-tea", 1_800, "tea"),
    ("sencha-tea", 1_200, "tea"),
    ("hojicha-tea", 1_100, "tea"),
    ("genmaicha-tea", 900, "tea"),
    ("tea-bowl", 4_500, "ceramics"),
    ("tea-pot", 6_800, "ceramics"),
    ("sake-cup", 2_200, "ceramics"),
    ("rice-bowl", 1_900, "ceramics"),
    ("notebook-a5", 650, "stationery"),
    ("fountain-pen", 9_800, "stationery"),
    ("brush-pen", 480, "stationery"),
    ("washi-tape", 320, "stationery"),
    ("furoshiki", 2_600, "textiles"),
    ("tenugui", 1_400, "textiles"),
    ("yukata", 12_000, "textiles"),
    ("chopsticks", 1_500, "kitchen"),
    ("santoku-knife", 14_500, "kitchen"),
    ("bento-box", 3_200, "kitchen"),
];

const CUSTOMERS: &[&str] = &[
    "Aiko Tanaka", "Haruto Sato", "Yui Suzuki", "Ren Takahashi", "Mio Watanabe", "Sota Ito", "Hina Yamamoto",
    "Yuto Nakamura", "Sakura Kobayashi", "Riku Kato", "Emma Schmidt", "Lucas Martin", "Olivia Brown",
    "Noah Rossi", "Amara Okafor", "Mateo García", "Lena Novak", "Ines Costa", "Arjun Mehta", "Sofia Lindqvist",
];

/// How many accounts and how long the shelves are: proportionate to the history.
fn accounts_for(target: usize) -> usize {
    (target / 100).clamp(5, 1_000)
}

/// A small, fast, seeded generator (SplitMix64): reproducible everywhere.
#[derive(Debug, Clone)]
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// An id shaped like a UUID v4.
    fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }
}

/// An order line: the product's index, the quantity and the price the order saw.
type Line = (usize, u32, i64);

/// A history being made, a step at a time.
pub struct DemoHistory {
    rng: Seeded,
    target: usize,
    now: DateTime<Utc>,
    events: Vec<RecordedEvent>,
    /// Each stream's state and version, for deciding the next command on it.
    streams: HashMap<String, (AggregateState, u64)>,
    accounts: Vec<String>,
    /// Orders still being filled, with their lines (product, quantity, unit price).
    drafts: Vec<(String, Vec<Line>)>,
    /// Orders confirmed, waiting to ship, with their lines.
    confirmed: Vec<(String, Vec<Line>)>,
    prices: Vec<i64>,
    orders_made: usize,
    set_up: bool,
    /// The last few events could not be made (never expected: a deposit always succeeds).
    stuck: bool,
}

/// Below this many events to go, the history ends with one-event commands: no command
/// of [`DemoHistory::one_command`] makes more than this many events (a confirmation
/// reserves up to 4 lines, receiving stock first where it ran out: 9).
const LAST_FEW: usize = 10;

impl DemoHistory {
    /// A history of `target` events, starting at `start` (a target smaller than the
    /// shop's opening gives the opening).
    pub fn new(seed: u64, target: usize, start: DateTime<Utc>) -> Self {
        DemoHistory {
            rng: Seeded(seed),
            target,
            now: start,
            events: Vec::with_capacity(target),
            streams: HashMap::new(),
            accounts: Vec::new(),
            drafts: Vec::new(),
            confirmed: Vec::new(),
            prices: PRODUCTS.iter().map(|(_, price, _)| *price).collect(),
            orders_made: 0,
            set_up: false,
            stuck: false,
        }
    }

    /// Makes up to `budget` more events. Returns whether the history is complete.
    pub fn step(&mut self, budget: usize) -> bool {
        if !self.set_up {
            self.set_up = true;
            self.open_the_shop();
        }
        let until = self.events.len().saturating_add(budget).min(self.target);
        while self.events.len() < until && !self.is_done() {
            let before = self.events.len();
            if self.target - self.events.len() < LAST_FEW {
                // The last few: one event each, so the history is as long as asked.
                self.now += Duration::seconds(5 + self.rng.below(90) as i64);
                self.deposit();
                self.stuck = self.events.len() == before;
            } else {
                self.one_command();
            }
        }
        self.is_done()
    }

    pub fn is_done(&self) -> bool {
        self.events.len() >= self.target || self.stuck
    }

    pub fn generated(&self) -> usize {
        self.events.len()
    }

    pub fn target(&self) -> usize {
        self.target
    }

    /// Makes the whole history at once.
    pub fn generate(seed: u64, target: usize, start: DateTime<Utc>) -> Vec<RecordedEvent> {
        let mut history = DemoHistory::new(seed, target, start);
        while !history.step(usize::MAX) {}
        history.finish()
    }

    pub fn finish(self) -> Vec<RecordedEvent> {
        self.events
    }

    /// The catalogue, a first delivery of every product and the first accounts.
    fn open_the_shop(&mut self) {
        for (name, price, category) in PRODUCTS {
            self.send("Product", name, json!({ "command_type": "CreateProduct", "data": { "name": name, "price": price, "category_id": category } }), 1);
            self.send("Inventory", name, json!({ "command_type": "ReceiveStock", "data": { "sku": name, "quantity": 500, "low_stock_threshold": 50 } }), 1);
        }
        for _ in 0..accounts_for(self.target) / 4 {
            self.open_account();
        }
    }

    fn one_command(&mut self) {
        self.now += Duration::seconds(5 + self.rng.below(90) as i64);
        match self.rng.below(100) {
            0..=17 => self.new_order(),
            18..=39 => self.add_item(),
            40..=49 => self.confirm_order(),
            50..=55 => self.ship_or_cancel(),
            56..=59 if self.accounts.len() < accounts_for(self.target) => self.open_account(),
            56..=77 => self.deposit(),
            78..=93 => self.withdraw(),
            94..=96 => self.restock(),
            _ => self.change_price(),
        }
    }

    fn new_order(&mut self) {
        // A handful of baskets are open at a time, as in a small shop.
        if self.drafts.len() >= 6 {
            return self.add_item();
        }
        self.orders_made += 1;
        let id = format!("order-{:05}", self.orders_made);
        let customer = CUSTOMERS[self.rng.below(CUSTOMERS.len())];
        if self.send("Order", &id, json!({ "command_type": "CreateOrder", "data": { "customer_name": customer } }), 2) {
            self.drafts.push((id, Vec::new()));
        }
    }

    fn add_item(&mut self) {
        if self.drafts.is_empty() {
            return self.new_order();
        }
        if self.drafts[0].1.len() >= 4 {
            return self.confirm_order();
        }
        let at = self.rng.below(self.drafts.len());
        let product = self.rng.below(PRODUCTS.len());
        let quantity = 1 + self.rng.below(3) as u32;
        let (id, lines) = &self.drafts[at];
        // An order keeps the price it first saw for a product.
        let price = lines.iter().find(|line| line.0 == product).map_or(self.prices[product], |line| line.2);
        let id = id.clone();
        let command = json!({ "command_type": "AddItem", "data": { "product_name": PRODUCTS[product].0, "quantity": quantity, "unit_price_cents": price } });
        if self.send("Order", &id, command, 2) {
            self.drafts[at].1.push((product, quantity, price));
        }
    }

    /// Confirms a filled order and reserves its lines in the warehouse.
    fn confirm_order(&mut self) {
        let Some(at) = self.drafts.iter().position(|(_, lines)| !lines.is_empty()) else {
            return self.add_item();
        };
        let (id, lines) = self.drafts.remove(at);
        if !self.send("Order", &id, json!({ "command_type": "ConfirmOrder", "data": {} }), 2) {
            return;
        }
        for &(product, quantity, _) in &lines {
            let sku = PRODUCTS[product].0;
            let reserve = json!({ "command_type": "ReserveStock", "data": { "order_id": id, "quantity": quantity } });
            if !self.send("Inventory", sku, reserve.clone(), 1) {
                self.send("Inventory", sku, json!({ "command_type": "ReceiveStock", "data": { "sku": sku, "quantity": 500 } }), 1);
                self.send("Inventory", sku, reserve, 1);
            }
        }
        self.confirmed.push((id, lines));
        // The warehouse keeps up: a few orders wait to ship, never a pile.
        if self.confirmed.len() > 8 {
            self.ship_or_cancel();
        }
    }

    /// Ships most confirmed orders; cancels a few and releases their stock.
    fn ship_or_cancel(&mut self) {
        if self.confirmed.is_empty() {
            return self.confirm_order();
        }
        let (id, lines) = self.confirmed.remove(0);
        if self.rng.chance(90) {
            self.send("Order", &id, json!({ "command_type": "ShipOrder", "data": {} }), 0);
        } else if self.send("Order", &id, json!({ "command_type": "CancelOrder", "data": { "reason": "the customer changed their mind" } }), 2) {
            let mut skus: Vec<&str> = lines.iter().map(|line| PRODUCTS[line.0].0).collect();
            skus.sort_unstable();
            skus.dedup();
            for sku in skus {
                self.send("Inventory", sku, json!({ "command_type": "ReleaseStock", "data": { "order_id": id } }), 1);
            }
        }
    }

    fn open_account(&mut self) {
        let id = format!("acct-{:04}", self.accounts.len() + 1);
        let owner = CUSTOMERS[self.accounts.len() % CUSTOMERS.len()];
        let opening = 10_000 + 1_000 * self.rng.below(90) as i64;
        let command = json!({ "command_type": "CreateAccount", "data": { "owner": owner, "initial_balance": opening } });
        if self.send("Account", &id, command, 2) {
            self.accounts.push(id);
        }
    }

    fn deposit(&mut self) {
        if self.accounts.is_empty() {
            return self.open_account();
        }
        let id = self.accounts[self.rng.below(self.accounts.len())].clone();
        let (amount, description) = if self.rng.chance(15) { (250_000, "salary") } else { (500 + 100 * self.rng.below(200) as i64, "top-up") };
        self.send("Account", &id, json!({ "command_type": "DepositMoney", "data": { "amount": amount, "description": description } }), 2);
    }

    fn withdraw(&mut self) {
        if self.accounts.is_empty() {
            return self.open_account();
        }
        let id = self.accounts[self.rng.below(self.accounts.len())].clone();
        let amount = 300 + 100 * self.rng.below(150) as i64;
        // Refused when the balance is short: then nothing is recorded, as in the lab.
        self.send("Account", &id, json!({ "command_type": "WithdrawMoney", "data": { "amount": amount, "description": "purchase" } }), 2);
    }

    fn restock(&mut self) {
        let sku = PRODUCTS[self.rng.below(PRODUCTS.len())].0;
        self.send("Inventory", sku, json!({ "command_type": "ReceiveStock", "data": { "sku": sku, "quantity": 200 } }), 1);
    }

    fn change_price(&mut self) {
        let product = self.rng.below(PRODUCTS.len());
        let base = PRODUCTS[product].1;
        let new_price = base * (90 + self.rng.below(25) as i64) / 100;
        if new_price != self.prices[product]
            && self.send("Product", PRODUCTS[product].0, json!({ "command_type": "UpdatePrice", "data": { "new_price": new_price } }), 0)
        {
            self.prices[product] = new_price;
        }
    }

    /// Decides one command on its stream and records what it decided; `user` is
    /// the index in [`USERS`] of who sends it. Returns whether it was accepted.
    fn send(&mut self, stream_type: &str, aggregate_id: &str, command: Value, user: usize) -> bool {
        let envelope = crate::event_sourcing::envelope::CommandEnvelope {
            command_type: command["command_type"].as_str().unwrap_or_default().to_owned(),
            aggregate_id: aggregate_id.to_owned(),
            data: command["data"].clone(),
            expected_version: None,
            metadata: Default::default(),
        };
        let Ok(command) = Command::parse(&envelope) else { return false };
        let stream_id = format!("{stream_type}-{aggregate_id}");
        let Some(fresh) = AggregateState::initial(stream_type) else { return false };
        let (state, version) = self.streams.entry(stream_id.clone()).or_insert((fresh, 0));
        let Ok(decided) = command.decide_on(Some(state)) else { return false };
        let command_id = self.rng.uuid();
        for event in decided {
            *version += 1;
            self.events.push(RecordedEvent {
                event_id: self.rng.uuid().into(),
                stream_id: stream_id.as_str().into(),
                stream_type: stream_type.into(),
                stream_version: *version,
                position: self.events.len() as u64 + 1,
                event_type: event.event_type().into(),
                schema_version: event.schema_version(),
                data: event.data(),
                metadata: EventMetadata {
                    correlation_id: command_id.as_str().into(),
                    causation_id: command_id.as_str().into(),
                    recorded_at: self.now,
                    actor: USERS[user].name.into(),
                },
                checksum: None,
                stream_number: None,
            });
            *state = std::mem::replace(state, AggregateState::Order(None)).evolve(&event);
        }
        true
    }
}

/// When a demo history starts: a fixed day, so the same seed gives the same file.
pub fn demo_start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-09-01T09:00:00Z").map(|at| at.with_timezone(&Utc)).unwrap_or_default()
}
