//! Any read model as a table, as of the selected position, with the rows the
//! selected event changed highlighted.

use std::collections::HashMap;

use leptos::prelude::*;
use serde_json::Value;

use super::format::{compact, hidden_rows_note, rows_to_draw};
use super::more_rows::{MoreRows, RowLimit};
use crate::read_models::table::{Table, TableRow};

#[component]
pub fn ReadModelPanel(
    /// The read model's table at the selected position.
    #[prop(into)]
    table: Signal<Option<Table>>,
    /// The same table one position earlier.
    #[prop(into)]
    before: Signal<Option<Table>>,
    /// The read model's name, for the test id.
    name: String,
) -> impl IntoView {
    let limit = RowLimit::new();
    // Whether the table leaves rows out.
    let hidden = Memo::new(move |_| table.with(|table| table.as_ref().is_some_and(|table| table.rows.len() > limit.get())));
    let body = NodeRef::new();
    limit.fill(body, hidden);
    view! {
        <section class="card panel read-model" data-testid=format!("read-model-{}", name.replace('_', "-")) aria-label=name.clone()>
            <header class="panel-header">
                <h2>{move || table.get().map(|table| table.title).unwrap_or_default()}</h2>
                <span class="panel-note">"read model · "{name.clone()}</span>
            </header>
            <div class="panel-body" node_ref=body on:scroll=limit.on_scroll(move || hidden.get_untracked())>
                {move || {
                    let Some(table) = table.get() else { return view! { <p class="empty">"Unknown read model."</p> }.into_any() };
                    if table.rows.is_empty() {
                        return view! { <p class="empty">"Nothing yet at this position."</p> }.into_any();
                    }
                    let before = before.get();
                    // The rows one position earlier, by key: looked up once per row, not scanned.
                    let earlier: HashMap<&str, &TableRow> =
                        before.iter().flat_map(|before| before.rows.iter().map(|row| (row.key.as_str(), row))).collect();
                    let old_row = |key: &str| earlier.get(key).copied();
                    view! {
                        <table class="rows">
                            <thead><tr>{table.columns.iter().map(|column| view! { <th>{*column}</th> }).collect_view()}</tr></thead>
                            <tbody>
                                {
                                let drawn = rows_to_draw(table.rows.len(), limit.get(), |index| old_row(&table.rows[index].key) != Some(&table.rows[index]));
                                let note = hidden_rows_note(table.rows.len(), drawn.len(), "rows");
                                let columns = table.columns.len();
                                (drawn.into_iter().map(|index| &table.rows[index]).map(|row| {
                                    let old = old_row(&row.key);
                                    let changed = old != Some(row);
                                    let cells: Vec<(String, bool)> = row.cells.iter().enumerate().map(|(index, cell)| {
                                        let was = old.and_then(|old| old.cells.get(index));
                                        (cell_text(cell), changed && was != Some(cell))
                                    }).collect();
                                    view! {
                                        <tr class:changed=changed data-key=row.key.clone()>
                                            {cells.into_iter().map(|(text, differs)| view! { <td class=if differs { "changed-cell" } else { "" }>{text}</td> }).collect_view()}
                                        </tr>
                                    }
                                }).collect_view(), note.map(|note| view! { <MoreRows limit=limit note=note columns=columns/> }))
                                }
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </div>
        </section>
    }
}

/// A cell as text: times as `HH:MM:SS` (the date is rarely news in a workshop).
fn cell_text(cell: &Value) -> String {
    if let Some(time) = cell.as_str().and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok()) {
        return time.format("%H:%M:%S").to_string();
    }
    match cell {
        Value::Null => "—".to_owned(),
        Value::Bool(true) => "yes".to_owned(),
        Value::Bool(false) => "no".to_owned(),
        other => compact(other),
    }
}
