//! A JSON console in the page: type a command or query envelope (CONTRACT §2), send
//! it through the same buses as the forms, read the answer. Examples from the seeds
//! fill it in; what was typed stays until it is replaced.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{json, Value};

use super::format::pretty;
use super::session::use_session;

/// Seed examples: a name and the envelope it fills in.
fn examples() -> Vec<(&'static str, Value)> {
    vec![
        ("seed 004 · CreateAccount acc-123", json!({"command_type": "CreateAccount", "aggregate_id": "acc-123", "data": {"account_id": "acc-123", "owner": "John Doe", "initial_balance": 1000}})),
        ("seed 004 · DepositMoney 500", json!({"command_type": "DepositMoney", "aggregate_id": "acc-123", "data": {"account_id": "acc-123", "amount": 500}})),
        ("seed 004 · GetAccountBalance", json!({"query_type": "GetAccountBalance", "filters": {"account_id": "acc-123"}, "projection": "account_balance"})),
        ("seed 004 · WithdrawMoney 5000 (refused)", json!({"command_type": "WithdrawMoney", "aggregate_id": "acc-123", "data": {"account_id": "acc-123", "amount": 5000}})),
        ("seed 003 · register Taro", json!({"command_type": "CreateAccount", "aggregate_id": "user-12345", "data": {"owner": "Taro", "initial_balance": 0}})),
        ("seed 003 · deposit 10000", json!({"command_type": "DepositMoney", "aggregate_id": "user-12345", "data": {"amount": 10000}})),
        ("seed 003 · purchase 5000", json!({"command_type": "WithdrawMoney", "aggregate_id": "user-12345", "data": {"amount": 5000, "description": "purchase"}})),
        ("seed 002 · CreateProduct", json!({"command_type": "CreateProduct", "aggregate_id": "prod-1", "data": {"name": "ノートPC", "price": 120000, "category_id": "pc"}})),
        ("seed 002 · UpdatePrice 0 (refused)", json!({"command_type": "UpdatePrice", "aggregate_id": "prod-1", "data": {"new_price": 0}})),
        ("inventory · ReceiveStock", json!({"command_type": "ReceiveStock", "aggregate_id": "PC-001", "data": {"sku": "PC-001", "quantity": 6, "low_stock_threshold": 5}})),
        ("inventory · ReserveStock", json!({"command_type": "ReserveStock", "aggregate_id": "PC-001", "data": {"order_id": "order-1", "quantity": 2}})),
        ("GetInventory", json!({"query_type": "GetInventory", "filters": {}})),
        ("ListOrders", json!({"query_type": "ListOrders", "filters": {}})),
        ("GetProjectionStatus", json!({"query_type": "GetProjectionStatus", "filters": {}})),
    ]
}

/// One exchange: what was sent, what came back.
#[derive(Clone, PartialEq)]
struct Exchange {
    sequence: usize,
    input: String,
    output: String,
    status: String,
}

#[component]
pub fn JsonConsole() -> impl IntoView {
    let session = use_session();
    let text = RwSignal::new(pretty(&examples()[0].1));
    let history = RwSignal::new(Vec::<Exchange>::new());

    let run = move || {
        let input = text.get_untracked();
        let record = move |output: Value| {
            let status = output.get("status").and_then(Value::as_str).unwrap_or("").to_owned();
            history.update(|history| {
                let sequence = history.len() + 1;
                history.insert(0, Exchange { sequence, input: input.clone(), output: pretty(&output), status });
            });
        };
        let envelope: Value = match serde_json::from_str(&text.get_untracked()) {
            Ok(envelope) => envelope,
            Err(error) => {
                record(json!({ "status": "invalid", "error": { "code": "not_json", "message": format!("This is not JSON: {error}") } }));
                return;
            }
        };
        if envelope.get("query_type").is_some() {
            let result = session.query(&envelope);
            record(serde_json::to_value(&result).unwrap_or_default());
        } else {
            let command_type = envelope.get("command_type").and_then(Value::as_str).unwrap_or("command").to_owned();
            spawn_local(async move {
                let result = session.send(&command_type, envelope).await;
                record(serde_json::to_value(&result).unwrap_or_default());
            });
        }
    };

    view! {
        <section class="command-forms json-console" aria-label="JSON console">
            <label>"Example"
                <select data-testid="json-example" on:change=move |e| {
                    if let Ok(index) = event_target_value(&e).parse::<usize>() {
                        if let Some((_, envelope)) = examples().get(index) {
                            text.set(pretty(envelope));
                        }
                    }
                }>
                    {examples().into_iter().enumerate().map(|(index, (name, _))| view! { <option value=index.to_string()>{name}</option> }).collect_view()}
                </select>
            </label>
            <label>"Command or query (Ctrl+Enter sends)"
                <textarea data-testid="json-input" rows="9" spellcheck="false"
                    prop:value=move || text.get() on:input=move |e| text.set(event_target_value(&e))
                    on:keydown=move |e: leptos::ev::KeyboardEvent| {
                        if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                            e.prevent_default();
                            run();
                        }
                    }></textarea>
            </label>
            <button data-testid="json-send" disabled=move || session.sending.get() on:click=move |_| run()>"Send"</button>
            <ol class="exchanges" data-testid="json-history">
                {move || history.get().into_iter().map(|exchange| view! {
                    <li data-testid="json-output" data-seq=exchange.sequence.to_string() data-status=exchange.status.clone()>
                        <details>
                            <summary>{format!("#{} sent", exchange.sequence)}</summary>
                            <pre class="json">{exchange.input}</pre>
                        </details>
                        <pre class="json">{exchange.output}</pre>
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}
