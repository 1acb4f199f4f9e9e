//! The projection engine made visible (seed 001): every projector's checkpoint,
//! lag, events per second, health and retry countdown; faults a teacher injects;
//! retry, skip and rebuild by hand; the workshop clock that makes hours pass in
//! seconds.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::session::use_session;
use crate::event_sourcing::projection_engine::{Fault, FaultMode, Health};
use crate::lab::ProjectorReport;

/// The clock speeds offered.
const SPEEDS: &[(f64, &str)] = &[(1.0, "×1"), (60.0, "×60"), (3600.0, "×3600")];

/// `m:ss` or `h:mm:ss` until a time, from the workshop clock's now.
fn countdown(until: chrono::DateTime<chrono::Utc>, now: &str) -> String {
    let Ok(now) = chrono::DateTime::parse_from_rfc3339(now) else {
        return String::new();
    };
    let seconds = (until - now.with_timezone(&chrono::Utc)).num_seconds().max(0);
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    if h > 0 { format!("{h}:{m:02}:{s:02}") } else { format!("{m}:{s:02}") }
}

/// The fault choices for a projector: a value for the select and the fault it means.
fn fault_choices(report: &ProjectorReport) -> Vec<(String, String, Option<Fault>)> {
    let mut choices = vec![
        ("none".to_owned(), "no fault".to_owned(), None),
        ("always:*".to_owned(), "fail every event".to_owned(), Some(Fault { event_type: None, mode: FaultMode::Always, seen: 0 })),
        ("third:*".to_owned(), "fail the 3rd event only".to_owned(), Some(Fault { event_type: None, mode: FaultMode::Nth(3), seen: 0 })),
    ];
    for event_type in report.subscribes_to {
        choices.push((format!("always:{event_type}"), format!("fail every {event_type}"), Some(Fault {
            event_type: Some((*event_type).to_owned()),
            mode: FaultMode::Always,
            seen: 0,
        })));
        choices.push((format!("third:{event_type}"), format!("fail the 3rd {event_type} only"), Some(Fault {
            event_type: Some((*event_type).to_owned()),
            mode: FaultMode::Nth(3),
            seen: 0,
        })));
    }
    choices
}

/// The select value of a projector's current fault.
fn fault_value(fault: &Option<Fault>) -> String {
    match fault {
        None => "none".to_owned(),
        Some(fault) => format!(
            "{}:{}",
            if fault.mode == FaultMode::Always { "always" } else { "third" },
            fault.event_type.as_deref().unwrap_or("*")
        ),
    }
}

