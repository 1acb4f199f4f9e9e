//! The root: opens the log, installs `window.kiroku`, and shows the workspace once
//! the log is loaded (or why it could not be).

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use super::session::Session;
use super::demo_history::DemoHistoryButton;
use super::log_file::LogFile;
use super::user_switcher::UserSwitcher;
use super::workspace::Workspace;
use crate::browser::indexed_db::{LetGo, SCHEMA_VERSION};
use crate::browser::{self, console, page_notice, preferences, PageHooks};

#[derive(Debug, Clone, PartialEq)]
enum Loading {
    Opening,
    Ready,
    Failed(String),
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let prefs = preferences::load();
    preferences::apply_theme(prefs.theme);
    let theme = RwSignal::new(prefs.theme);
    let session = Session::new();
    provide_context(session);
    let loading = RwSignal::new(Loading::Opening);
    // The open waits for another tab to close the storage.
    let waiting = RwSignal::new(false);
    let database = browser::database_name();

    // `kiroku.ready` resolves once the log is loaded, with `{status}`.
    let resolve_ready: Rc<RefCell<Option<js_sys::Function>>> = Rc::default();
    let ready = {
        let resolve_ready = resolve_ready.clone();
        js_sys::Promise::new(&mut |resolve, _reject| *resolve_ready.borrow_mut() = Some(resolve))
    };
    let settle = move |answer: serde_json::Value| {
        if let Some(resolve) = resolve_ready.borrow_mut().take() {
            let answer = js_sys::JSON::parse(&answer.to_string()).unwrap_or(JsValue::NULL);
            let _ = resolve.call1(&JsValue::NULL, &answer);
        }
    };
    let slot = Rc::new(OnceCell::new());
    if let Err(error) = console::install(slot.clone(), ready, Rc::new(move || session.log_changed_next_frame())) {
        web_sys::console::warn_2(&"window.kiroku is unavailable:".into(), &error);
    }

    {
        let database = database.clone();
        spawn_local(async move {
            let hooks = PageHooks {
                message_arrived: Rc::new(move || session.message_arrived()),
                other_tab_wrote: Rc::new(move || session.catch_up_with_other_tabs()),
                waiting_for_other_tab: Rc::new(move || waiting.set(true)),
                let_go: {
                    let database = database.clone();
                    Rc::new(move |why| page_notice::show_let_go(&let_go_text(why, &database)))
                },
            };
            match browser::open_lab(&database, hooks).await {
                Ok(lab) => {
                    let _ = slot.set(lab.clone());
                    session.attach(lab.clone());
                    loading.set(Loading::Ready);
                    settle(serde_json::json!({ "status": "ok", "position": lab.head() }));
                }
                Err(error) => {
                    loading.set(Loading::Failed(error.clone()));
                    settle(serde_json::json!({ "status": "error", "error": { "code": "storage_failed", "message": error } }));
                }
            }
        });
    }

    // Another tab's changes are heard as they happen; on focus the page also reads
    // what it may not have heard (a browser without BroadcastChannel).
    let _focus = window_event_listener(leptos::ev::focus, move |_| {
        if loading.get_untracked() == Loading::Ready {
            session.catch_up_with_other_tabs();
        }
    });

    let cycle_theme = move |_| {
        let next = theme.get_untracked().next();
        theme.set(next);
        preferences::apply_theme(next);
        preferences::save(&preferences::Preferences { theme: next, ..preferences::load() });
    };
    let reset = move |_| {
        let confirmed = window()
            .confirm_with_message("Clear the whole event log of this storage? This cannot be undone.")
            .unwrap_or(false);
        if confirmed {
            spawn_local(async move {
                if let Err(error) = session.reset().await {
                    let _ = window().alert_with_message(&format!("The log could not be cleared: {error}"));
                }
            });
        }
    };

    view! {
        <header class="app-header">
            <h1><span class="brand-mark" lang="ja">"記録"</span>" Kiroku"</h1>
            <p class="tagline">"event sourcing + CQRS lab"</p>
            <div class="header-tools">
                {move || (loading.get() == Loading::Ready).then(|| view! { <UserSwitcher/> })}
                {
                    let database = database.clone();
                    move || (loading.get() == Loading::Ready).then(|| view! { <LogFile database=database.clone()/> })
                }
                {move || (loading.get() == Loading::Ready).then(|| view! { <DemoHistoryButton/> })}
                <span class="storage" title=format!("The IndexedDB database holding this log: {database} (?db=name picks another)")>
                    "storage: " {database.clone()}
                </span>
                <button class="ghost" on:click=cycle_theme data-testid="theme-toggle">{move || theme.get().label()}</button>
                <button class="ghost danger" on:click=reset data-testid="reset-log"
                    disabled=move || loading.get() != Loading::Ready>"Clear log"</button>
            </div>
        </header>
        {move || match loading.get() {
            // Until the workspace (the page's `main`) is there, what stands in its place is the `main`.
            Loading::Opening => view! {
                <main>
                    <p class="loading" role="status" data-testid="opening">
                        {move || if waiting.get() {
                            "Waiting for another Kiroku tab to close this storage: it has it open in an \
                             older layout. Close or reload that tab, and this one opens."
                        } else {
                            "Opening the event log…"
                        }}
                    </p>
                </main>
            }.into_any(),
            Loading::Failed(error) => view! {
                <main>
                    <div class="load-failed" role="alert">
                        <h2>"The event log could not be opened"</h2>
                        <p>{error}</p>
                        <p>"Kiroku keeps its log in IndexedDB. Private windows and some privacy settings turn it off."</p>
                    </div>
                </main>
            }.into_any(),
            Loading::Ready => view! { <Workspace/> }.into_any(),
        }}
    }
}

/// Why this page let go of its storage, for the notice over it: it can no longer save
/// anything, and a reload opens the storage again.
fn let_go_text(why: LetGo, database: &str) -> String {
    match why {
        LetGo::Upgraded(layout) => format!(
            "Another tab opened the storage “{database}” with a newer Kiroku (storage layout {layout}; this page \
             reads layout {SCHEMA_VERSION}). This page closed the storage so that it could be upgraded, and can no \
             longer save anything. Everything stored is kept: reload to go on with the newer Kiroku."
        ),
        LetGo::Deleted => format!(
            "The storage “{database}” is being deleted, by another tab or the browser's settings. This page closed \
             it so that the deletion could go on, and can no longer save anything. Reload to start on an empty log."
        ),
    }
}
