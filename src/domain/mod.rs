//! Pure business rules: one aggregate per file, who may send what
//! (`authorization.rs`), and the routing of envelopes into aggregates.

pub mod account;
pub mod authorization;
pub mod fulfillment;
pub mod inventory;
pub mod order;
pub mod product;
pub mod transfer;

use serde_json::{json, Value};

use crate::event_sourcing::aggregate::{execute, Aggregate, DecodeError, DomainEvent};
use crate::event_sourcing::envelope::{CommandEnvelope, ErrorBody};
use crate::event_sourcing::json_text::JsonText;
use crate::event_sourcing::recorded::RecordedEvent;
use crate::event_sourcing::snapshot::Snapshot;
use account::{Account, AccountCommand, AccountEvent};
use inventory::{InventoryCommand, InventoryEvent, InventoryItem};
use order::{Order, OrderCommand, OrderEvent};
use fulfillment::{Fulfillment, FulfillmentCommand, FulfillmentEvent};
use product::{Product, ProductCommand, ProductEvent};
use transfer::{Transfer, TransferCommand, TransferEvent};

const ORDER: &str = <Order as Aggregate>::STREAM_TYPE;
const ACCOUNT: &str = <Account as Aggregate>::STREAM_TYPE;
const INVENTORY: &str = <InventoryItem as Aggregate>::STREAM_TYPE;
const PRODUCT: &str = <Product as Aggregate>::STREAM_TYPE;
const TRANSFER: &str = <Transfer as Aggregate>::STREAM_TYPE;
const FULFILLMENT: &str = <Fulfillment as Aggregate>::STREAM_TYPE;

/// Every command type the lab accepts, with the stream type it acts on.
pub const COMMAND_TYPES: &[(&str, &str)] = &[
    ("CreateOrder", ORDER),
    ("AddItem", ORDER),
    ("RemoveItem", ORDER),
    ("ConfirmOrder", ORDER),
    ("MarkReadyToShip", ORDER),
    ("ShipOrder", ORDER),
    ("CancelOrder", ORDER),
    ("CreateAccount", ACCOUNT),
    ("DepositMoney", ACCOUNT),
    ("WithdrawMoney", ACCOUNT),
    // Addressed to the source account; starts a transfer saga on its own stream.
    ("TransferMoney", TRANSFER),
    ("ReceiveStock", INVENTORY),
    ("ReserveStock", INVENTORY),
    ("ReleaseStock", INVENTORY),
    ("CreateProduct", PRODUCT),
    ("UpdatePrice", PRODUCT),
];

/// Every event type, per stream type.
pub const EVENT_TYPES: &[(&str, &str)] = &[
    ("OrderCreated", ORDER),
    ("ItemAdded", ORDER),
    ("ItemRemoved", ORDER),
    ("OrderConfirmed", ORDER),
    ("OrderReadyToShip", ORDER),
    ("OrderShipped", ORDER),
    ("OrderCancelled", ORDER),
    ("AccountCreated", ACCOUNT),
    ("MoneyDeposited", ACCOUNT),
    ("MoneyWithdrawn", ACCOUNT),
    ("StockReceived", INVENTORY),
    ("StockReserved", INVENTORY),
    ("StockReleased", INVENTORY),
    ("ProductCreated", PRODUCT),
    ("PriceUpdated", PRODUCT),
    ("TransferStarted", TRANSFER),
    ("TransferWithdrawn", TRANSFER),
    ("TransferCompleted", TRANSFER),
    ("TransferCompensating", TRANSFER),
    ("TransferCompensated", TRANSFER),
    ("TransferFailed", TRANSFER),
    ("FulfillmentStarted", FULFILLMENT),
    ("LineReserved", FULFILLMENT),
    ("FulfillmentCompensating", FULFILLMENT),
    ("LineReleased", FULFILLMENT),
    ("FulfillmentCompleted", FULFILLMENT),
    ("FulfillmentCancelled", FULFILLMENT),
];

