//! The lab's [`Environment`] in the browser: the wall clock and UUID v4s from `crypto`.

use chrono::{DateTime, Utc};

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
