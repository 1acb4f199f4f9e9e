//! The write model: the state of one stream's aggregate, folded from its events up
//! to the selected position, with the fields the selected event changed marked.

use leptos::prelude::*;
use serde_json::Value;

use super::format::{changed_keys, compact, pretty};
use super::session::use_session;
use crate::lab::AggregateView;

#[component]
pub fn AggregatePanel(
    /// The aggregate at the selected position.
    #[prop(into)]
    aggregate: Signal<Option<AggregateView>>,
    /// The same aggregate one position earlier.
    #[prop(into)]
    before: Signal<Option<AggregateView>>,
) -> impl IntoView {
    let session = use_session();
    view! {
        <section class="card panel" data-testid="aggregate-state" aria-label="Write model">
            <header class="panel-header">
                <h2>"Write model"</h2>
                <span class="panel-note">{move || aggregate.get().map(|view| format!("{} · v{}", view.stream_id, view.stream_version))}</span>
                {move || session.pinned_stream.get().map(|_| view! {
                    <button class="ghost small" on:click=move |_| session.pinned_stream.set(None)
                        title="Show the stream of the selected event again">"Unpin"</button>
                })}
            </header>
            <div class="panel-body">
                {move || match aggregate.get() {
                    None => view! { <p class="empty">"Select an event or an order to see its aggregate."</p> }.into_any(),
                    Some(view) if view.state.is_null() => view! {
                        <p class="empty">{format!("{} does not exist yet at this position.", view.stream_id)}</p>
                    }.into_any(),
                    Some(view) => {
                        let previous = before.get().map(|before| before.state);
                        let changed = changed_keys(previous.as_ref(), &view.state);
                        let fields = view.state.as_object().cloned().unwrap_or_default();
                        view! {
                            <table class="fields">
                                <tbody>
                                    {fields.into_iter().map(|(key, value)| {
                                        let is_changed = changed.contains(&key);
                                        let field = key.clone();
                                            view! {
                                            <tr class:changed=is_changed data-field=field>
                                                <th scope="row">{key}</th>
                                                <td><FieldValue value=value/></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }
                }}
            </div>
        </section>
    }
}

/// One field of a state: a list of records as a small table, anything else as text.
#[component]
fn FieldValue(value: Value) -> impl IntoView {
    let records: Option<Vec<serde_json::Map<String, Value>>> = value
        .as_array()
        .filter(|items| !items.is_empty())
        .and_then(|items| items.iter().map(|item| item.as_object().cloned()).collect());
    match records {
        Some(records) => {
            let columns: Vec<String> = records[0].keys().cloned().collect();
            view! {
                <table class="nested">
                    <thead><tr>{columns.iter().map(|column| view! { <th>{column.clone()}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {records.into_iter().map(|record| {
                            let cells = columns.iter().map(|column| compact(record.get(column).unwrap_or(&Value::Null))).collect::<Vec<_>>();
                            view! { <tr>{cells.into_iter().map(|cell| view! { <td>{cell}</td> }).collect_view()}</tr> }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }
        None if value.is_array() || value.is_object() => view! { <pre class="value">{pretty(&value)}</pre> }.into_any(),
        None => view! { <span class="value">{compact(&value)}</span> }.into_any(),
    }
}
