//! The two buses of CQRS, pure: the command bus's middleware chain (logging,
//! validation, authorization) and the query bus's result cache. The lab drives them.

pub mod command_bus;
pub mod query_bus;
