//! Forms for the six order commands. Each builds a command envelope (CONTRACT §2)
//! and sends it; what the domain answers shows in the result panel. A refused or
//! invalid command keeps what was typed.

use leptos::prelude::*;
use serde_json::json;

use super::format::short_id;
use super::form::{dispatch, number};
use super::session::use_session;
use crate::browser::environment::new_uuid;
use crate::read_models::order_details::OrderDetailsRow;

/// How many of the newest orders the order picker lists.
const PICKER_ORDERS: usize = 50;

/// One order in the picker, as shown.
#[derive(Clone, PartialEq)]
struct Choice {
    order_id: String,
    label: String,
    selected: bool,
}

impl Choice {
    fn of(order: &OrderDetailsRow, chosen: Option<&str>) -> Self {
        Choice {
            order_id: order.order_id.to_string(),
            label: format!("{} · {} · {}", order.customer_name, short_id(&order.order_id), order.status.as_str()),
            selected: chosen == Some(order.order_id.as_str()),
        }
    }
}

#[component]
pub fn OrderCommands() -> impl IntoView {
    let session = use_session();
    let target = session.target_order;
    let busy = session.sending;

    // The orders that exist now (commands always act on the present, not the scrubbed past).
    // Only what the picker shows is copied out of the read model: a long log has thousands.
    let target_details = Memo::new(move |_| {
        let id = target.get()?;
        session.with_lab(|lab| lab.with_head_models(|models| models.order_details.model.orders.get(&id).cloned()))
    });
    let choices = Memo::new(move |_| {
        let chosen = target.get();
        session.with_lab(|lab| {
            lab.with_head_models(|models| {
                let orders = &models.order_details.model.orders;
                let newest: Vec<&OrderDetailsRow> = orders.iter().rev().take(PICKER_ORDERS).collect();
                // The order acted on, if it is older than the newest ones, closes the list.
                let older = chosen
                    .as_deref()
                    .filter(|id| !newest.iter().any(|order| order.order_id == *id))
                    .and_then(|id| orders.get(id));
                newest.into_iter().chain(older).map(|order| Choice::of(order, chosen.as_deref())).collect::<Vec<_>>()
            })
        })
    });
    // Without a choice, act on the newest order.
    Effect::new(move |_| {
        if target_details.with(Option::is_none) {
            let newest = choices.with(|choices| choices.first().map(|choice| choice.order_id.clone()));
            if newest != target.get_untracked() {
                target.set(newest);
            }
        }
    });

    let customer = RwSignal::new(String::new());
    let product = RwSignal::new(String::new());
    let quantity = RwSignal::new("1".to_owned());
    let price = RwSignal::new(String::new());
    let remove_product = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());

    let target_id = move || target.get_untracked().unwrap_or_default();
    let no_target = move || target.get().is_none() || busy.get();
    // Nothing to remove: no order chosen, or one without items.
    let no_items = move || target_details.with(|order| order.as_ref().is_none_or(|order| order.items.is_empty()));

    let create = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let id = new_uuid();
        let new_id = id.clone();
        dispatch(session, "CreateOrder", id, json!({ "customer_name": customer.get_untracked() }), move || {
            target.set(Some(new_id));
            customer.set(String::new());
        });
    };
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let data = json!({
            "product_name": product.get_untracked(),
            "quantity": number(&quantity.get_untracked()),
            "unit_price_cents": number(&price.get_untracked()),
        });
        dispatch(session, "AddItem", target_id(), data, move || {
            product.set(String::new());
            quantity.set("1".to_owned());
            price.set(String::new());
        });
    };
    let remove = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        dispatch(session, "RemoveItem", target_id(), json!({ "product_name": remove_product.get_untracked() }), || {});
    };
    let cancel = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        dispatch(session, "CancelOrder", target_id(), json!({ "reason": reason.get_untracked() }), move || reason.set(String::new()));
    };

    view! {
        <section class="command-forms" aria-label="Order commands">
            <form class="command" on:submit=create data-testid="form-create-order">
                <h3>"CreateOrder"</h3>
                <div class="row">
                    <input data-testid="customer-name" placeholder="customer, e.g. 山田太郎" autocomplete="off" aria-label="Customer name"
                        prop:value=move || customer.get() on:input=move |e| customer.set(event_target_value(&e))/>
                    <button type="submit" disabled=move || busy.get() data-testid="create-order">"Create"</button>
                </div>
            </form>

            <label class="target">"Acting on order"
                <select data-testid="order-picker" disabled=move || choices.with(Vec::is_empty)
                    on:change=move |e| {
                        let id = event_target_value(&e);
                        target.set(Some(id.clone()));
                        session.pinned_stream.set(Some(format!("Order-{id}")));
                    }>
                    {move || {
                        let choices = choices.get();
                        if choices.is_empty() {
                            return view! { <option value="">"no orders yet: create one"</option> }.into_any();
                        }
                        choices.into_iter().map(|choice| view! {
                            <option value=choice.order_id selected=choice.selected>{choice.label}</option>
                        }).collect_view().into_any()
                    }}
                </select>
            </label>

            <form class="command" on:submit=add data-testid="form-add-item">
                <h3>"AddItem"</h3>
                <input data-testid="product-name" placeholder="product, e.g. ノートPC" autocomplete="off" aria-label="Product"
                    prop:value=move || product.get() on:input=move |e| product.set(event_target_value(&e))/>
                <div class="row">
                    <label>"Quantity"
                        <input data-testid="quantity" type="number" inputmode="numeric" step="1"
                            prop:value=move || quantity.get() on:input=move |e| quantity.set(event_target_value(&e))/>
                    </label>
                    <label>"Unit price ¥"
                        <input data-testid="unit-price" type="number" inputmode="numeric" step="1" placeholder="120000"
                            prop:value=move || price.get() on:input=move |e| price.set(event_target_value(&e))/>
                    </label>
                    <button type="submit" disabled=no_target data-testid="add-item">"Add"</button>
                </div>
            </form>

            <form class="command" on:submit=remove data-testid="form-remove-item">
                <h3>"RemoveItem"</h3>
                <div class="row">
                    <select data-testid="remove-product" aria-label="Product to remove"
                        disabled=no_items
                        on:change=move |e| remove_product.set(event_target_value(&e))>
                        {move || {
                            let items = target_details.get().map(|order| order.items).unwrap_or_default();
                            let chosen = remove_product.get_untracked();
                            if !items.iter().any(|item| item.product_name == chosen) {
                                remove_product.set(items.first().map(|item| item.product_name.clone()).unwrap_or_default());
                            }
                            if items.is_empty() {
                                return view! { <option value="">"no items yet"</option> }.into_any();
                            }
                            let chosen = remove_product.get_untracked();
                            items.iter().map(|item| {
                                let selected = item.product_name == chosen;
                                view! { <option value=item.product_name.clone() selected=selected>{item.product_name.clone()}</option> }
                            }).collect_view().into_any()
                        }}
                    </select>
                    <button type="submit" data-testid="remove-item"
                        disabled=move || no_target() || no_items()>"Remove"</button>
                </div>
            </form>

            <div class="command">
                <h3>"ConfirmOrder · ShipOrder"</h3>
                <div class="row">
                    <button data-testid="confirm-order" disabled=no_target
                        on:click=move |_| dispatch(session, "ConfirmOrder", target_id(), json!({}), || {})>"Confirm"</button>
                    <button data-testid="ship-order" disabled=no_target
                        on:click=move |_| dispatch(session, "ShipOrder", target_id(), json!({}), || {})>"Ship"</button>
                    <span class="panel-note">{move || target_details.get().map(|order| format!("now {}", order.status.as_str()))}</span>
                </div>
            </div>

            <form class="command" on:submit=cancel data-testid="form-cancel-order">
                <h3>"CancelOrder"</h3>
                <div class="row">
                    <input data-testid="cancel-reason" placeholder="reason" autocomplete="off" aria-label="Reason"
                        prop:value=move || reason.get() on:input=move |e| reason.set(event_target_value(&e))/>
                    <button type="submit" class="danger" disabled=no_target data-testid="cancel-order">"Cancel"</button>
                </div>
            </form>
            {move || (session.position.get() < session.head()).then(|| view! {
                <p class="time-note">"Commands act on the present: sending one returns the timeline to the head."</p>
            })}
        </section>
    }
}
