//! The lab's screen: commands on the left; the timeline above the write model, the
//! event inspector and the read models, all as of the selected position.

use leptos::prelude::*;

use super::aggregate_panel::AggregatePanel;
use super::command_result::CommandResultPanel;
use super::inspector::EventInspector;
use super::order_commands::OrderCommands;
use super::order_details::OrderDetailsPanel;
use super::order_summary::OrderSummaryPanel;
use super::session::use_session;
use super::timeline::Timeline;

#[component]
pub fn Workspace() -> impl IntoView {
    let session = use_session();
    let position = session.position;

    // Everything below is "as of the selected position", and "just before it" so
    // that what the selected event changed can be highlighted.
    let head = Memo::new(move |_| session.head());
    let event = Memo::new(move |_| session.with_lab(|lab| lab.event_at(position.get())));
    let models = Memo::new(move |_| session.with_lab(|lab| lab.read_models_at(position.get())));
    let models_before =
        Memo::new(move |_| session.with_lab(|lab| lab.read_models_at(position.get().saturating_sub(1))));
    let stream = Memo::new(move |_| {
        session.pinned_stream.get().or_else(|| event.get().map(|event| event.stream_id))
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

    view! {
        <main class="workspace">
            <aside class="commands" aria-label="Commands">
                <OrderCommands/>
                <CommandResultPanel/>
            </aside>
            <section class="views">
                <Timeline head=head/>
                <div class="panels">
                    <AggregatePanel aggregate=aggregate before=aggregate_before/>
                    <OrderSummaryPanel models=models before=models_before changed_order=changed_order/>
                    <OrderDetailsPanel models=models before=models_before changed_order=changed_order/>
                    <EventInspector event=event/>
                </div>
            </section>
        </main>
    }
}
