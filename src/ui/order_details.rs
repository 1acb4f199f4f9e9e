//! The OrderDetails read model: each order with its line items, as of the selected position.

use leptos::prelude::*;

use super::format::{hidden_rows_note, money, short_id};
use super::session::{use_session, ModelsAt};

/// How many order cards are drawn at most.
pub const MAX_CARDS: usize = 20;

#[component]
pub fn OrderDetailsPanel(
    /// The read models at the selected position (and one position earlier).
    #[prop(into)]
    models: Signal<ModelsAt>,
    /// The order the selected event changed.
    #[prop(into)]
    changed_order: Signal<Option<String>>,
) -> impl IntoView {
    let session = use_session();
    view! {
        <section class="card panel" data-testid="read-model-order-details" aria-label="Order details read model">
            <header class="panel-header">
                <h2>"Order details"</h2>
                <span class="panel-note">{move || format!("read model · checkpoint {}", models.get().with(session, |models, _| models.order_details.checkpoint))}</span>
            </header>
            <div class="panel-body">
                {move || models.get().with(session, |models, before| {
                    let changed = changed_order.get();
                    if models.order_details.model.orders.is_empty() {
                        return view! { <p class="empty">"No orders yet at this position."</p> }.into_any();
                    }
                    // The order the selected event touched comes first, then the first
                    // others: cards are tall, so only a screenful or two is drawn.
                    let all = &models.order_details.model.orders;
                    let touched = changed.as_deref().and_then(|id| all.get(id));
                    let orders: Vec<_> = touched
                        .into_iter()
                        .chain(all.iter().filter(|order| Some(order.order_id.as_str()) != changed.as_deref()))
                        .take(MAX_CARDS)
                        .collect();
                    let note = hidden_rows_note(all.len(), orders.len());
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
                })}
            </div>
        </section>
    }
}
