//! What every command form shares: a labelled field bound to a signal, reading a
//! number out of a field, and sending a command envelope.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{json, Value};

use super::format::short_id;
use super::session::Session;
use crate::event_sourcing::envelope::CommandResult;

/// A number typed in a field, or the text itself so the envelope check can say what is wrong.
pub fn number(text: &str) -> Value {
    text.trim().parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// Sends a command envelope; runs `on_accepted` if the command was recorded.
pub fn dispatch(
    session: Session,
    command_type: &'static str,
    aggregate_id: String,
    data: Value,
    on_accepted: impl FnOnce() + 'static,
) {
    let envelope = json!({ "command_type": command_type, "aggregate_id": aggregate_id, "data": data });
    spawn_local(async move {
        if let CommandResult::Accepted { .. } = session.send(command_type, envelope).await {
            on_accepted();
        }
    });
}

/// A labelled text or number input bound to `value`.
#[component]
pub fn Field(
    /// Shown above the input.
    label: &'static str,
    /// The `data-testid` of the input.
    testid: &'static str,
    value: RwSignal<String>,
    /// A number input (integer minor units, counts).
    #[prop(optional)]
    numeric: bool,
    #[prop(optional)]
    placeholder: &'static str,
) -> impl IntoView {
    view! {
        <label>{label}
            <input data-testid=testid placeholder=placeholder autocomplete="off"
                type=if numeric { "number" } else { "text" } step="1" inputmode=if numeric { "numeric" } else { "text" }
                prop:value=move || value.get() on:input=move |e| value.set(event_target_value(&e))/>
        </label>
    }
}

/// A select of the aggregates of one stream type that exist now, bound to `value`
/// (the first one is chosen when the value names none of them).
#[component]
pub fn AggregatePicker(
    label: &'static str,
    testid: &'static str,
    /// `Account`, `Inventory`, `Product`, …
    stream_type: &'static str,
    value: RwSignal<String>,
    session: Session,
) -> impl IntoView {
    // Each id with a name to recognise it by: the aggregate's name, owner or customer now.
    let choices = Memo::new(move |_| {
        session.with_lab(|lab| {
            lab.aggregate_ids(stream_type)
                .into_iter()
                .map(|id| {
                    let state = lab.aggregate_at(&format!("{stream_type}-{id}"), lab.head()).map(|view| view.state);
                    let name = state.as_ref().and_then(|state| {
                        ["name", "owner", "customer_name"].iter().find_map(|field| state.get(*field)?.as_str().map(str::to_owned))
                    });
                    let label = match name {
                        Some(name) => format!("{name} · {}", short_id(&id)),
                        None => id.clone(),
                    };
                    (id, label)
                })
                .collect::<Vec<_>>()
        })
    });
    Effect::new(move |_| {
        let choices = choices.get();
        if !choices.iter().any(|(id, _)| *id == value.get_untracked()) {
            value.set(choices.last().map(|(id, _)| id.clone()).unwrap_or_default());
        }
    });
    view! {
        <label>{label}
            <select data-testid=testid on:change=move |e| value.set(event_target_value(&e))
                disabled=move || choices.get().is_empty()>
                {move || {
                    let choices = choices.get();
                    if choices.is_empty() {
                        return view! { <option value="">"none yet"</option> }.into_any();
                    }
                    let chosen = value.get();
                    choices.into_iter().rev().map(|(id, label)| {
                        let selected = id == chosen;
                        view! { <option value=id selected=selected>{label}</option> }
                    }).collect_view().into_any()
                }}
            </select>
        </label>
    }
}
