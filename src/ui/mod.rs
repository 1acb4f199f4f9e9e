//! Leptos components, one per file. They show what the lab answers and send what
//! the user asks; business rules stay in the core.

pub mod account_commands;
pub mod aggregate_panel;
pub mod app;
pub mod broker_panel;
pub mod bus_panel;
pub mod command_result;
pub mod command_tabs;
pub mod demo_history;
pub mod concurrency_panel;
pub mod form;
pub mod format;
pub mod inspector;
pub mod inventory_commands;
pub mod json_console;
pub mod log_file;
pub mod more_rows;
pub mod order_commands;
pub mod order_details;
pub mod order_summary;
pub mod panel_picker;
pub mod product_commands;
pub mod projections_panel;
pub mod query_bus_panel;
pub mod read_model_panel;
pub mod sagas_panel;
pub mod session;
pub mod timeline;
pub mod user_switcher;
pub mod workspace;

pub use app::App;
