//! Any read model as a table, as of the selected position, with the rows the
//! selected event changed highlighted (and drawn first when they are past the first rows).

use leptos::prelude::*;
use serde_json::Value;

use crate::read_models::table::Numbers;

use super::format::{compact, count, hidden_rows_note, money};
use super::more_rows::{MoreRows, RowLimit};
use super::session::{use_session, ModelsAt};

#[component]
pub fn ReadModelPanel(
    /// The read models at the selected position (and one position earlier).
    #[prop(into)]
    models: Signal<ModelsAt>,
    /// The read model's projector name: `account_balances`.
    name: String,
) -> impl IntoView {
    let session = use_session();
    let limit = RowLimit::new();
    // The rows drawn (the first ones and the ones the selected event changed), built
    // once per position by the core.
    let window = {
        let name = name.clone();
        Memo::new(move |_| {
            let first = limit.get();
            models.get().with(session, |models, before| models.table_window(before, &name, first))
        })
    };
    let hidden = Memo::new(move |_| window.with(|window| window.as_ref().is_some_and(|window| window.rows.len() < window.total)));
    let body = limit.fill(hidden);
    view! {
        <section class="card panel read-model" data-testid=format!("read-model-{}", name.replace('_', "-")) aria-label=name.clone()>
            <header class="panel-header">
                <h2>{move || window.with(|window| window.as_ref().map(|window| window.title))}</h2>
                <span class="panel-note">"read model · "{name.clone()}</span>
            </header>
            // Focusable, so that the keyboard scrolls a table with nothing to click in it.
            <div class="panel-body" tabindex="0" aria-label=format!("{name} rows") node_ref=body on:scroll=limit.on_scroll(hidden)>
                {move || window.with(|window| {
                    let Some(window) = window else { return view! { <p class="empty">"Unknown read model."</p> }.into_any() };
                    if window.total == 0 {
                        return view! { <p class="empty">"Nothing yet at this position."</p> }.into_any();
                    }
                    let note = hidden_rows_note(window.total, window.rows.len(), "rows");
                    let columns = window.columns.len();
                    // Columns of numbers are right-aligned, their heading too.
                    let numeric: Vec<bool> = (0..columns)
                        .map(|index| window.rows.iter().any(|drawn| drawn.row.cells.get(index).is_some_and(Value::is_number)))
                        .collect();
                    // What each column's integers are, looked up once per column.
                    let numbers: Vec<Numbers> = (0..columns).map(|index| window.numbers(index)).collect();
                    view! {
                        <table class="rows">
                            <thead><tr>{window.columns.iter().zip(&numeric).map(|(column, numeric)| view! { <th class=if *numeric { "num" } else { "" }>{*column}</th> }).collect_view()}</tr></thead>
                            <tbody>
                                {window.in_drawing_order().map(|drawn| {
                                    let changed = drawn.changed();
                                    let cells: Vec<(String, &'static str)> = drawn.row.cells.iter().enumerate().map(|(index, cell)| {
                                        let was = drawn.before.as_ref().and_then(|before| before.cells.get(index));
                                        let differs = changed && was != Some(cell);
                                        (cell_text(cell, numbers.get(index).copied().unwrap_or(Numbers::Count)), cell_class(numeric.get(index) == Some(&true), differs))
                                    }).collect();
                                    view! {
                                        <tr class:changed=changed data-key=drawn.row.key.clone()>
                                            {cells.into_iter().map(|(text, class)| view! { <td class=class>{text}</td> }).collect_view()}
                                        </tr>
                                    }
                                }).collect_view()}
                                {note.map(|note| view! { <MoreRows limit=limit note=note columns=columns/> })}
                            </tbody>
                        </table>
                    }.into_any()
                })}
            </div>
        </section>
    }
}

/// A cell's classes: right-aligned in a column of numbers, marked when the selected
/// event changed it.
fn cell_class(numeric: bool, differs: bool) -> &'static str {
    match (numeric, differs) {
        (true, true) => "num changed-cell",
        (true, false) => "num",
        (false, true) => "changed-cell",
        (false, false) => "",
    }
}

/// A cell as text: times as `HH:MM:SS` (the date is rarely news in a workshop),
/// integers as what their column says they are (`¥13,190,040`, `1,069`, `54320`).
fn cell_text(cell: &Value, numbers: Numbers) -> String {
    if let Some(time) = cell.as_str().and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok()) {
        return time.format("%H:%M:%S").to_string();
    }
    match (cell.as_i64(), numbers) {
        (Some(minor_units), Numbers::Money) => return money(minor_units),
        (Some(n), Numbers::Count) => return count(n),
        _ => {}
    }
    match cell {
        Value::Null => "—".to_owned(),
        Value::Bool(true) => "yes".to_owned(),
        Value::Bool(false) => "no".to_owned(),
        other => compact(other),
    }
}
