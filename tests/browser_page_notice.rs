#![cfg(target_arch = "wasm32")]
//! The notice over a page that can no longer work. The panic hook the page installs:
//! a panic puts a notice over the page that says the page stopped, offers a reload
//! that calls no wasm, keeps each panic's message, and is shown once. A storage let
//! go for another tab: the same notice, with its own words.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use kiroku::browser::page_notice::{install, show, show_let_go, LET_GO_TEST_ID, PANIC_TEST_ID};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn a_panic_shows_one_notice_with_a_reload_and_every_message() {
    let document = web_sys::window().unwrap().document().unwrap();
    let selector = format!("[data-testid={PANIC_TEST_ID}]");
    assert!(document.query_selector(&selector).unwrap().is_none());

    // A real panic, called from JS as an event handler would be: wasm stops with a
    // trap (which JS catches here), and the installed hook has shown the notice.
    install();
    let handler = Closure::once_into_js(|| -> () { panic!("the first <b>error</b>") });
    let call = js_sys::Function::new_with_args("handler", "try { handler(); return 'returned'; } catch (error) { return error.name; }");
    assert_eq!(call.call1(&JsValue::NULL, &handler).unwrap().as_string().as_deref(), Some("RuntimeError"));

    let notice = document.query_selector(&selector).unwrap().expect("the notice is on the page");
    assert_eq!(notice.get_attribute("role").as_deref(), Some("alert"));
    let text = notice.text_content().unwrap();
    assert!(text.contains("Kiroku stopped on an error it did not expect"), "{text}");
    assert!(text.contains("reloading the page opens it again"), "{text}");

    // The panic's message and place, shown as text, not read as markup.
    let details = notice.query_selector("pre").unwrap().unwrap();
    let first = details.text_content().unwrap();
    assert!(first.starts_with("panicked at tests/browser_page_notice.rs:"), "{first}");
    assert!(first.ends_with("the first <b>error</b>"), "{first}");
    assert!(details.query_selector("b").unwrap().is_none());

    // The reload is plain JS (the wasm that would run a Rust handler has stopped),
    // and it has the focus, so Enter reloads.
    let button = notice.query_selector("button").unwrap().unwrap();
    assert_eq!(button.get_attribute("onclick").as_deref(), Some("location.reload()"));
    assert_eq!(button.text_content().unwrap(), "Reload the page");
    let focused = document.active_element().expect("something has the focus");
    assert!(focused.is_same_node(Some(button.unchecked_ref())));

    // A later panic adds its message to the same notice, once.
    let body = document.body().unwrap();
    let children = body.child_element_count();
    show("the second error");
    show("the second error");
    assert_eq!(body.child_element_count(), children, "no second notice");
    assert_eq!(details.text_content().unwrap(), format!("{first}\n\nthe second error"));
}

#[wasm_bindgen_test]
fn a_storage_let_go_shows_its_notice_with_a_reload_and_its_words_as_text() {
    let document = web_sys::window().unwrap().document().unwrap();
    let selector = format!("[data-testid={LET_GO_TEST_ID}]");
    assert!(document.query_selector(&selector).unwrap().is_none());

    show_let_go("Another tab opened the storage “<i>x</i>” with a newer Kiroku.");
    let notice = document.query_selector(&selector).unwrap().expect("the notice is on the page");
    assert_eq!(notice.get_attribute("class").as_deref(), Some("page-notice"));
    assert_eq!(notice.get_attribute("role").as_deref(), Some("alert"));
    assert_eq!(notice.query_selector("h2").unwrap().unwrap().text_content().unwrap(), "This page let go of its storage");
    let text = notice.query_selector("p").unwrap().unwrap();
    assert_eq!(text.text_content().unwrap(), "Another tab opened the storage “<i>x</i>” with a newer Kiroku.");
    assert!(text.query_selector("i").unwrap().is_none(), "a storage's name is shown as text, not read as markup");
    assert!(notice.query_selector("details").unwrap().is_none(), "no message to report");

    let button = notice.query_selector("button").unwrap().unwrap();
    assert_eq!(button.get_attribute("onclick").as_deref(), Some("location.reload()"));
    let focused = document.active_element().expect("something has the focus");
    assert!(focused.is_same_node(Some(button.unchecked_ref())));

    let body = document.body().unwrap();
    let children = body.child_element_count();
    show_let_go("again");
    assert_eq!(body.child_element_count(), children, "no second notice");
    notice.remove();
}
