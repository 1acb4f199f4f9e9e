//! The command side, one tab per domain plus the JSON console.

use leptos::prelude::*;

use super::account_commands::AccountCommands;
use super::inventory_commands::InventoryCommands;
use super::json_console::JsonConsole;
use super::order_commands::OrderCommands;
use super::product_commands::ProductCommands;
use crate::browser::preferences::{self, Preferences};

const TABS: &[(&str, &str)] =
    &[("orders", "Orders"), ("accounts", "Accounts"), ("inventory", "Stock"), ("products", "Products"), ("json", "JSON")];

#[component]
pub fn CommandTabs() -> impl IntoView {
    let open = RwSignal::new(preferences::load().command_tab.unwrap_or_else(|| "orders".to_owned()));
    let choose = move |tab: &'static str| {
        open.set(tab.to_owned());
        preferences::save(&Preferences { command_tab: Some(tab.to_owned()), ..preferences::load() });
    };
    view! {
        <section class="card command-tabs" aria-label="Commands">
            // The forms' headings (h3) sit under this one, as the panels' sit under theirs.
            <h2 class="visually-hidden">"Commands"</h2>
            <div class="tabs" role="tablist">
                {TABS.iter().map(|&(id, title)| view! {
                    <button role="tab" class="tab" data-testid=format!("tab-{id}")
                        aria-selected=move || (open.get() == id).to_string() on:click=move |_| choose(id)>{title}</button>
                }).collect_view()}
            </div>
            <div class="tab-body">
                {move || match open.get().as_str() {
                    "accounts" => view! { <AccountCommands/> }.into_any(),
                    "inventory" => view! { <InventoryCommands/> }.into_any(),
                    "products" => view! { <ProductCommands/> }.into_any(),
                    "json" => view! { <JsonConsole/> }.into_any(),
                    _ => view! { <OrderCommands/> }.into_any(),
                }}
            </div>
        </section>
    }
}
