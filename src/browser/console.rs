//! `window.kiroku`: the lab from the browser console (CONTRACT §3).
//!
//! Every call returns a Promise of plain JSON and never rejects: bad input is
//! answered `status: "invalid"`. Calls made before the log is loaded wait for it.
//! Values cross the JS boundary once per call, as one JSON text; the export file's
//! text (`exportLog`) crosses as it is written, in parts, and a file to import
//! (`importLog`) as it is, its bytes or its text.

use std::cell::OnceCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use serde::Serialize;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::text::JsTextParts;
use super::BrowserLab;
use crate::event_sourcing::envelope::ErrorBody;

/// The lab once it is loaded, shared by every console call.
type Slot = Rc<OnceCell<Rc<BrowserLab>>>;

/// Installs `window.kiroku`. `ready` resolves when the log is loaded (the lab is
/// then put in `slot`); `on_change` runs after every call that changed the log.
pub fn install(slot: Slot, ready: js_sys::Promise, on_change: Rc<dyn Fn()>) -> Result<(), JsValue> {
    let api = js_sys::Object::new();
    js_sys::Reflect::set(&api, &"ready".into(), &ready)?;

    let calls: [(&str, Handler); 7] = [
        ("send", Rc::new(|lab, input| Box::pin(async move { to_json(&lab.send(&input).await) }))),
        ("query", Rc::new(|lab, input| Box::pin(async move { to_json(&lab.query(&input)) }))),
        (
            "events",
            Rc::new(|lab, input| {
                Box::pin(async move {
                    let filter = if input.is_null() { json!({}) } else { input };
                    answer(lab.events(&filter))
                })
            }),
        ),
        ("replay", Rc::new(|lab, input| Box::pin(async move { answer(lab.replay(&input)) }))),
        (
            "measure",
            Rc::new(|lab, input| {
                Box::pin(async move {
                    let mut answer = answer(lab.measure(&input));
                    if input.get("kind").and_then(Value::as_str) == Some("memory") {
                        answer["wasm_bytes"] = json!(wasm_memory_bytes());
                        answer["heap_live_bytes"] = json!(super::heap::live_bytes());
                        answer["heap_peak_bytes"] = json!(super::heap::peak_bytes());
                        answer["heap_live_allocations"] = json!(super::heap::live_allocations());
                    }
                    answer
                })
            }),
        ),
        (
            "loadDemo",
            Rc::new(|lab, input| {
                Box::pin(async move {
                    // `loadDemo({events, seed})`, both optional.
                    let (seed, events) = match crate::lab::demo_options(&input) {
                        Ok(options) => options,
                        Err(error) => return json!({ "status": "invalid", "error": error }),
                    };
                    match lab.load_demo(seed, events).await {
                        Ok(imported) => json!({ "status": "ok", "imported": imported }),
                        Err(error) => json!({ "status": "error", "error": error }),
                    }
                })
            }),
        ),
        (
            "reset",
            Rc::new(|lab, _| {
                Box::pin(async move {
                    match lab.reset().await {
                        Ok(()) => json!({ "status": "ok" }),
                        Err(error) => json!({ "status": "error", "error": ErrorBody::new("storage_failed", error.0) }),
                    }
                })
            }),
        ),
    ];
    // The export file (43 MB at 100k events) is handed over as it is written, in
    // parts joined in JS: as a JSON answer it would be held whole in wasm memory,
    // twice (the text and the text written as a JSON string).
    let export: Call = Rc::new(|lab, _| {
        Box::pin(async move {
            let mut parts = JsTextParts::default();
            match lab.write_export(&mut parts) {
                Ok(()) => parts.into_string().into(),
                Err(error) => from_json(&json!({ "status": "error", "error": ErrorBody::new("export_failed", error.to_string()) })),
            }
        })
    });
    // `importLog(file, {mode: "replace"})`: the file is its text or its bytes
    // (`Uint8Array`, `ArrayBuffer`), taken as it is, never read as a JSON value.
    let import: Call = Rc::new(|lab, input| {
        Box::pin(async move {
            let (file, options) = match input.dyn_into::<js_sys::Array>() {
                Ok(args) => (args.get(0), args.get(1)),
                Err(file) => (file, JsValue::UNDEFINED),
            };
            let mode = js_sys::Reflect::get(&options, &"mode".into()).ok().and_then(|mode| mode.as_string());
            let answer = if mode.as_deref().is_some_and(|mode| mode != "replace") {
                json!({ "status": "invalid", "error": ErrorBody::new("unknown_mode", "the only import mode is \"replace\"") })
            } else if let Some(bytes) = super::text::bytes_of(&file) {
                match lab.import_log(bytes).await {
                    Ok(imported) => json!({ "status": "ok", "imported": imported }),
                    Err(error) => json!({ "status": "invalid", "error": error }),
                }
            } else {
                json!({ "status": "invalid", "error": ErrorBody::new("invalid_export", "pass the export file's text or bytes") })
            };
            from_json(&answer)
        })
    });
    let calls = calls.into_iter().map(|(name, handler)| (name, json_call(handler))).chain([("importLog", import), ("exportLog", export)]);
    for (name, call) in calls {
        let function = wrap(slot.clone(), ready.clone(), call, on_change.clone());
        js_sys::Reflect::set(&api, &name.into(), function.as_ref())?;
        function.forget(); // lives as long as the page
    }
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    js_sys::Reflect::set(&window, &"kiroku".into(), &api)?;
    Ok(())
}

