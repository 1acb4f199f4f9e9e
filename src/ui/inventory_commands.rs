//! Forms for the inventory commands: receive, reserve for an order, release.

use leptos::prelude::*;
use serde_json::json;

use super::form::{dispatch, number, AggregatePicker, Field};
use super::session::use_session;

#[component]
pub fn InventoryCommands() -> impl IntoView {
    let session = use_session();
    let busy = session.sending;
    let sku = RwSignal::new(String::new());
    let received = RwSignal::new(String::new());
    let threshold = RwSignal::new(String::new());
    let item = RwSignal::new(String::new());
    let order_id = RwSignal::new(String::new());
    let reserve_quantity = RwSignal::new("1".to_owned());

    let receive = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let sku_now = sku.get_untracked().trim().to_owned();
        let mut data = json!({ "sku": sku_now, "quantity": number(&received.get_untracked()) });
        if !threshold.get_untracked().trim().is_empty() {
            data["low_stock_threshold"] = number(&threshold.get_untracked());
        }
        dispatch(session, "ReceiveStock", sku_now.clone(), data, move || {
            item.set(sku_now);
            received.set(String::new());
        });
    };
    let reserve = move |_| {
        let data = json!({ "order_id": order_id.get_untracked().trim(), "quantity": number(&reserve_quantity.get_untracked()) });
        dispatch(session, "ReserveStock", item.get_untracked(), data, || {});
    };
    let release = move |_| {
        dispatch(session, "ReleaseStock", item.get_untracked(), json!({ "order_id": order_id.get_untracked().trim() }), || {});
    };

    view! {
        <section class="command-forms" aria-label="Inventory commands">
            <form class="command" on:submit=receive data-testid="form-receive-stock">
                <h3>"ReceiveStock"</h3>
                <div class="row">
                    <Field label="SKU" testid="sku" value=sku placeholder="PC-001"/>
                    <Field label="Quantity" testid="receive-quantity" value=received numeric=true placeholder="10"/>
                </div>
                <div class="row">
                    <Field label="Low-stock below (optional)" testid="low-stock-threshold" value=threshold numeric=true placeholder="5"/>
                    <button type="submit" disabled=move || busy.get() data-testid="receive-stock">"Receive"</button>
                </div>
            </form>
            <div class="command">
                <h3>"ReserveStock · ReleaseStock"</h3>
                <AggregatePicker label="SKU" testid="sku-picker" stream_type="Inventory" value=item session=session/>
                <div class="row">
                    <Field label="For order" testid="reserve-order-id" value=order_id placeholder="order id"/>
                    <Field label="Quantity" testid="reserve-quantity" value=reserve_quantity numeric=true/>
                </div>
                <div class="row">
                    <button data-testid="reserve-stock" disabled=move || busy.get() || item.get().is_empty() on:click=reserve>"Reserve"</button>
                    <button data-testid="release-stock" class="ghost" disabled=move || busy.get() || item.get().is_empty() on:click=release>"Release"</button>
                </div>
            </div>
        </section>
    }
}
