//! Forms for the account commands of seeds 003 and 004.

use leptos::prelude::*;
use serde_json::json;

use super::form::{dispatch, number, AggregatePicker, Field};
use super::session::use_session;

#[component]
pub fn AccountCommands() -> impl IntoView {
    let session = use_session();
    let busy = session.sending;
    let new_id = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let initial = RwSignal::new("0".to_owned());
    let account = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let transfer_to = RwSignal::new(String::new());
    let transfer_amount = RwSignal::new(String::new());

    let create = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let id = new_id.get_untracked().trim().to_owned();
        let data = json!({ "account_id": id, "owner": owner.get_untracked(), "initial_balance": number(&initial.get_untracked()) });
        dispatch(session, "CreateAccount", id.clone(), data, move || {
            account.set(id);
            new_id.set(String::new());
            owner.set(String::new());
        });
    };
    let move_money = move |command_type: &'static str| {
        let description = description.get_untracked();
        let mut data = json!({ "amount": number(&amount.get_untracked()) });
        if !description.trim().is_empty() {
            data["description"] = json!(description.trim());
        }
        dispatch(session, command_type, account.get_untracked(), data, move || amount.set(String::new()));
    };

    let transfer = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let data = json!({ "to_account": transfer_to.get_untracked().trim(), "amount": number(&transfer_amount.get_untracked()) });
        dispatch(session, "TransferMoney", account.get_untracked(), data, move || transfer_amount.set(String::new()));
    };

    view! {
        <section class="command-forms" aria-label="Account commands">
            <form class="command" on:submit=create data-testid="form-create-account">
                <h3>"CreateAccount"</h3>
                <div class="row">
                    <Field label="Account id" testid="account-id" value=new_id placeholder="acc-123"/>
                    <Field label="Owner" testid="account-owner" value=owner placeholder="John Doe"/>
                </div>
                <div class="row">
                    <Field label="Initial balance" testid="initial-balance" value=initial numeric=true/>
                    <button type="submit" disabled=move || busy.get() data-testid="create-account">"Create"</button>
                </div>
            </form>
            <div class="command">
                <h3>"DepositMoney · WithdrawMoney"</h3>
                <AggregatePicker label="Account" testid="account-picker" stream_type="Account" value=account session=session/>
                <div class="row">
                    <Field label="Amount" testid="amount" value=amount numeric=true placeholder="500"/>
                    <Field label="For (optional)" testid="money-description" value=description placeholder="purchase"/>
                </div>
                <div class="row">
                    <button data-testid="deposit" disabled=move || busy.get() || account.get().is_empty()
                        on:click=move |_| move_money("DepositMoney")>"Deposit"</button>
                    <button data-testid="withdraw" disabled=move || busy.get() || account.get().is_empty()
                        on:click=move |_| move_money("WithdrawMoney")>"Withdraw"</button>
                </div>
            </div>
            <form class="command" on:submit=transfer data-testid="form-transfer">
                <h3>"TransferMoney (a saga)"</h3>
                <div class="row">
                    <Field label="To account" testid="transfer-to" value=transfer_to placeholder="acc-456"/>
                    <Field label="Amount" testid="transfer-amount" value=transfer_amount numeric=true/>
                    <button type="submit" data-testid="transfer" disabled=move || busy.get() || account.get().is_empty()>"Transfer"</button>
                </div>
                <p class="panel-note">"From the account chosen above: withdraw, deposit, and a refund if the deposit is refused."</p>
            </form>
        </section>
    }
}
