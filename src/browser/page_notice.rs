//! A notice over a page that can no longer work, instead of a page that looks alive
//! and does nothing:
//! - its code panicked: wasm stops for good, and buttons and `window.kiroku` no
//!   longer answer. The panic hook puts the notice up and keeps the message for a
//!   bug report;
//! - it let go of its storage for another tab ([`LetGo`](super::indexed_db::LetGo)):
//!   it can no longer save anything.
//!
//! Either way, a reload opens the stored log again. The notice is plain DOM with a
//! plain JS `onclick`: nothing in it calls back into wasm, which may have stopped.

use wasm_bindgen::JsCast;

/// The panic notice's `data-testid`.
pub const PANIC_TEST_ID: &str = "fatal-error";
/// The `data-testid` of the notice of a storage let go.
pub const LET_GO_TEST_ID: &str = "storage-let-go";

/// Logs a panic to the console (with its stack) and shows the notice.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show(&info.to_string());
    }));
}

/// Shows the panic notice (once: a later panic only adds its message, if new).
pub fn show(message: &str) {
    put_up(&Notice {
        test_id: PANIC_TEST_ID,
        class: "fatal-error",
        title: "Kiroku stopped on an error it did not expect",
        text: "The page no longer answers. What was stored before the error is kept in this browser: \
               reloading the page opens it again.",
        details: Some(("What went wrong (for a bug report)", message)),
    });
}

/// Shows that the page let go of its storage, and why (`text`).
pub fn show_let_go(text: &str) {
    put_up(&Notice { test_id: LET_GO_TEST_ID, class: "page-notice", title: "This page let go of its storage", text, details: None });
}

struct Notice<'a> {
    test_id: &'a str,
    class: &'a str,
    title: &'a str,
    text: &'a str,
    /// A summary, and a message shown under it when opened.
    details: Option<(&'a str, &'a str)>,
}

/// Puts the notice on the page, its reload button focused so Enter reloads; a notice
/// already up only gains the message, if new. Every text is set as text, never read
/// as markup. Anything the page lacks, it skips.
fn put_up(notice: &Notice<'_>) {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else { return };
    let Some(body) = document.body() else { return };
    let selector = format!("[data-testid={}]", notice.test_id);
    if let Ok(Some(shown)) = document.query_selector(&selector) {
        if let (Some((_, message)), Ok(Some(details))) = (notice.details, shown.query_selector("pre")) {
            let earlier = details.text_content().unwrap_or_default();
            if !earlier.split("\n\n").any(|one| one == message) {
                details.set_text_content(Some(&format!("{earlier}\n\n{message}")));
            }
        }
        return;
    }
    let element = |tag: &str, text: &str| {
        let element = document.create_element(tag).ok()?;
        element.set_text_content(Some(text));
        Some(element)
    };
    let Some(root) = element("div", "") else { return };
    let _ = root.set_attribute("class", notice.class);
    let _ = root.set_attribute("role", "alert");
    let _ = root.set_attribute("data-testid", notice.test_id);
    let reload = element("button", "Reload the page");
    if let Some(button) = &reload {
        let _ = button.set_attribute("type", "button");
        let _ = button.set_attribute("onclick", "location.reload()");
    }
    let details = notice.details.and_then(|(summary, message)| {
        let (details, summary, message) = (element("details", "")?, element("summary", summary)?, element("pre", message)?);
        let _ = details.append_child(&summary);
        let _ = details.append_child(&message);
        Some(details)
    });
    for part in [element("h2", notice.title), element("p", notice.text), reload.clone(), details].into_iter().flatten() {
        let _ = root.append_child(&part);
    }
    let _ = body.append_child(&root);
    if let Some(button) = reload.and_then(|button| button.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = button.focus();
    }
}
