#![cfg(target_arch = "wasm32")]
//! A JS string reaches wasm as the same text, in a buffer of about its own length:
//! an export file of 56 MB must not take 170 MB of wasm memory on the way in.

use js_sys::JsString;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

use kiroku::browser::text::{string_of, text_of};

wasm_bindgen_test_configure!(run_in_browser);

/// Texts with characters of every UTF-8 length, surrogate pairs, a lone surrogate,
/// and non-ASCII text right at the start and right at the end.
fn samples() -> Vec<JsValue> {
    let lone_surrogate = JsString::from_char_code1(0xD800);
    vec![
        JsValue::from_str(""),
        JsValue::from_str("plain ASCII, as most of an export file is"),
        JsValue::from_str("García ordered a ノートPC 💻 for ¥120,000"),
        JsValue::from_str("山田太郎"),
        JsValue::from_str("🙂🙂🙂 emoji only"),
        JsValue::from_str("ends with é"),
        JsString::from("before a lone surrogate ").concat(&lone_surrogate).concat(&"after".into()).into(),
    ]
}

#[wasm_bindgen_test]
fn a_string_reads_as_the_text_wasm_bindgen_reads() {
    for sample in samples() {
        assert_eq!(string_of(&sample), sample.as_string(), "{sample:?}");
    }
}

#[wasm_bindgen_test]
fn what_is_not_a_string_is_not_read_as_one() {
    assert_eq!(string_of(&JsValue::from_f64(1.5)), None);
    assert_eq!(string_of(&JsValue::NULL), None);
    assert_eq!(string_of(&js_sys::Object::new().into()), None);
}

#[wasm_bindgen_test]
fn a_long_text_takes_a_buffer_of_about_its_own_length() {
    // A name near the start, then a megabyte of ASCII: as wasm-bindgen hands it over,
    // that would take three bytes for each character after the name.
    let head = "García, ";
    let text = format!("{head}{}", "x".repeat(1 << 20));
    let read = text_of(&JsString::from(text.as_str()));
    assert_eq!(read, text);
    assert!(read.capacity() < text.len() + 64, "capacity {} for {} bytes", read.capacity(), text.len());
}
