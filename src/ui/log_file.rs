//! Export the log to a file and import one (CONTRACT §4): a workshop can hand out a
//! prepared history. An import replaces the log only after checking all of it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::session::use_session;

#[component]
pub fn LogFile(database: String) -> impl IntoView {
    let session = use_session();
    let input = NodeRef::<leptos::html::Input>::new();

    let export = move |_| {
        // Handed to the file in parts: the file is never held whole in wasm memory.
        let mut parts = crate::browser::text::JsTextParts::default();
        if session.lab().write_export(&mut parts).is_err() {
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

    let import = move |_| {
        let Some(file) = input.get().and_then(|input| input.files()).and_then(|files| files.get(0)) else { return };
        spawn_local(async move {
            let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await else { return };
            let text = crate::browser::text::string_of(&text).unwrap_or_default();
            let sure = window()
                .confirm_with_message(&format!("Replace this storage's whole log with the events of {}?", file.name()))
                .unwrap_or(false);
            if sure {
                match session.lab().import_log(text).await {
                    Ok(count) => {
                        session.following.set(true);
                        session.log_changed();
                        let _ = window().alert_with_message(&format!("Imported {count} events."));
                    }
                    Err(error) => {
                        let _ = window().alert_with_message(&format!("Nothing was imported: {}", error.message));
                    }
                }
            }
            if let Some(input) = input.get() {
                input.set_value("");
            }
        });
    };

    view! {
        <button class="ghost" data-testid="export-log" on:click=export title="Download the whole log as a file">"Export"</button>
        <label class="ghost file-button" title="Replace the log with an exported file">
            "Import"
            <input type="file" accept=".json,application/json" data-testid="import-log" node_ref=input on:change=import/>
        </label>
    }
}
