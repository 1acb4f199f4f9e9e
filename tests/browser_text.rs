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

#[wasm_bindgen_test]
fn a_text_written_in_parts_reads_back_whole_even_where_a_character_is_split_between_writes() {
    use std::io::Write;
    use kiroku::browser::text::{JsTextParts, PART_BYTES};
    // Enough to make several parts, written in pieces that cut characters in two.
    let text = "García ノートPC 💻 ".repeat(PART_BYTES / 8);
    let mut parts = JsTextParts::default();
    for piece in text.as_bytes().chunks(7) {
        parts.write_all(piece).unwrap();
    }
    let joined = parts.into_parts();
    assert!(joined.length() > 2, "{} parts", joined.length());
    assert_eq!(joined.join("").as_string().as_deref(), Some(text.as_str()));
    assert_eq!(JsTextParts::default().into_string().as_string().as_deref(), Some(""));
}
