//! Long texts across the JS boundary: a JS string into wasm memory in a buffer of
//! its own size ([`text_of`]), a file's bytes or text into wasm memory
//! ([`bytes_of`]), and a text written in wasm out to JS in parts, never held whole
//! ([`JsTextParts`]).
//!
//! wasm-bindgen hands a string over by copying its ASCII start a character at a time
//! from JS and, at the first other character, taking three bytes for each character
//! left. An export file has a name such as García near its start, so a 56 MB file
//! took a buffer of ~170 MB: wasm memory never shrinks, and a page that had imported
//! 100k events held 226 MB. Here the text is encoded by the browser (`encodeInto`)
//! straight into a buffer as long as the string, and only the little that does not
//! fit (the bytes beyond one per character) takes more room.

use std::io;

use js_sys::{Array, JsString, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = TextEncoder)]
    type Encoder;

    #[wasm_bindgen(constructor, js_class = "TextEncoder")]
    fn new() -> Encoder;

    /// `{read, written}`: UTF-16 units read from `source`, bytes written to `destination`.
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &Encoder, source: &JsString, destination: &Uint8Array) -> JsValue;
}

/// The text of a JS string, if `value` is one.
pub fn string_of(value: &JsValue) -> Option<String> {
    value.dyn_ref::<JsString>().map(text_of)
}

/// A file's bytes, if `value` is its text, its bytes (`Uint8Array`) or an
/// `ArrayBuffer` of them. Bytes are copied into wasm memory as they are; a text is
/// encoded first ([`text_of`]). For the 43 MB export of 100k events, the copy takes
/// about 40% of the encoding's time, and an import ~25–40 ms less (`make bench`, five runs).
pub fn bytes_of(value: &JsValue) -> Option<Vec<u8>> {
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        return Some(bytes.to_vec());
    }
    if let Some(buffer) = value.dyn_ref::<js_sys::ArrayBuffer>() {
        return Some(Uint8Array::new(buffer).to_vec());
    }
    string_of(value).map(String::into_bytes)
}

/// The text of `source` in a `String` of about its length.
pub fn text_of(source: &JsString) -> String {
    let encoder = Encoder::new();
    let mut rest = source.clone();
    let mut bytes: Vec<u8> = Vec::with_capacity(rest.length() as usize);
    loop {
        let spare = bytes.spare_capacity_mut();
        let room = spare.len();
        // SAFETY: the view covers the vector's spare room, and nothing allocates in
        // wasm (which could move or grow its memory) while the browser writes into it.
        let view = unsafe { Uint8Array::view_mut_raw(spare.as_mut_ptr().cast::<u8>(), room) };
        let result = encoder.encode_into(&rest, &view);
        let count = |field: &str| Reflect::get(&result, &field.into()).ok().and_then(|value| value.as_f64()).unwrap_or(0.0) as u32;
        let (read, written) = (count("read"), count("written"));
        // SAFETY: the browser wrote `written` bytes (never more than the room) at the
        // start of the spare room.
        unsafe { bytes.set_len(bytes.len() + (written as usize).min(room)) };
        if read >= rest.length() {
            break;
        }
        if read == 0 && room >= 4 {
            // No progress with room for any character: not what `encodeInto` does,
            // but never a loop; the text is handed over as wasm-bindgen does.
            return String::from(source);
        }
        // A character needs at most 3 bytes for each UTF-16 unit it takes; exactly
        // that much more room (`reserve` would double a long text's buffer).
        rest = rest.slice(read, rest.length());
        bytes.reserve_exact(3 * rest.length() as usize);
    }
    // SAFETY: `encodeInto` writes UTF-8 and never splits a character (a lone
    // surrogate becomes U+FFFD), so every byte written is part of valid UTF-8.
    unsafe { String::from_utf8_unchecked(bytes) }
}

/// A writer that hands what is written to it over to JS as texts of about
/// [`PART_BYTES`] each, so that a long text (an export file) never sits whole in
/// wasm memory. A character split between two writes waits for its other bytes.
#[derive(Default)]
pub struct JsTextParts {
    parts: Vec<JsValue>,
    pending: Vec<u8>,
}

/// About how long each part is.
pub const PART_BYTES: usize = 1 << 20;

impl JsTextParts {
    /// The parts, in order, every byte written handed over.
    pub fn into_parts(mut self) -> Array {
        self.hand_over();
        self.parts.into_iter().collect()
    }

    /// The text written, as one JS string.
    pub fn into_string(self) -> JsString {
        self.into_parts().join("")
    }

    /// Hands over every whole character written so far.
    fn hand_over(&mut self) {
        let whole = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            // A character cut short at the end: it is completed by the next write.
            Err(error) if error.error_len().is_none() => error.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        if whole > 0 {
            self.parts.push(JsValue::from_str(&String::from_utf8_lossy(&self.pending[..whole])));
            self.pending.drain(..whole);
        }
    }
}

impl io::Write for JsTextParts {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        if self.pending.len() >= PART_BYTES {
            self.hand_over();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
