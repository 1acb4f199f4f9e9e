//! The product of seed 002: a catalogue entry with a price that changes over time.
//! A price is integer minor units and always above zero.

use serde::{Deserialize, Serialize};

use crate::event_sourcing::aggregate::{adjacent_data, from_adjacent, Aggregate, DecodeError, DomainEvent, Rejection};
use crate::event_sourcing::json_text::JsonText;

pub struct Product;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command_type", content = "data")]
pub enum ProductCommand {
    CreateProduct { name: String, price: i64, category_id: String },
    UpdatePrice { new_price: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum ProductEvent {
    ProductCreated { name: String, price: i64, category_id: String },
    PriceUpdated { old_price: i64, new_price: i64 },
}

impl DomainEvent for ProductEvent {
    fn event_type(&self) -> &'static str {
        match self {
            ProductEvent::ProductCreated { .. } => "ProductCreated",
            ProductEvent::PriceUpdated { .. } => "PriceUpdated",
        }
    }

    fn to_data(&self) -> JsonText {
        adjacent_data(self)
    }

    fn from_recorded(event_type: &str, _schema_version: u32, data: &JsonText) -> Result<Self, DecodeError> {
        from_adjacent(event_type, data)
    }
}

/// The write model of one product. `None` is "not created yet".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductState {
    pub name: String,
    pub price: i64,
    pub category_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductRejection {
    AlreadyExists,
    NotFound,
    NameRequired,
    InvalidPrice { price: i64 },
    PriceUnchanged { price: i64 },
}

impl Rejection for ProductRejection {
    fn code(&self) -> &'static str {
        match self {
            ProductRejection::AlreadyExists => "already_exists",
            ProductRejection::NotFound => "not_found",
            ProductRejection::NameRequired => "name_required",
            ProductRejection::InvalidPrice { .. } => "invalid_price",
            ProductRejection::PriceUnchanged { .. } => "price_unchanged",
        }
    }
}

impl std::fmt::Display for ProductRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProductRejection::AlreadyExists => write!(f, "This product already exists."),
            ProductRejection::NotFound => write!(f, "There is no such product: create it first."),
            ProductRejection::NameRequired => write!(f, "A product needs a name."),
            ProductRejection::InvalidPrice { price } => write!(f, "A price must be more than 0 (got {price})."),
            ProductRejection::PriceUnchanged { price } => write!(f, "The price is already {price}."),
        }
    }
}

impl Aggregate for Product {
    const STREAM_TYPE: &'static str = "Product";
    type State = Option<ProductState>;
    type Command = ProductCommand;
    type Event = ProductEvent;
    type Rejection = ProductRejection;

    fn decide(state: &Self::State, command: &ProductCommand) -> Result<Vec<ProductEvent>, ProductRejection> {
        use ProductRejection as R;
        match (state, command) {
            (Some(_), ProductCommand::CreateProduct { .. }) => Err(R::AlreadyExists),
            (None, ProductCommand::CreateProduct { name, price, category_id }) => {
                if name.trim().is_empty() {
                    return Err(R::NameRequired);
                }
                if *price <= 0 {
                    return Err(R::InvalidPrice { price: *price });
                }
                Ok(vec![ProductEvent::ProductCreated {
                    name: name.trim().to_owned(),
                    price: *price,
                    category_id: category_id.clone(),
                }])
            }
            (None, ProductCommand::UpdatePrice { .. }) => Err(R::NotFound),
            (Some(product), ProductCommand::UpdatePrice { new_price }) => {
                if *new_price <= 0 {
                    return Err(R::InvalidPrice { price: *new_price });
                }
                if *new_price == product.price {
                    return Err(R::PriceUnchanged { price: *new_price });
                }
                Ok(vec![ProductEvent::PriceUpdated { old_price: product.price, new_price: *new_price }])
            }
        }
    }

    fn evolve(state: Self::State, event: &ProductEvent) -> Self::State {
        match (state, event) {
            (_, ProductEvent::ProductCreated { name, price, category_id }) => {
                Some(ProductState { name: name.clone(), price: *price, category_id: category_id.clone() })
            }
            (None, _) => None,
            (Some(product), ProductEvent::PriceUpdated { new_price, .. }) => {
                Some(ProductState { price: *new_price, ..product })
            }
        }
    }
}
