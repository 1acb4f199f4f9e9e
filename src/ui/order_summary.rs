//! The OrderSummary read model as a table, as of the selected position.

use leptos::prelude::*;

use super::format::{hidden_rows_note, money, rows_to_draw, short_id};
use super::session::{use_session, ModelsAt};

#[component]
pub fn OrderSummaryPanel(
    /// The read models at the selected position (and one position earlier).
    #[prop(into)]
    models: Signal<ModelsAt>,
    /// The order the selected event changed.
    #[prop(into)]
    changed_order: Signal<Option<String>>,
) -> impl IntoView {
    let session = use_session();
    view! {
        <section class="card panel" data-testid="read-model-order-summary" aria-label="Order summary read model">
            <header class="panel-header">
                <h2>"Order summary"</h2>
                <span class="panel-note">{move || format!("read model · checkpoint {}", models.get().with(session, |models, _| models.order_summary.checkpoint))}</span>
            </header>
            <div class="panel-body">
                {move || models.get().with(session, |models, before| {
                    let changed = changed_order.get();
                    if models.order_summary.model.orders.is_empty() {
                        return view! { <p class="empty">"No orders yet at this position."</p> }.into_any();
                    }
                    view! {
                        <table class="rows">
                            <thead><tr><th>"Order"</th><th>"Customer"</th><th>"Status"</th><th class="num">"Items"</th><th class="num">"Total"</th></tr></thead>
                            <tbody>
                                {
                                let rows: Vec<_> = models.order_summary.model.orders.iter().collect();
                                let drawn = rows_to_draw(rows.len(), |index| changed.as_deref() == Some(rows[index].order_id.as_str()));
                                let note = hidden_rows_note(rows.len(), drawn.len());
                                let rows: Vec<_> = drawn.into_iter().map(|index| rows[index]).collect();
                                (rows.into_iter().map(|row| {
                                    let old = before.order_summary.model.orders.get(&row.order_id);
                                    let is_changed = changed.as_deref() == Some(row.order_id.as_str());
                                    let differs = |same: bool| if is_changed && !same { "changed-cell" } else { "" };
                                    let order_id = row.order_id.clone();
                                    let stream = format!("Order-{}", row.order_id);
                                    view! {
                                        <tr class:changed=is_changed data-order-id=row.order_id.clone()
                                            title="Pin the write model to this order"
                                            on:click=move |_| {
                                                session.pinned_stream.set(Some(stream.clone()));
                                                session.target_order.set(Some(order_id.clone()));
                                            }>
                                            <td class="mono">{short_id(&row.order_id).to_owned()}</td>
                                            <td data-field="customer_name">{row.customer_name.clone()}</td>
                                            <td data-field="status" class=differs(old.is_some_and(|old| old.status == row.status))>
                                                <span class=format!("badge {}", row.status.as_str())>{row.status.as_str()}</span>
                                            </td>
                                            <td data-field="item_count" class=format!("num {}", differs(old.is_some_and(|old| old.item_count == row.item_count)))>{row.item_count}</td>
                                            <td data-field="total_cents" class=format!("num {}", differs(old.is_some_and(|old| old.total_cents == row.total_cents)))>{money(row.total_cents)}</td>
                                        </tr>
                                    }
                                }).collect_view(), note.map(|note| view! { <tr class="more"><td colspan="5">{note}</td></tr> }))
                                }
                            </tbody>
                        </table>
                    }.into_any()
                })}
            </div>
        </section>
    }
}
