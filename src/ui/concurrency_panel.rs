//! Optimistic concurrency, shown with two clients: each loads the same account at
//! a version and sends a withdrawal expecting that version. The first to send wins;
//! the second gets a `conflict`, writes nothing, and retries by loading again and
//! deciding on the new state (which may now refuse). Two browser tabs do the same.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;

use super::form::{number, AggregatePicker, Field};
use super::format::money;
use super::session::{use_session, Session};
use crate::event_sourcing::envelope::CommandResult;

/// What one client loaded: the account's version and balance then.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Loaded {
    version: u64,
    balance: i64,
}

#[component]
pub fn ConcurrencyPanel() -> impl IntoView {
    let session = use_session();
    let account = RwSignal::new(String::new());
    view! {
        <section class="card panel" data-testid="concurrency" aria-label="Concurrency demo">
            <header class="panel-header">
                <h2>"Two clients, one account"</h2>
                <span class="panel-note">"optimistic concurrency"</span>
            </header>
            <div class="panel-body">
                <AggregatePicker label="Account" testid="concurrency-account" stream_type="Account" value=account session=session/>
                <div class="clients">
                    <Client name="A" account=account session=session default_amount="700"/>
                    <Client name="B" account=account session=session default_amount="500"/>
                </div>
                <p class="panel-note">"Load both, then withdraw with both: the second finds the account moved on."</p>
            </div>
        </section>
    }
}

#[component]
fn Client(name: &'static str, account: RwSignal<String>, session: Session, default_amount: &'static str) -> impl IntoView {
    let loaded = RwSignal::new(None::<Loaded>);
    let amount = RwSignal::new(default_amount.to_owned());
    let outcome = RwSignal::new(None::<CommandResult>);
    // Another account chosen: what was loaded no longer applies.
    Effect::new(move |_| {
        account.track();
        loaded.set(None);
        outcome.set(None);
    });

    let load = move || {
        let stream = format!("Account-{}", account.get_untracked());
        let view = session.with_lab(|lab| lab.aggregate_at(&stream, lab.head()));
        loaded.set(view.map(|view| Loaded {
            version: view.stream_version,
            balance: view.state.get("balance").and_then(|balance| balance.as_i64()).unwrap_or(0),
        }));
        outcome.set(None);
    };
    let withdraw = move || {
        let Some(Loaded { version, .. }) = loaded.get_untracked() else { return };
        let envelope = json!({
            "command_type": "WithdrawMoney",
            "aggregate_id": account.get_untracked(),
            "data": { "amount": number(&amount.get_untracked()) },
            "expected_version": version,
            "metadata": { "actor": format!("client-{}", name.to_lowercase()) },
        });
        spawn_local(async move {
            let result = session.send("WithdrawMoney", envelope).await;
            outcome.set(Some(result));
        });
    };

    view! {
        <div class="client" data-testid=format!("client-{}", name.to_lowercase())>
            <h3>{format!("Client {name}")}</h3>
            <div class="row">
                <button class="ghost" data-testid=format!("client-{}-load", name.to_lowercase())
                    disabled=move || account.get().is_empty() on:click=move |_| load()>"Load"</button>
                <span class="loaded" data-testid=format!("client-{}-loaded", name.to_lowercase())>
                    {move || match loaded.get() {
                        Some(Loaded { version, balance }) => format!("v{version} · {}", money(balance)),
                        None => "not loaded".to_owned(),
                    }}
                </span>
            </div>
            <div class="row">
                <Field label="Withdraw" testid=if name == "A" { "client-a-amount" } else { "client-b-amount" } value=amount numeric=true/>
                <button data-testid=format!("client-{}-send", name.to_lowercase())
                    disabled=move || loaded.get().is_none() || session.sending.get() on:click=move |_| withdraw()>"Send"</button>
            </div>
            {move || outcome.get().map(|result| match result {
                CommandResult::Accepted { stream_version, .. } => view! {
                    <p class="outcome accepted" data-status="accepted">{format!("accepted: the account is now v{stream_version}")}</p>
                }.into_any(),
                CommandResult::Conflict { expected_version, actual_version } => view! {
                    <div class="outcome conflict" data-status="conflict">
                        <p>{format!("conflict: loaded v{expected_version}, but the account is at v{actual_version}. Someone else wrote first; nothing was written.")}</p>
                        <button data-testid=format!("client-{}-retry", name.to_lowercase())
                            on:click=move |_| { load(); withdraw(); }>"Reload and decide again"</button>
                    </div>
                }.into_any(),
                CommandResult::Rejected { error } | CommandResult::Invalid { error } | CommandResult::Error { error } => view! {
                    <p class="outcome rejected" data-status="rejected" data-code=error.code.clone()>{format!("{}: {}", error.code, error.message)}</p>
                }.into_any(),
            })}
        </div>
    }
}