/// A typed command for one of the lab's aggregates.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Order(OrderCommand),
    Account(AccountCommand),
    Inventory(InventoryCommand),
    Product(ProductCommand),
    /// A saga's own stream: started by `TransferMoney`, moved on by the saga runner.
    Transfer(TransferCommand),
    Fulfillment(FulfillmentCommand),
}

impl Command {
    /// Reads the typed command out of an envelope: `unknown_command` or `invalid_data` when it can't.
    pub fn parse(envelope: &CommandEnvelope) -> Result<Command, ErrorBody> {
        let Some(stream_type) = stream_type_of(&envelope.command_type) else {
            let known: Vec<&str> = COMMAND_TYPES.iter().map(|(name, _)| *name).collect();
            return Err(ErrorBody::new(
                "unknown_command",
                format!("`{}` is not a command; known commands: {}", envelope.command_type, known.join(", ")),
            ));
        };
        let mut data = envelope.data.clone();
        if envelope.command_type == "TransferMoney" {
            // The sender addresses TransferMoney to the source account.
            data["from_account"] = json!(envelope.aggregate_id);
        }
        let tagged = json!({ "command_type": envelope.command_type, "data": data });
        let invalid = |error: serde_json::Error| {
            ErrorBody::new("invalid_data", format!("{}: {error}", envelope.command_type))
        };
        match stream_type {
            ORDER => serde_json::from_value(tagged).map(Command::Order),
            ACCOUNT => serde_json::from_value(tagged).map(Command::Account),
            INVENTORY => serde_json::from_value(tagged).map(Command::Inventory),
            PRODUCT => serde_json::from_value(tagged).map(Command::Product),
            TRANSFER => serde_json::from_value(tagged).map(Command::Transfer),
            other => unreachable!("no aggregate for stream type {other}"),
        }
        .map_err(invalid)
    }

