//! The OrderDetails read model: each order with its line items, as of the selected position.

use leptos::prelude::*;

use super::format::{hidden_rows_note, money, short_id, MAX_ROWS};
use crate::read_models::ReadModels;

#[component]
pub fn OrderDetailsPanel(
    /// The read models at the selected position.
    #[prop(into)]
    models: Signal<ReadModels>,
    /// The read models one position earlier.
    #[prop(into)]
    before: Signal<ReadModels>,
    /// The order the selected event changed.
    #[prop(into)]
    changed_order: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <section class="card panel" data-testid="read-model-order-details" aria-label="Order details read model">
            <header class="panel-header">
                <h2>"Order details"</h2>
                <span class="panel-note">{move || format!("read model · checkpoint {}", models.with(|models| models.order_details.checkpoint))}</span>
            </header>
            <div class="panel-body">
                {move || models.with(|models| before.with(|before| {
                    let changed = changed_order.get();
                    if models.order_details.model.orders.is_empty() {
                        return view! { <p class="empty">"No orders yet at this position."</p> }.into_any();
                    }
                    // The order the selected event touched comes first.
                    let mut orders: Vec<_> = models.order_details.model.orders.iter().collect();
                    orders.sort_by_key(|order| changed.as_deref() != Some(order.order_id.as_str()));
                    // Cards are tall: half as many as table rows.
                    let note = hidden_rows_note(orders.len(), orders.len().min(MAX_ROWS / 2));
                    orders.truncate(MAX_ROWS / 2);
                    view! {
                        <div class="details-list">
                            {orders.into_iter().map(|order| {
                                let is_changed = changed.as_deref() == Some(order.order_id.as_str());
                                let old_items = before.order_details.model.orders.get(&order.order_id).map(|old| old.items.clone()).unwrap_or_default();
                                view! {
                                    <article class="order-card" class:changed=is_changed data-order-id=order.order_id.clone()>
                                        <header>
                                            <strong>{order.customer_name.clone()}</strong>
                                            <span class="mono">{short_id(&order.order_id).to_owned()}</span>
                                            <span class=format!("badge {}", order.status.as_str())>{order.status.as_str()}</span>
                                            <span class="total">{money(order.total_cents)}</span>
                                        </header>
                                        {order.cancel_reason.clone().map(|reason| view! { <p class="reason">"Cancelled: "{reason}</p> })}
                                        {if order.items.is_empty() {
                                            view! { <p class="empty small">"No items."</p> }.into_any()
                                        } else {
                                            view! {
                                                <table class="rows items">
                                                    <thead><tr><th>"Product"</th><th class="num">"Qty"</th><th class="num">"Unit"</th><th class="num">"Line"</th></tr></thead>
                                                    <tbody>
                                                        {order.items.iter().map(|item| {
                                                            let is_new = is_changed && !old_items.contains(item);
                                                            view! {
                                                                <tr class:changed=is_new data-product=item.product_name.clone()>
                                                                    <td>{item.product_name.clone()}</td>
                                                                    <td class="num">{item.quantity}</td>
                                                                    <td class="num">{money(item.unit_price_cents)}</td>
                                                                    <td class="num">{money(item.unit_price_cents * i64::from(item.quantity))}</td>
                                                                </tr>
                                                            }
                                                        }).collect_view()}
                                                    </tbody>
                                                </table>
                                            }.into_any()
                                        }}
                                    </article>
                                }
                            }).collect_view()}
                            {note.map(|note| view! { <p class="panel-note more">{note}</p> })}
                        </div>
                    }.into_any()
                }))}
            </div>
        </section>
    }
}
