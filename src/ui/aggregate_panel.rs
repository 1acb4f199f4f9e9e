//! The write model: the state of one stream's aggregate, folded from its events up
//! to the selected position, with the fields the selected event changed marked.

use leptos::prelude::*;
use serde_json::Value;

use serde_json::json;

use super::format::{changed_keys, compact, pretty, thousands};
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
                        let figure = view! { <SnapshotFigure view=view.clone()/> };
                        view! {
                            {figure}
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

/// How the write model was loaded (its latest snapshot plus the events after it,
/// or every event), the snapshot interval of its type, and a timing of loading it
/// with and without the snapshot, side by side.
#[component]
fn SnapshotFigure(view: AggregateView) -> impl IntoView {
    let session = use_session();
    let timing = RwSignal::new(None::<String>);
    let stream_type = view.stream_type.clone();
    let interval = session.lab().snapshot_policy().interval(&stream_type);
    let events = |n: u64| if n == 1 { "1 event".to_owned() } else { format!("{} events", thousands(n)) };
    let how = match view.snapshot_version {
        Some(version) => format!("snapshot v{} + {}", thousands(version), events(view.events_replayed)),
        None => format!("replayed {}", events(view.events_replayed)),
    };
    let stream_id = view.stream_id.clone();
    let time_it = move |_| {
        let lab = session.lab();
        // Medians of 9 runs of several loads each (one load with a snapshot is shorter than the clock's tick).
        let median = |use_snapshot: bool| {
            let repeat = if use_snapshot { 50 } else { 5 };
            let request = json!({"kind": "load_stream", "stream_id": stream_id, "use_snapshot": use_snapshot, "repeat": repeat});
            let mut runs: Vec<f64> = (0..9).filter_map(|_| lab.measure(&request).ok()?["ms"].as_f64()).collect();
            runs.sort_by(f64::total_cmp);
            runs.get(runs.len() / 2).copied().unwrap_or(0.0)
        };
        let (with, without) = (median(true), median(false));
        let ratio = if with > 0.0 { format!(" ({:.0}× faster)", without / with) } else { String::new() };
        timing.set(Some(format!("with snapshot {with:.3} ms · full replay {without:.3} ms{ratio}")));
    };
    let set_interval = {
        let stream_type = stream_type.clone();
        move |event: leptos::ev::Event| {
            if let Ok(every) = event_target_value(&event).parse::<u64>() {
                session.lab().set_snapshot_interval(&stream_type, every.max(1));
                session.log_changed();
            }
        }
    };
    view! {
        <div class="snapshot-figure" data-testid="snapshot-figure">
            <span data-testid="snapshot-loaded">"loaded: " {how}</span>
            <label>"snapshot every "
                <input type="number" min="1" data-testid="snapshot-interval" value=interval.to_string() on:change=set_interval
                    title=format!("Every how many events a {stream_type} stream is snapshotted (from now on)")/>
            </label>
            <button class="ghost small" data-testid="snapshot-compare" on:click=time_it
                title="Load this stream 450 times with its snapshot and 450 times from its first event">"Time it"</button>
            <output data-testid="snapshot-timing">{move || timing.get()}</output>
        </div>
    }
}

/// How many records of a list field are drawn: the latest ones (a busy stock item
/// holds thousands of reservations).
const FIELD_ROWS: usize = 10;

/// One field of a state: a list of records as a small table (its latest records),
/// anything else as text.
#[component]
fn FieldValue(value: Value) -> impl IntoView {
    let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
    let earlier = items.len().saturating_sub(FIELD_ROWS);
    let records: Option<Vec<serde_json::Map<String, Value>>> = Some(&items[earlier..])
        .filter(|latest| !latest.is_empty())
        .and_then(|latest| latest.iter().map(|item| item.as_object().cloned()).collect());
    match records {
        Some(records) => {
            let columns: Vec<String> = records[0].keys().cloned().collect();
            let span = columns.len().to_string();
            view! {
                <table class="nested">
                    <thead><tr>{columns.iter().map(|column| view! { <th>{column.clone()}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {(earlier > 0).then(|| view! {
                            <tr class="more" data-testid="field-earlier"><td colspan=span>{format!("{} earlier, then the latest {FIELD_ROWS}:", thousands(earlier as u64))}</td></tr>
                        })}
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
