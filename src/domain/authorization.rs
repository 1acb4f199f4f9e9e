//! Who may send which command: the rule the authorization middleware applies.
//! A workshop switches between three users to see it refuse.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Customer,
    Clerk,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Clerk => "clerk",
            Role::Admin => "admin",
        }
    }
}

/// A person who sends commands: their name goes into each event's `actor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct User {
    pub name: &'static str,
    pub role: Role,
}

/// The people a workshop can act as. The first is who the lab starts as.
pub const USERS: &[User] = &[
    User { name: "workshop-user", role: Role::Admin },
    User { name: "clerk-sato", role: Role::Clerk },
    User { name: "customer-yamada", role: Role::Customer },
];

/// The least role that may send a command type: customers order and bank, clerks
/// also keep the warehouse and the catalogue, only admins ship and set prices.
pub fn required_role(command_type: &str) -> Role {
    match command_type {
        "ShipOrder" | "UpdatePrice" => Role::Admin,
        "ReceiveStock" | "ReserveStock" | "ReleaseStock" | "CreateProduct" | "MarkReadyToShip" => Role::Clerk,
        _ => Role::Customer,
    }
}

/// `Ok` when `user` may send `command_type`; otherwise why not.
pub fn authorize(user: &User, command_type: &str) -> Result<(), String> {
    let needed = required_role(command_type);
    if user.role >= needed {
        Ok(())
    } else {
        Err(format!(
            "{} is a {} and may not send {command_type}: it needs a {} or above.",
            user.name,
            user.role.as_str(),
            needed.as_str()
        ))
    }
}

/// Who sagas send their commands as: through the same bus and middleware as
/// people, with a clerk's role (they reserve stock and move money, never ship).
pub const SAGA_RUNNER: User = User { name: "saga-runner", role: Role::Clerk };
