//! The lab's screen: commands on the left; the timeline above the panels the user
//! picked (write model, event, read models, buses), all as of the selected position.

use leptos::prelude::*;

use super::aggregate_panel::AggregatePanel;
use super::broker_panel::BrokerPanel;
use super::bus_panel::CommandBusPanel;
use super::command_result::CommandResultPanel;
use super::command_tabs::CommandTabs;
use super::concurrency_panel::ConcurrencyPanel;
use super::inspector::EventInspector;
use super::order_details::OrderDetailsPanel;
use super::order_summary::OrderSummaryPanel;
use super::panel_picker::{saved_panels, PanelChoice, PanelPicker};
use super::projections_panel::ProjectionsPanel;
use super::query_bus_panel::QueryBusPanel;
use super::read_model_panel::ReadModelPanel;
use super::sagas_panel::SagasPanel;
use super::session::use_session;
use super::timeline::Timeline;
use crate::read_models::{ModelSet, ReadModels};

/// Panels with a component of their own; every other read model shows as a table.
const SPECIAL: &[(&str, &str)] = &[
    ("write_model", "Write model"),
    ("order_summary", "Order summary"),
    ("order_details", "Order details"),
    ("event", "Event"),
];
const TOOLS: &[(&str, &str)] = &[
    ("projections", "Projections"),
    ("broker", "Broker"),
    ("sagas", "Sagas"),
    ("command_bus", "Command bus"),
    ("query_bus", "Query bus"),
    ("concurrency", "Two clients"),
];

/// How often retries that fell due on the workshop clock are run.
const TICK: std::time::Duration = std::time::Duration::from_millis(250);

fn choices() -> Vec<PanelChoice> {
    let choice = |(name, title): &(&str, &str)| PanelChoice { name: (*name).to_owned(), title: (*title).to_owned() };
    let tables = ReadModels::default()
        .tables()
        .into_iter()
        .filter(|table| !SPECIAL.iter().any(|(name, _)| *name == table.name))
        .map(|table| PanelChoice { name: table.name.to_owned(), title: table.title.to_owned() });
    SPECIAL.iter().map(choice).chain(tables).chain(TOOLS.iter().map(choice)).collect()
}

#[component]
pub fn Workspace() -> impl IntoView {
    let session = use_session();
    let position = session.position;
    let shown = RwSignal::new(saved_panels());
    // Retries fall due on the workshop clock: look a few times a second.
    if let Ok(ticker) = set_interval_with_handle(move || session.tick(), TICK) {
        on_cleanup(move || ticker.clear());
    }

    // Everything below is "as of the selected position", and "just before it" so
    // that what the selected event changed can be highlighted.
    let head = Memo::new(move |_| session.head());
    let event = Memo::new(move |_| session.with_lab(|lab| lab.event_at(position.get())));
    // Only the read models of the panels on screen are brought to the position.
    let models = Memo::new(move |_| {
        let set = shown.with(|shown| ModelSet::named(shown.iter().map(String::as_str)));
        session.models_at(position.get(), set)
    });
    let stream = Memo::new(move |_| {
        session.pinned_stream.get().or_else(|| event.get().map(|event| event.stream_id.to_string()))
    });
    let aggregate = Memo::new(move |_| {
        let stream = stream.get()?;
        session.with_lab(|lab| lab.aggregate_at(&stream, position.get()))
    });
    let aggregate_before = Memo::new(move |_| {
        let stream = stream.get()?;
        session.with_lab(|lab| lab.aggregate_at(&stream, position.get().saturating_sub(1)))
    });
    // The order the selected event belongs to: its rows are highlighted.
    let changed_order = Memo::new(move |_| {
        event.get().filter(|event| event.stream_type == "Order").map(|event| event.aggregate_id().to_owned())
    });

    let panel = move |name: String| -> AnyView {
        match name.as_str() {
            "write_model" => view! { <AggregatePanel aggregate=aggregate before=aggregate_before/> }.into_any(),
            "order_summary" => view! { <OrderSummaryPanel models=models changed_order=changed_order/> }.into_any(),
            "order_details" => view! { <OrderDetailsPanel models=models changed_order=changed_order/> }.into_any(),
            "event" => view! { <EventInspector event=event/> }.into_any(),
            "command_bus" => view! { <CommandBusPanel/> }.into_any(),
            "query_bus" => view! { <QueryBusPanel/> }.into_any(),
            "concurrency" => view! { <ConcurrencyPanel/> }.into_any(),
            "projections" => view! { <ProjectionsPanel/> }.into_any(),
            "broker" => view! { <BrokerPanel/> }.into_any(),
            "sagas" => view! { <SagasPanel/> }.into_any(),
            table_name => view! { <ReadModelPanel models=models name=table_name.to_owned()/> }.into_any(),
        }
    };
    let all = choices();
    let order: Vec<String> = all.iter().map(|choice| choice.name.clone()).collect();

    view! {
        <main class="workspace">
            <aside class="commands" aria-label="Commands">
                <CommandTabs/>
                <CommandResultPanel/>
            </aside>
            <section class="views">
                <Timeline head=head/>
                <PanelPicker choices=all shown=shown/>
                {move || {
                    let shown = shown.get();
                    let names: Vec<String> = order.iter().filter(|name| shown.contains(name)).cloned().collect();
                    let class = format!("panels count-{}", names.len().min(9));
                    view! { <div class=class>{names.into_iter().map(panel).collect_view()}</div> }
                }}
            </section>
        </main>
    }
}
