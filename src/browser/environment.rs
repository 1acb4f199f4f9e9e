//! The lab's [`Environment`] in the browser: the wall clock, UUID v4s from `crypto`,
//! and a state the lab let go of freed after the next paint.

use std::any::Any;

use chrono::{DateTime, Utc};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::lab::Environment;

pub struct BrowserEnvironment;

impl Environment for BrowserEnvironment {
    fn now(&self) -> DateTime<Utc> {
        let millis = js_sys::Date::now() as i64;
        DateTime::from_timestamp_millis(millis).unwrap_or_default()
    }

    fn new_id(&self) -> String {
        new_uuid()
    }

    fn monotonic_ms(&self) -> f64 {
        monotonic_ms()
    }

    fn release(&self, garbage: Box<dyn Any>) {
        free_after_paint(garbage);
    }
}

/// Drops `garbage` in a task of its own after the page's next paint
/// ([`after_next_paint`]).
pub fn free_after_paint(garbage: Box<dyn Any>) {
    wasm_bindgen_futures::spawn_local(async move {
        after_next_paint().await;
        drop(garbage);
    });
}

/// Resolves in a task of its own after the page's next paint (a frame callback runs
/// before the paint; a task it queues runs after), or in the next task while the page
/// is hidden, which paints nothing and runs no frame callbacks. What the page showed
/// before waiting is then on screen during work that holds the thread.
pub async fn after_next_paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let Some(window) = web_sys::window() else { return };
        let queue_task = move || {
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback(&resolve);
            }
        };
        if window.document().is_none_or(|document| document.hidden()) {
            queue_task();
        } else {
            let _ = window.request_animation_frame(Closure::once_into_js(queue_task).unchecked_ref());
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The page's monotonic clock (`performance.now()`), in milliseconds.
pub fn monotonic_ms() -> f64 {
    web_sys::window().and_then(|window| window.performance()).map_or(0.0, |performance| performance.now())
}

/// A random UUID v4, from the browser's cryptographic random source.
pub fn new_uuid() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|window| window.crypto().ok())
        .and_then(|crypto| crypto.get_random_values_with_u8_array(&mut bytes).ok())
        .is_some();
    if !filled {
        // No crypto (never in a supported browser): fall back to Math.random.
        for byte in bytes.iter_mut() {
            *byte = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
}