    /// The stream type the command acts on.
    pub fn stream_type(&self) -> &'static str {
        match self {
            Command::Order(_) => ORDER,
            Command::Account(_) => ACCOUNT,
            Command::Inventory(_) => INVENTORY,
            Command::Product(_) => PRODUCT,
            Command::Transfer(_) => TRANSFER,
            Command::Fulfillment(_) => FULFILLMENT,
        }
    }

    /// Whether the command starts something new whose id the lab chooses (a transfer),
    /// rather than acting on the aggregate the envelope names.
    pub fn starts_new_stream(&self) -> bool {
        matches!(self, Command::Transfer(TransferCommand::TransferMoney { .. }))
    }

    /// Decides the command on its stream's state: a snapshot plus the events after
    /// it, or a full fold; `None` (or a state of another aggregate) is "not created yet".
    pub fn decide_on(&self, state: Option<&AggregateState>) -> Result<Vec<Event>, ErrorBody> {
        fn on<A: Aggregate>(state: Option<&A::State>, command: &A::Command, wrap: impl Fn(A::Event) -> Event) -> Result<Vec<Event>, ErrorBody> {
            let fresh = A::State::default();
            execute::<A>(state.unwrap_or(&fresh), command).map(|events| events.into_iter().map(wrap).collect())
        }
        use AggregateState as S;
        match self {
            Command::Order(command) => on::<Order>(if let Some(S::Order(s)) = state { Some(s) } else { None }, command, Event::Order),
            Command::Account(command) => {
                on::<Account>(if let Some(S::Account(s)) = state { Some(s) } else { None }, command, Event::Account)
            }
            Command::Inventory(command) => {
                on::<InventoryItem>(if let Some(S::Inventory(s)) = state { Some(s) } else { None }, command, Event::Inventory)
            }
            Command::Product(command) => {
                on::<Product>(if let Some(S::Product(s)) = state { Some(s) } else { None }, command, Event::Product)
            }
            Command::Transfer(command) => {
                on::<Transfer>(if let Some(S::Transfer(s)) = state { Some(s) } else { None }, command, Event::Transfer)
            }
            Command::Fulfillment(command) => {
                on::<Fulfillment>(if let Some(S::Fulfillment(s)) = state { Some(s) } else { None }, command, Event::Fulfillment)
            }
        }
    }

    /// Checks the input before any aggregate sees it: what the validation middleware
    /// refuses as `invalid`. The aggregates keep their own rules (a command that skips
    /// this check is still `rejected` by them); this only catches bad input early.
    pub fn validate(&self, aggregate_id: &str) -> Result<(), ErrorBody> {
        let mut problems: Vec<String> = Vec::new();
        let mut require = |ok: bool, problem: &str| {
            if !ok {
                problems.push(problem.to_owned());
            }
        };
        let filled = |text: &str| !text.trim().is_empty();
        match self {
            Command::Order(command) => match command {
                OrderCommand::CreateOrder { customer_name } => require(filled(customer_name), "customer_name must not be empty"),
                OrderCommand::AddItem { product_name, quantity, unit_price_cents } => {
                    require(filled(product_name), "product_name must not be empty");
                    require(*quantity >= 1, "quantity must be at least 1");
                    require(*unit_price_cents >= 0, "unit_price_cents must not be negative");
                }
                OrderCommand::RemoveItem { product_name } => require(filled(product_name), "product_name must not be empty"),
                OrderCommand::CancelOrder { reason } => require(filled(reason), "reason must not be empty"),
                OrderCommand::ConfirmOrder {} | OrderCommand::MarkReadyToShip {} | OrderCommand::ShipOrder {} => {}
            },
            Command::Account(command) => {
                if let Some(given) = command.account_id() {
                    require(given == aggregate_id, "account_id in data must be the aggregate_id");
                }
                match command {
                    AccountCommand::CreateAccount { owner, initial_balance, .. } => {
                        require(filled(owner), "owner must not be empty");
                        require(*initial_balance >= 0, "initial_balance must not be negative");
                    }
                    AccountCommand::DepositMoney { amount, .. } | AccountCommand::WithdrawMoney { amount, .. } => {
                        require(*amount > 0, "amount must be more than 0");
                    }
                }
            }
            Command::Inventory(command) => match command {
                InventoryCommand::ReceiveStock { sku, quantity, .. } => {
                    require(sku == aggregate_id, "sku in data must be the aggregate_id");
                    require(*quantity >= 1, "quantity must be at least 1");
                }
                InventoryCommand::ReserveStock { order_id, quantity } => {
                    require(filled(order_id), "order_id must not be empty");
                    require(*quantity >= 1, "quantity must be at least 1");
                }
                InventoryCommand::ReleaseStock { order_id } => require(filled(order_id), "order_id must not be empty"),
            },
            Command::Product(command) => match command {
                ProductCommand::CreateProduct { name, price, category_id } => {
                    require(filled(name), "name must not be empty");
                    require(*price > 0, "price must be more than 0");
                    require(filled(category_id), "category_id must not be empty");
                }
                ProductCommand::UpdatePrice { new_price } => require(*new_price > 0, "new_price must be more than 0"),
            },
            Command::Transfer(TransferCommand::TransferMoney { from_account, to_account, amount }) => {
                require(filled(to_account), "to_account must not be empty");
                require(to_account != from_account, "to_account must be another account");
                require(*amount > 0, "amount must be more than 0");
            }
            Command::Transfer(_) | Command::Fulfillment(_) => {}
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ErrorBody::new("validation_failed", problems.join("; ")))
        }
    }
}

/// The stream type a command type acts on.
pub fn stream_type_of(command_type: &str) -> Option<&'static str> {
    COMMAND_TYPES.iter().find(|(name, _)| *name == command_type).map(|(_, stream_type)| *stream_type)
}

/// A typed event of any of the lab's aggregates.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Order(OrderEvent),
    Account(AccountEvent),
    Inventory(InventoryEvent),
    Product(ProductEvent),
    Transfer(TransferEvent),
    Fulfillment(FulfillmentEvent),
}