/// A call taking and answering JSON.
type Handler = Rc<dyn Fn(Rc<BrowserLab>, Value) -> Pin<Box<dyn Future<Output = Value>>>>;

/// A call as JS sees it: a JS value in, a JS value out.
type Call = Rc<dyn Fn(Rc<BrowserLab>, JsValue) -> Pin<Box<dyn Future<Output = JsValue>>>>;

/// A [`Handler`] as a [`Call`]: its input read as JSON (bad input answered
/// `status: "invalid"`), its answer handed over as JSON.
fn json_call(handler: Handler) -> Call {
    Rc::new(move |lab, input| {
        let handler = handler.clone();
        Box::pin(async move {
            match to_value(&input) {
                Ok(input) => from_json(&handler(lab, input).await),
                Err(error) => from_json(&json!({ "status": "invalid", "error": error })),
            }
        })
    })
}

/// Turns a call into a JS function `(input, options?) => Promise`; with options,
/// the call receives `[input, options]`.
fn wrap(slot: Slot, ready: js_sys::Promise, call: Call, on_change: Rc<dyn Fn()>) -> Closure<dyn Fn(JsValue, JsValue) -> js_sys::Promise> {
    Closure::new(move |input: JsValue, options: JsValue| {
        let input = if options.is_undefined() { input } else { js_sys::Array::of2(&input, &options).into() };
        let (slot, ready, call, on_change) = (slot.clone(), ready.clone(), call.clone(), on_change.clone());
        future_to_promise(async move {
            let _ = JsFuture::from(ready).await;
            let Some(lab) = slot.get().cloned() else {
                return Ok(from_json(&json!({
                    "status": "error",
                    "error": ErrorBody::new("not_loaded", "the event log could not be opened; see the page for why"),
                })));
            };
            let last_before = lab.event_at(lab.head()).map(|event| event.event_id);
            let output = call(lab.clone(), input).await;
            if lab.event_at(lab.head()).map(|event| event.event_id) != last_before {
                on_change();
            }
            Ok(output)
        })
    })
}

/// The size of the page's wasm memory (everything the lab holds lives in it).
fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|memory| memory.buffer().dyn_into::<js_sys::ArrayBuffer>().map_or(0.0, |buffer| f64::from(buffer.byte_length())))
        .unwrap_or(0.0)
}

fn answer<T: Serialize>(result: Result<T, ErrorBody>) -> Value {
    match result {
        Ok(value) => to_json(&value),
        Err(error) => json!({ "status": "invalid", "error": error }),
    }
}

fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A JS value as JSON (`undefined` is `null`). Strings and arrays are taken as they
/// are: an export file passed to `importLog` is not written out and read again.
fn to_value(input: &JsValue) -> Result<Value, ErrorBody> {
    if input.is_undefined() || input.is_null() {
        return Ok(Value::Null);
    }
    if let Some(text) = super::text::string_of(input) {
        return Ok(Value::String(text));
    }
    if js_sys::Array::is_array(input) {
        return js_sys::Array::from(input).iter().map(|item| to_value(&item)).collect::<Result<Vec<_>, _>>().map(Value::Array);
    }
    let text = js_sys::JSON::stringify(input)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| ErrorBody::new("malformed_envelope", "the argument cannot be written as JSON"))?;
    serde_json::from_str(&text).map_err(|error| ErrorBody::new("malformed_envelope", error.to_string()))
}

fn from_json(value: &Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL)
}
