//! The OrderDetails read model: each order with its line items, as of the selected position.

use leptos::prelude::*;

use super::format::{hidden_rows_note, money, short_id};
use super::more_rows::{MoreNote, RowLimit};
use super::session::{use_session, ModelsAt};

/// How many order cards are drawn at first (cards are tall: a laptop's panel shows
/// one or two; a taller one draws two more at a time until it is full), and how
/// many more each time the panel is scrolled to its end.
pub const FIRST_CARDS: usize = 2;
pub const MORE_CARDS: usize = 8;

/// One drawn card: everything it shows, so cards are keyed by it and a card that
/// looks the same at the new position keeps its DOM nodes.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Card {
    order_id: String,
    customer_name: String,
    status: &'static str,
    total_cents: i64,
    cancel_reason: Option<String>,
    changed: bool,
    lines: Vec<Line>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Line {
    product_name: String,
    quantity: u32,
    unit_price_cents: i64,
    /// The selected event added it.
    new: bool,
}

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
    let limit = RowLimit::with(FIRST_CARDS, MORE_CARDS);
    // The order the selected event touched comes first, then the first others:
    // cards are tall, so only a screenful is drawn until the panel is scrolled.
    let shown = Memo::new(move |_| {
        let changed = changed_order.get();
        let limit = limit.get();
        models.get().with(session, |models, before| {
            let all = &models.order_details.model.orders;
            let touched = changed.as_deref().and_then(|id| all.get(id));
            let cards: Vec<Card> = touched
                .into_iter()
                .chain(all.iter().filter(|order| Some(order.order_id.as_str()) != changed.as_deref()))
                .take(limit)
                .map(|order| {
                    let changed = changed.as_deref() == Some(order.order_id.as_str());
                    let old_items = before.order_details.model.orders.get(&order.order_id).map(|old| old.items.as_slice()).unwrap_or_default();
                    Card {
                        order_id: order.order_id.to_string(),
                        customer_name: order.customer_name.to_string(),
                        status: order.status.as_str(),
                        total_cents: order.total_cents,
                        cancel_reason: order.cancel_reason.clone(),
                        changed,
                        lines: order
                            .items
                            .iter()
                            .map(|item| Line {
                                product_name: item.product_name.clone(),
                                quantity: item.quantity,
                                unit_price_cents: item.unit_price_cents,
                                new: changed && !old_items.contains(item),
                            })
                            .collect(),
                    }
                })
                .collect();
            (cards, all.len())
        })
    });
    let hidden = Memo::new(move |_| shown.with(|(cards, total)| cards.len() < *total));
    let note = Memo::new(move |_| shown.with(|(cards, total)| hidden_rows_note(*total, cards.len(), "orders").unwrap_or_default()));
    let body = limit.fill(hidden);
    view! {
        <section class="card panel" data-testid="read-model-order-details" aria-label="Order details read model">
            <header class="panel-header">
                <h2>"Order details"</h2>
                <span class="panel-note">{move || format!("read model · checkpoint {}", models.get().with(session, |models, _| models.order_details.checkpoint))}</span>
            </header>
            <div class="panel-body" node_ref=body on:scroll=limit.on_scroll(hidden)>
                <Show when=move || shown.with(|(_, total)| *total > 0)
                    fallback=|| view! { <p class="empty">"No orders yet at this position."</p> }>
                    <div class="details-list">
                        <For each=move || shown.with(|(cards, _)| cards.clone()) key=|card| card.clone() children=|card: Card| view! {
                            <article class="order-card" class:changed=card.changed data-order-id=card.order_id.clone()>
                                <header>
                                    <strong>{card.customer_name.clone()}</strong>
                                    <span class="mono">{short_id(&card.order_id).to_owned()}</span>
                                    <span class=format!("badge {}", card.status)>{card.status}</span>
                                    <span class="total">{money(card.total_cents)}</span>
                                </header>
                                {card.cancel_reason.clone().map(|reason| view! { <p class="reason">"Cancelled: "{reason}</p> })}
                                {if card.lines.is_empty() {
                                    view! { <p class="empty small">"No items."</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="rows items">
                                            <thead><tr><th>"Product"</th><th class="num">"Qty"</th><th class="num">"Unit"</th><th class="num">"Line"</th></tr></thead>
                                            <tbody>
                                                {card.lines.iter().map(|line| view! {
                                                    <tr class:changed=line.new data-product=line.product_name.clone()>
                                                        <td>{line.product_name.clone()}</td>
                                                        <td class="num">{line.quantity}</td>
                                                        <td class="num">{money(line.unit_price_cents)}</td>
                                                        <td class="num">{money(line.unit_price_cents * i64::from(line.quantity))}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </article>
                        }/>
                        <Show when=move || hidden.get()><p class="panel-note more"><MoreNote limit=limit note=note/></p></Show>
                    </div>
                </Show>
            </div>
        </section>
    }
}