impl Event {
    /// Reads a recorded event as the typed event of its stream type.
    pub fn decode(recorded: &RecordedEvent) -> Result<Event, DecodeError> {
        let (event_type, version, data) = (recorded.event_type.as_str(), recorded.schema_version, &recorded.data);
        match recorded.stream_type.as_str() {
            ORDER => OrderEvent::from_recorded(event_type, version, data).map(Event::Order),
            ACCOUNT => AccountEvent::from_recorded(event_type, version, data).map(Event::Account),
            INVENTORY => InventoryEvent::from_recorded(event_type, version, data).map(Event::Inventory),
            PRODUCT => ProductEvent::from_recorded(event_type, version, data).map(Event::Product),
            TRANSFER => TransferEvent::from_recorded(event_type, version, data).map(Event::Transfer),
            FULFILLMENT => FulfillmentEvent::from_recorded(event_type, version, data).map(Event::Fulfillment),
            other => Err(DecodeError {
                event_type: recorded.event_type.to_string(),
                message: format!("unknown stream type `{other}`"),
            }),
        }
    }

    fn inner(&self) -> &dyn ErasedEvent {
        match self {
            Event::Order(event) => event,
            Event::Account(event) => event,
            Event::Inventory(event) => event,
            Event::Product(event) => event,
            Event::Transfer(event) => event,
            Event::Fulfillment(event) => event,
        }
    }

    pub fn event_type(&self) -> &'static str {
        self.inner().event_type()
    }

    pub fn schema_version(&self) -> u32 {
        self.inner().schema_version()
    }

    pub fn data(&self) -> JsonText {
        self.inner().to_data()
    }

    /// Whether this event starts or moves on a saga (its stream is a saga's own).
    pub fn is_saga_event(&self) -> bool {
        matches!(self, Event::Transfer(_) | Event::Fulfillment(_))
    }

    /// Whether this event ends its saga: nothing is left for the saga runner to do.
    pub fn ends_saga(&self) -> bool {
        matches!(
            self,
            Event::Transfer(
                TransferEvent::TransferCompleted { .. } | TransferEvent::TransferCompensated { .. } | TransferEvent::TransferFailed { .. }
            ) | Event::Fulfillment(FulfillmentEvent::FulfillmentCompleted {} | FulfillmentEvent::FulfillmentCancelled {})
        )
    }

    pub fn as_order(&self) -> Option<&OrderEvent> {
        if let Event::Order(event) = self { Some(event) } else { None }
    }

    pub fn as_account(&self) -> Option<&AccountEvent> {
        if let Event::Account(event) = self { Some(event) } else { None }
    }

    pub fn as_inventory(&self) -> Option<&InventoryEvent> {
        if let Event::Inventory(event) = self { Some(event) } else { None }
    }

    pub fn as_product(&self) -> Option<&ProductEvent> {
        if let Event::Product(event) = self { Some(event) } else { None }
    }

    pub fn as_transfer(&self) -> Option<&TransferEvent> {
        if let Event::Transfer(event) = self { Some(event) } else { None }
    }

    pub fn as_fulfillment(&self) -> Option<&FulfillmentEvent> {
        if let Event::Fulfillment(event) = self { Some(event) } else { None }
    }
}

/// The object-safe part of [`DomainEvent`], so `Event` can delegate without a match per method.
trait ErasedEvent {
    fn event_type(&self) -> &'static str;
    fn schema_version(&self) -> u32;
    fn to_data(&self) -> JsonText;
}

impl<E: DomainEvent> ErasedEvent for E {
    fn event_type(&self) -> &'static str {
        DomainEvent::event_type(self)
    }
    fn schema_version(&self) -> u32 {
        DomainEvent::schema_version(self)
    }
    fn to_data(&self) -> JsonText {
        DomainEvent::to_data(self)
    }
}

/// The write-model state of one stream, typed: what commands are decided on and
/// what snapshots hold.
#[derive(Debug, Clone, PartialEq)]
pub enum AggregateState {
    Order(<Order as Aggregate>::State),
    Account(<Account as Aggregate>::State),
    Inventory(<InventoryItem as Aggregate>::State),
    Product(<Product as Aggregate>::State),
    Transfer(<Transfer as Aggregate>::State),
    Fulfillment(<Fulfillment as Aggregate>::State),
}

