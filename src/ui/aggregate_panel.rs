//! The write model: the state of one stream's aggregate, folded from its events up
//! to the selected position, with the fields the selected event changed marked.

use leptos::prelude::*;
use serde_json::Value;

use serde_json::json;

use super::format::{changed_keys, compact, pretty, thousands};
use super::session::use_session;
use crate::lab::AggregateView;

/// What the panel's body is drawn for. The body is drawn anew only when this
/// changes (the aggregate coming into being); a new event, or another stream (a
/// jump across the log), patches the fields that differ, adds and removes the
/// fields another type has, and sets the line saying how it was loaded.
#[derive(Clone, PartialEq)]
enum Body {
    Nothing,
    NotYet(String),
    Stream,
}

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
    let body = Memo::new(move |_| {
        aggregate.with(|view| match view {
            None => Body::Nothing,
            Some(view) if view.state.is_null() => Body::NotYet(view.stream_id.clone()),
            Some(_) => Body::Stream,
        })
    });
    // The state's field names, in order, and the ones the selected event changed.
    let names = Memo::new(move |_| {
        aggregate.with(|view| {
            view.as_ref().and_then(|view| view.state.as_object()).map(|fields| fields.keys().cloned().collect::<Vec<_>>()).unwrap_or_default()
        })
    });
    let changed = Memo::new(move |_| {
        aggregate.with(|view| {
            let Some(view) = view else { return Vec::new() };
            before.with(|before| changed_keys(before.as_ref().map(|before| &before.state), &view.state))
        })
    });
    view! {
        <section class="card panel" data-testid="aggregate-state" aria-label="Write model">
            <header class="panel-header">
                <h2>"Write model"</h2>
                <span class="panel-note">{move || aggregate.with(|view| view.as_ref().map(|view| format!("{} · v{}", view.stream_id, view.stream_version)))}</span>
                {move || session.pinned_stream.get().map(|_| view! {
                    <button class="ghost small" on:click=move |_| session.pinned_stream.set(None)
                        title="Show the stream of the selected event again">"Unpin"</button>
                })}
            </header>
            <div class="panel-body">
                {move || match body.get() {
                    Body::Nothing => view! { <p class="empty">"Select an event or an order to see its aggregate."</p> }.into_any(),
                    Body::NotYet(stream_id) => view! {
                        <p class="empty">{format!("{stream_id} does not exist yet at this position.")}</p>
                    }.into_any(),
                    Body::Stream => view! {
                        <SnapshotFigure aggregate=aggregate/>
                        <table class="fields">
                            <tbody>
                                <For each=move || names.get() key=|name| name.clone() children=move |name: String| {
                                    let is_changed = {
                                        let name = name.clone();
                                        Memo::new(move |_| changed.with(|changed| changed.contains(&name)))
                                    };
                                    // Drawn anew only when this field's value changes.
                                    let value = {
                                        let name = name.clone();
                                        Memo::new(move |_| aggregate.with(|view| view.as_ref().and_then(|view| view.state.get(&name)).cloned()))
                                    };
                                    view! {
                                        <tr class:changed=is_changed data-field=name.clone()>
                                            <th scope="row">{name.clone()}</th>
                                            <td>{move || value.get().map(|value| view! { <FieldValue value=value/> })}</td>
                                        </tr>
                                    }
                                }/>
                            </tbody>
                        </table>
                    }.into_any(),
                }}
            </div>
        </section>
    }
}

/// How the write model was loaded (its latest snapshot plus the events after it,
/// or every event), the snapshot interval of its type, and a timing of loading it
/// with and without the snapshot, side by side.
#[component]
fn SnapshotFigure(aggregate: Signal<Option<AggregateView>>) -> impl IntoView {
    let session = use_session();
    // The last timing, with the stream it timed: shown while that stream is.
    let timing = RwSignal::new(None::<(String, String)>);
    let stream_type = Memo::new(move |_| aggregate.with(|view| view.as_ref().map(|view| view.stream_type.clone()).unwrap_or_default()));
    // Read again when the type changes; an interval typed in stays as typed meanwhile.
    let interval = move || session.lab().snapshot_policy().interval(&stream_type.get()).to_string();
    let how = move || aggregate.with(|view| view.as_ref().map(loaded_how));
    let time_it = move |_| {
        let Some(stream_id) = aggregate.with_untracked(|view| view.as_ref().map(|view| view.stream_id.clone())) else { return };
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
        timing.set(Some((stream_id, format!("with snapshot {with:.3} ms · full replay {without:.3} ms{ratio}"))));
    };
    let set_interval = move |event: leptos::ev::Event| {
        if let Ok(every) = event_target_value(&event).parse::<u64>() {
            session.lab().set_snapshot_interval(&stream_type.get_untracked(), every.max(1));
            session.log_changed();
        }
    };
    view! {
        <div class="snapshot-figure" data-testid="snapshot-figure">
            <span data-testid="snapshot-loaded">"loaded: " {how}</span>
            <label>"snapshot every "
                <input type="number" min="1" data-testid="snapshot-interval" prop:value=interval on:change=set_interval
                    title=move || format!("Every how many events each {} stream is snapshotted (from now on)", stream_type.get())/>
            </label>
            <button class="ghost small" data-testid="snapshot-compare" on:click=time_it
                title="Load this stream 450 times with its snapshot and 450 times from its first event">"Time it"</button>
            <output data-testid="snapshot-timing">{move || {
                timing.with(|timing| {
                    let (timed, text) = timing.as_ref()?;
                    aggregate.with(|view| view.as_ref().is_some_and(|view| &view.stream_id == timed)).then(|| text.clone())
                })
            }}</output>
        </div>
    }
}

/// How many records of a list field are drawn: the latest ones (a busy stock item
/// holds thousands of reservations).
const FIELD_ROWS: usize = 10;

/// How an aggregate was loaded: its snapshot plus the events after it, or every event
/// (and why, when its only snapshot is later than the selected position).
fn loaded_how(view: &AggregateView) -> String {
    let events = |n: u64| if n == 1 { "1 event".to_owned() } else { format!("{} events", thousands(n)) };
    match (view.snapshot_version, view.snapshot_after) {
        (Some(version), _) => format!("snapshot v{} + {}", thousands(version), events(view.events_replayed)),
        // Travelling back past the stream's only snapshot: say why it was not used.
        (None, Some(later)) => format!("replayed {}: its only snapshot, v{}, is later", events(view.events_replayed), thousands(later)),
        (None, None) => format!("replayed {}", events(view.events_replayed)),
    }
}

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
