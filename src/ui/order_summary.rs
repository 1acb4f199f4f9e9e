//! The OrderSummary read model as a table, as of the selected position.

use leptos::prelude::*;

use super::format::{hidden_rows_note, money, short_id};
use super::more_rows::{MoreRows, RowLimit};
use super::session::{use_session, ModelsAt};

/// One drawn row: everything it shows. Rows are keyed by all of it, so a row that
/// looks the same at the new position keeps its DOM nodes untouched.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Drawn {
    order_id: String,
    customer_name: String,
    status: &'static str,
    item_count: u32,
    total_cents: i64,
    /// The selected event changed this order, and which of its cells.
    changed: bool,
    status_changed: bool,
    items_changed: bool,
    total_changed: bool,
}

/// The rows to draw (the changed order first when it is past the first rows, so it
/// is in sight without scrolling, then the first ones, as many as the panel was
/// scrolled to) and the note on the rows left out.
#[derive(Clone, PartialEq, Default)]
struct Shown {
    rows: Vec<Drawn>,
    total: usize,
    note: Option<String>,
}

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
    let limit = RowLimit::new();
    let shown = Memo::new(move |_| {
        let changed = changed_order.get();
        let limit = limit.get();
        models.get().with(session, |models, before| {
            let orders = &models.order_summary.model.orders;
            // The changed order's row wherever it is (found by its key, not by a
            // scan), first when it is past the first rows, then the first rows.
            let changed_place = changed.as_deref().and_then(|id| orders.place(id)).filter(|&place| place >= limit);
            let drawn: Vec<usize> = changed_place.into_iter().chain(0..orders.len().min(limit)).collect();
            let note = hidden_rows_note(orders.len(), drawn.len(), "rows");
            let rows = drawn
                .into_iter()
                .filter_map(|index| orders.at(index))
                .map(|row| {
                    let old = before.order_summary.model.orders.get(&row.order_id);
                    let is_changed = changed.as_deref() == Some(row.order_id.as_str());
                    let differs = |same: bool| is_changed && !same;
                    Drawn {
                        order_id: row.order_id.to_string(),
                        customer_name: row.customer_name.to_string(),
                        status: row.status.as_str(),
                        item_count: row.item_count,
                        total_cents: row.total_cents,
                        changed: is_changed,
                        status_changed: differs(old.is_some_and(|old| old.status == row.status)),
                        items_changed: differs(old.is_some_and(|old| old.item_count == row.item_count)),
                        total_changed: differs(old.is_some_and(|old| old.total_cents == row.total_cents)),
                    }
                })
                .collect();
            Shown { rows, total: orders.len(), note }
        })
    });
    let hidden = Memo::new(move |_| shown.with(|shown| shown.note.is_some()));
    let note = Memo::new(move |_| shown.with(|shown| shown.note.clone().unwrap_or_default()));
    let body = limit.fill(hidden);
    let changed_class = |changed: bool, base: &'static str| match (changed, base.is_empty()) {
        (true, true) => "changed-cell".to_owned(),
        (true, false) => format!("{base} changed-cell"),
        (false, _) => base.to_owned(),
    };
    view! {
        <section class="card panel" data-testid="read-model-order-summary" aria-label="Order summary read model">
            <header class="panel-header">
                <h2>"Order summary"</h2>
                <span class="panel-note">{move || format!("read model · checkpoint {}", models.get().with(session, |models, _| models.order_summary.checkpoint))}</span>
            </header>
            <div class="panel-body" node_ref=body on:scroll=limit.on_scroll(hidden)>
                <Show when=move || shown.with(|shown| shown.total > 0)
                    fallback=|| view! { <p class="empty">"No orders yet at this position."</p> }>
                    <table class="rows">
                        <thead><tr><th>"Order"</th><th>"Customer"</th><th>"Status"</th><th class="num">"Items"</th><th class="num">"Total"</th></tr></thead>
                        <tbody>
                            <For each=move || shown.with(|shown| shown.rows.clone()) key=|row| row.clone() children=move |row: Drawn| {
                                let order_id = row.order_id.clone();
                                let stream = format!("Order-{}", row.order_id);
                                view! {
                                    <tr class:changed=row.changed data-order-id=row.order_id.clone()
                                        title="Pin the write model to this order"
                                        on:click=move |_| {
                                            session.pinned_stream.set(Some(stream.clone()));
                                            session.target_order.set(Some(order_id.clone()));
                                        }>
                                        <td class="mono">{short_id(&row.order_id).to_owned()}</td>
                                        <td data-field="customer_name">{row.customer_name.clone()}</td>
                                        <td data-field="status" class=changed_class(row.status_changed, "")>
                                            <span class=format!("badge {}", row.status)>{row.status}</span>
                                        </td>
                                        <td data-field="item_count" class=changed_class(row.items_changed, "num")>{row.item_count}</td>
                                        <td data-field="total_cents" class=changed_class(row.total_changed, "num")>{money(row.total_cents)}</td>
                                    </tr>
                                }
                            }/>
                            <Show when=move || hidden.get()><MoreRows limit=limit note=note columns=5/></Show>
                        </tbody>
                    </table>
                </Show>
            </div>
        </section>
    }
}
