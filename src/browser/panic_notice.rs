//! When the page's code panics, wasm stops for good: buttons and `window.kiroku` no
//! longer answer. Instead of a page that looks alive and does nothing, the panic hook
//! puts a notice on top of it that says so, keeps the message for a bug report, and
//! offers a reload (the stored log opens again). The notice is plain DOM with a
//! plain JS `onclick`: nothing in it calls back into the stopped wasm.

use wasm_bindgen::JsCast;

/// The notice's `data-testid`.
pub const TEST_ID: &str = "fatal-error";

/// Logs a panic to the console (with its stack) and shows the notice.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show(&info.to_string());
    }));
}

/// Puts the notice on the page (once: a later panic only adds its message, if new), its
/// reload button focused so Enter reloads. Anything the page lacks, it skips.
pub fn show(message: &str) {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else { return };
    let Some(body) = document.body() else { return };
    let selector = format!("[data-testid={TEST_ID}]");
    if let Ok(Some(notice)) = document.query_selector(&selector) {
        if let Ok(Some(details)) = notice.query_selector("pre") {
            let shown = details.text_content().unwrap_or_default();
            if !shown.split("\n\n").any(|earlier| earlier == message) {
                details.set_text_content(Some(&format!("{shown}\n\n{message}")));
            }
        }
        return;
    }
    let Ok(notice) = document.create_element("div") else { return };
    let _ = notice.set_attribute("class", "fatal-error");
    let _ = notice.set_attribute("role", "alert");
    let _ = notice.set_attribute("data-testid", TEST_ID);
    notice.set_inner_html(
        "<h2>Kiroku stopped on an error it did not expect</h2>\
         <p>The page no longer answers. What was stored before the error is kept in \
         this browser: reloading the page opens it again.</p>\
         <button type=\"button\" onclick=\"location.reload()\">Reload the page</button>\
         <details><summary>What went wrong (for a bug report)</summary><pre></pre></details>",
    );
    if let Ok(Some(details)) = notice.query_selector("pre") {
        details.set_text_content(Some(message));
    }
    let _ = body.append_child(&notice);
    if let Ok(Some(button)) = notice.query_selector("button") {
        if let Ok(button) = button.dyn_into::<web_sys::HtmlElement>() {
            let _ = button.focus();
        }
    }
}
