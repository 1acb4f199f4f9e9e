//! Leptos components, one per file. They show what the lab answers and send what
//! the user asks; business rules stay in the core.

pub mod aggregate_panel;
pub mod app;
pub mod command_result;
pub mod format;
pub mod inspector;
pub mod order_commands;
pub mod order_details;
pub mod order_summary;
pub mod session;
pub mod timeline;
pub mod workspace;

pub use app::App;