#[component]
pub fn ProjectionsPanel() -> impl IntoView {
    let session = use_session();
    let status = Memo::new(move |_| session.with_bus(|lab| lab.projection_status()));
    // Events per second: applied counts a second apart.
    let rates = RwSignal::new(HashMap::<&'static str, f64>::new());
    let last = StoredValue::new(None::<(f64, HashMap<&'static str, u64>)>);
    Effect::new(move |_| {
        let status = status.get();
        let now = js_sys::Date::now();
        let counts: HashMap<&'static str, u64> = status.projectors.iter().map(|p| (p.name, p.lane.applied)).collect();
        let previous = last.get_value();
        match previous {
            Some((then, before)) if now - then >= 1000.0 => {
                let seconds = (now - then) / 1000.0;
                rates.set(counts.iter().map(|(name, count)| (*name, (count - before.get(name).copied().unwrap_or(0)) as f64 / seconds)).collect());
                last.set_value(Some((now, counts)));
            }
            Some(_) => {}
            None => last.set_value(Some((now, counts))),
        }
    });

    view! {
        <section class="card panel projections" data-testid="projections" aria-label="Projections">
            <header class="panel-header">
                <h2>"Projections"</h2>
                <span class="panel-note" data-testid="workshop-clock">
                    {move || {
                        let status = status.get();
                        let time = status.clock.get(11..19).unwrap_or("").to_owned();
                        format!("workshop clock {time} · head {}", status.head)
                    }}
                </span>
            </header>
            <div class="panel-body">
                <div class="clock-controls">
                    <label class="inline">"speed"
                        <select data-testid="clock-speed" on:change=move |e| {
                            session.set_clock_speed(event_target_value(&e).parse().unwrap_or(1.0));
                        }>
                            {SPEEDS.iter().map(|&(speed, label)| view! {
                                <option value=speed.to_string() selected=move || status.get().clock_speed == speed>{label}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <button class="ghost small" data-testid="clock-plus-minute" on:click=move |_| session.advance_clock(1)>"+1 min"</button>
                    <button class="ghost small" data-testid="clock-plus-hour" on:click=move |_| session.advance_clock(60)>"+1 h"</button>
                    <button class="ghost small" data-testid="clock-plus-6-hours" on:click=move |_| session.advance_clock(360)>"+6 h"</button>
                </div>
                <table class="rows projectors">
                    <thead><tr><th>"Projector · health"</th><th class="num">"At"</th><th class="num">"Lag"</th><th class="num">"/s"</th><th>"Fault"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                    <tbody>
                        {move || {
                            let status = status.get();
                            let now = status.clock.clone();
                            status.projectors.into_iter().map(|report| {
                                let name = report.name;
                                let choices = fault_choices(&report);
                                let faults: Vec<(String, Option<Fault>)> =
                                    choices.iter().map(|(key, _, fault)| (key.clone(), fault.clone())).collect();
                                let current = fault_value(&report.lane.fault);
                                let stopped = !matches!(report.lane.health, Health::Running);
                                let rebuilding = report.lane.rebuild.is_some();
                                let rate = rates.with(|rates| rates.get(name).copied().unwrap_or(0.0));
                                let health = match &report.lane.health {
                                    Health::Running if rebuilding => view! {
                                        <span class="badge confirmed">"rebuilding"</span>
                                        <progress data-testid="rebuild-progress" max=status.head.max(1).to_string() value=report.position.to_string()></progress>
                                    }.into_any(),
                                    Health::Running => view! { <span class="badge accepted">"running"</span> }.into_any(),
                                    Health::Retrying { error } => view! {
                                        <span class="badge conflict">"retrying"</span>
                                        <span class="error-line" title=error.message.clone()>
                                            {format!(" #{} {} · retry {} in ", error.position, error.event_type, error.retry_count + 1)}
                                            <span data-testid="retry-countdown">{error.next_retry_at.map(|at| countdown(at, &now)).unwrap_or_default()}</span>
                                        </span>
                                    }.into_any(),
                                    Health::DeadLettered { error } => view! {
                                        <span class="badge rejected">"dead letter"</span>
                                        <span class="error-line" title=error.message.clone()>{format!(" #{} {} after {} retries", error.position, error.event_type, error.retry_count)}</span>
                                    }.into_any(),
                                };
                                let letters = report.lane.dead_letters.len();
                                view! {
                                    <tr data-projector=name data-health=health_name(&report.lane.health) class:stopped=stopped>
                                        <td class="health">
                                            <span class="mono">{name}</span>
                                            {(letters > 0).then(|| view! { <span class="muted" title="dead letters" data-testid="dead-letter-count">{format!(" ✉{letters}")}</span> })}
                                            " "{health}
                                        </td>
                                        <td class="num" data-field="position">{report.position}</td>
                                        <td class="num" data-field="lag">{report.lag}</td>
                                        <td class="num">{format!("{rate:.0}")}</td>
                                        <td>
                                            <select class="fault" data-testid=format!("fault-{name}") aria-label=format!("fault injected into {name}") on:change=move |e| {
                                                let value = event_target_value(&e);
                                                let fault = faults.iter().find(|(key, _)| *key == value).and_then(|(_, fault)| fault.clone());
                                                session.set_fault(name, fault);
                                            }>
                                                {choices.into_iter().map(|(key, label, _)| {
                                                    let selected = key == current;
                                                    view! { <option value=key selected=selected>{label}</option> }
                                                }).collect_view()}
                                            </select>
                                        </td>
                                        <td class="actions">
                                            <button class="small" data-testid=format!("retry-{name}") disabled=!stopped on:click=move |_| session.resolve(name, false)>"Retry"</button>
                                            <button class="ghost small" data-testid=format!("skip-{name}") disabled=!stopped on:click=move |_| session.resolve(name, true)>"Skip"</button>
                                            <button class="ghost small" data-testid=format!("rebuild-{name}") disabled=rebuilding title="Rebuild from position 0"
                                                on:click=move |_| spawn_local(async move { session.rebuild(name).await })>"↻ Rebuild"</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()
                        }}
                    </tbody>
                </table>
                <p class="panel-note">"A failing projector stops at the event that failed and retries after 1 min, 5 min, 15 min, 1 h, 6 h; then the event is dead-lettered and waits for Retry or Skip. The others keep up."</p>
            </div>
        </section>
    }
}

fn health_name(health: &Health) -> &'static str {
    match health {
        Health::Running => "running",
        Health::Retrying { .. } => "retrying",
        Health::DeadLettered { .. } => "dead_lettered",
    }
}