impl AggregateState {
    /// The state of a stream of this type before its first event; `None` for an unknown type.
    pub fn initial(stream_type: &str) -> Option<AggregateState> {
        Some(match stream_type {
            ORDER => AggregateState::Order(Default::default()),
            ACCOUNT => AggregateState::Account(Default::default()),
            INVENTORY => AggregateState::Inventory(Default::default()),
            PRODUCT => AggregateState::Product(Default::default()),
            TRANSFER => AggregateState::Transfer(Default::default()),
            FULFILLMENT => AggregateState::Fulfillment(Default::default()),
            _ => return None,
        })
    }

    /// Applies one event of the stream (an event of another aggregate changes nothing).
    pub fn evolve(self, event: &Event) -> AggregateState {
        match (self, event) {
            (AggregateState::Order(state), Event::Order(event)) => AggregateState::Order(Order::evolve(state, event)),
            (AggregateState::Account(state), Event::Account(event)) => AggregateState::Account(Account::evolve(state, event)),
            (AggregateState::Inventory(state), Event::Inventory(event)) => {
                AggregateState::Inventory(InventoryItem::evolve(state, event))
            }
            (AggregateState::Product(state), Event::Product(event)) => AggregateState::Product(Product::evolve(state, event)),
            (AggregateState::Transfer(state), Event::Transfer(event)) => {
                AggregateState::Transfer(Transfer::evolve(state, event))
            }
            (AggregateState::Fulfillment(state), Event::Fulfillment(event)) => {
                AggregateState::Fulfillment(Fulfillment::evolve(state, event))
            }
            (state, _) => state,
        }
    }

    /// Folds `history` onto this state.
    pub fn fold<'a>(self, history: impl IntoIterator<Item = &'a Event>) -> AggregateState {
        history.into_iter().fold(self, AggregateState::evolve)
    }

    /// The state as JSON (`null` before creation): the write-model panel and `kiroku.replay`.
    pub fn to_value(&self) -> Value {
        let value = match self {
            AggregateState::Order(state) => serde_json::to_value(state),
            AggregateState::Account(state) => serde_json::to_value(state),
            AggregateState::Inventory(state) => serde_json::to_value(state),
            AggregateState::Product(state) => serde_json::to_value(state),
            AggregateState::Transfer(state) => serde_json::to_value(state),
            AggregateState::Fulfillment(state) => serde_json::to_value(state),
        };
        value.unwrap_or(Value::Null)
    }

    /// A snapshot of this state, taken right after `stream_version` (at `position`).
    pub fn snapshot(&self, stream_id: &str, stream_version: u64, position: u64) -> Option<Snapshot> {
        match self {
            AggregateState::Order(state) => Snapshot::take::<Order>(stream_id, stream_version, position, state),
            AggregateState::Account(state) => Snapshot::take::<Account>(stream_id, stream_version, position, state),
            AggregateState::Inventory(state) => Snapshot::take::<InventoryItem>(stream_id, stream_version, position, state),
            AggregateState::Product(state) => Snapshot::take::<Product>(stream_id, stream_version, position, state),
            AggregateState::Transfer(state) => Snapshot::take::<Transfer>(stream_id, stream_version, position, state),
            AggregateState::Fulfillment(state) => Snapshot::take::<Fulfillment>(stream_id, stream_version, position, state),
        }
    }

    /// The state a snapshot holds; `None` when its schema no longer matches the
    /// aggregate's state (or it is not one of the lab's aggregates).
    pub fn restore(snapshot: &Snapshot) -> Option<AggregateState> {
        Some(match snapshot.stream_type.as_str() {
            ORDER => AggregateState::Order(snapshot.restore::<Order>()?),
            ACCOUNT => AggregateState::Account(snapshot.restore::<Account>()?),
            INVENTORY => AggregateState::Inventory(snapshot.restore::<InventoryItem>()?),
            PRODUCT => AggregateState::Product(snapshot.restore::<Product>()?),
            TRANSFER => AggregateState::Transfer(snapshot.restore::<Transfer>()?),
            FULFILLMENT => AggregateState::Fulfillment(snapshot.restore::<Fulfillment>()?),
            _ => return None,
        })
    }
}
