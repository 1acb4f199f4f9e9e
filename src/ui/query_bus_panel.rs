//! The query bus made visible: its cache's hits, misses and invalidations.

use leptos::prelude::*;

use super::session::use_session;
use crate::cqrs::query_bus::DEFAULT_TTL_MS;

#[component]
pub fn QueryBusPanel() -> impl IntoView {
    let session = use_session();
    let stats = Memo::new(move |_| session.with_bus(|lab| lab.cache_stats()));
    let enabled = Memo::new(move |_| session.with_bus(|lab| lab.cache_enabled()));
    view! {
        <section class="card panel" data-testid="query-bus" aria-label="Query bus">
            <header class="panel-header">
                <h2>"Query bus"</h2>
                <span class="panel-note">{format!("cache: {} s, dropped on every write", DEFAULT_TTL_MS / 1000)}</span>
            </header>
            <div class="panel-body">
                <label class="inline">
                    <input type="checkbox" data-testid="cache-enabled" prop:checked=move || enabled.get()
                        on:change=move |e| session.set_cache_enabled(event_target_checked(&e))/>
                    "cache answers"
                </label>
                <dl class="stats">
                    <dt>"hits"</dt><dd data-testid="cache-hits">{move || stats.get().hits}</dd>
                    <dt>"misses"</dt><dd data-testid="cache-misses">{move || stats.get().misses}</dd>
                    <dt>"invalidated by writes"</dt><dd data-testid="cache-invalidated">{move || stats.get().invalidated}</dd>
                    <dt>"expired"</dt><dd>{move || stats.get().expired}</dd>
                    <dt>"answers held"</dt><dd>{move || stats.get().entries}</dd>
                </dl>
                <p class="panel-note">"Answers as of a past position never change, so they stay cached after writes."</p>
            </div>
        </section>
    }
}
