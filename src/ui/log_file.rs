//! Export the log to a file and import one (CONTRACT §4): a workshop can hand out a
//! prepared history. An import replaces the log only after checking all of it; the
//! page shows where it is (reading the file, then checking, saving and projecting)
//! and what came of it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::format::thousands;
use super::session::{close_on_escape, use_session, Popover};
use crate::browser::environment::{after_next_paint, monotonic_ms};

/// Where an import from a file is.
#[derive(Clone, Debug, PartialEq)]
enum Import {
    Idle,
    Reading { file: String },
    Checking { file: String },
    Done { file: String, events: usize, ms: f64 },
    Failed { file: String, error: String },
}

impl Import {
    fn busy(&self) -> bool {
        matches!(self, Import::Reading { .. } | Import::Checking { .. })
    }

    /// The line the page shows for it.
    fn status(&self) -> String {
        match self {
            Import::Idle => String::new(),
            Import::Reading { file } => format!("Reading {file}…"),
            Import::Checking { file } => format!("Checking, saving and projecting the events of {file}…"),
            Import::Done { file, events, ms } => {
                format!("Imported {} events from {file} in {:.1} s.", thousands(*events as u64), ms / 1000.0)
            }
            Import::Failed { file, error } => format!("Nothing was imported from {file}, and the log is as it was: {error}"),
        }
    }
}

/// A file's size as people read it: `860 bytes`, `12.4 KB`, `43.2 MB`.
fn size(bytes: f64) -> String {
    match bytes {
        b if b < 1e3 => format!("{b} bytes"),
        b if b < 1e6 => format!("{:.1} KB", b / 1e3),
        b => format!("{:.1} MB", b / 1e6),
    }
}

#[component]
pub fn LogFile(database: String) -> impl IntoView {
    let session = use_session();
    let input = NodeRef::<leptos::html::Input>::new();
    let import = RwSignal::new(Import::Idle);

    let export = move |_| {
        // Handed to the file in parts: the file is never held whole in wasm memory.
        let mut parts = crate::browser::text::JsTextParts::default();
        if let Err(error) = session.lab().write_export(&mut parts) {
            let _ = window().alert_with_message(&format!("The log could not be exported: {error}"));
            return;
        }
        let parts = parts.into_parts();
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("application/json");
        let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else { return };
        let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
        if let Ok(anchor) = document().create_element("a").map(|a| a.unchecked_into::<web_sys::HtmlAnchorElement>()) {
            anchor.set_href(&url);
            anchor.set_download(&format!("kiroku-{database}.json"));
            anchor.click();
        }
        let _ = web_sys::Url::revoke_object_url(&url);
    };

    let choose = move |_| {
        let Some(chosen) = input.get().and_then(|input| input.files()).and_then(|files| files.get(0)) else { return };
        // Chosen again later, the same file must fire `change` again.
        if let Some(input) = input.get() {
            input.set_value("");
        }
        if session.replacing_log.get_untracked() {
            return;
        }
        let file = chosen.name();
        // Asked before the file is read: a refusal reads nothing into the page's memory.
        let sure = window()
            .confirm_with_message(&format!("Replace this storage's whole log with the events of {file} ({})?", size(chosen.size())))
            .unwrap_or(false);
        if !sure {
            return;
        }
        import.set(Import::Reading { file: file.clone() });
        session.popover.set(Popover::Import);
        session.replacing_log.set(true);
        spawn_local(async move {
            let started = monotonic_ms();
            after_next_paint().await;
            let bytes = wasm_bindgen_futures::JsFuture::from(chosen.array_buffer()).await.ok();
            let Some(bytes) = bytes.as_ref().and_then(crate::browser::text::bytes_of) else {
                import.set(Import::Failed { file, error: "the file could not be read.".into() });
                session.replacing_log.set(false);
                return;
            };
            import.set(Import::Checking { file: file.clone() });
            // Checking, saving and projecting hold the page's thread: the line above is painted first.
            after_next_paint().await;
            match session.lab().import_log(bytes).await {
                Ok(events) => {
                    import.set(Import::Done { file, events, ms: monotonic_ms() - started });
                    session.following.set(true);
                    session.log_changed();
                }
                Err(error) => import.set(Import::Failed { file, error: error.message }),
            }
            session.replacing_log.set(false);
        });
    };

    let close = move || {
        if !import.get_untracked().busy() {
            import.set(Import::Idle);
            if session.popover.get_untracked() == Popover::Import {
                session.popover.set(Popover::None);
            }
        }
    };
    let open = move || session.popover.get() == Popover::Import && import.get() != Import::Idle;
    close_on_escape(move || session.popover.get_untracked() == Popover::Import, close);

    view! {
        <button class="ghost" data-testid="export-log" on:click=export title="Download the whole log as a file">"Export"</button>
        <label class="ghost file-button" title="Replace the log with an exported file">
            "Import"
            <input type="file" accept=".json,application/json" data-testid="import-log" node_ref=input on:change=choose
                disabled=move || session.replacing_log.get()/>
        </label>
        <Show when=open>
            <div class="popover" role="dialog" aria-label="Import a log file" data-testid="import-dialog">
                <h2>"Import a log file"</h2>
                {move || {
                    let state = import.get();
                    let failed = matches!(state, Import::Failed { .. });
                    view! {
                        // Without a value while busy: the browser draws it as work going on.
                        {(!failed).then(|| view! { <progress max="1" value=(!state.busy()).then_some("1")></progress> })}
                        <p class="popover-status" role={if failed { "alert" } else { "status" }} data-testid="import-status">{state.status()}</p>
                    }
                }}
                <div class="popover-actions">
                    <button class="ghost" data-testid="import-close" on:click=move |_| close()
                        disabled=move || import.get().busy()>"Close"</button>
                </div>
            </div>
        </Show>
    }
}
