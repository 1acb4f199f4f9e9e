//! Preferences kept in localStorage: small, synchronous, per browser. The log
//! itself never goes here (IndexedDB holds it).

use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};

use crate::cqrs::command_bus::Chain;
use crate::messaging::Delivery;

const KEY: &str = "kiroku.preferences";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Follow the system's light or dark setting.
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub fn next(self) -> Theme {
        match self {
            Theme::System => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::System,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "Theme: system",
            Theme::Light => "Theme: light",
            Theme::Dark => "Theme: dark",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preferences {
    pub theme: Theme,
    /// Timeline playback, in events per second.
    pub play_speed: f64,
    /// The user commands are sent as.
    pub user: Option<String>,
    /// The command bus's middleware chain.
    pub chain: Option<Chain>,
    /// The panels shown side by side, by name.
    pub panels: Option<Vec<String>>,
    /// The command tab open on the left.
    pub command_tab: Option<String>,
    /// How events reach the broker.
    pub delivery: Option<Delivery>,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences { theme: Theme::System, play_speed: 2.0, user: None, chain: None, panels: None, command_tab: None, delivery: None }
    }
}

/// The saved preferences, or the defaults when none are saved or they can't be read.
pub fn load() -> Preferences {
    LocalStorage::get(KEY).unwrap_or_default()
}

/// Saves the preferences; a full or disabled localStorage only loses the preference.
pub fn save(preferences: &Preferences) {
    let _ = LocalStorage::set(KEY, preferences);
}

/// Applies a theme to the page: `data-theme` on `<html>`, read by the style sheet.
pub fn apply_theme(theme: Theme) {
    let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) else {
        return;
    };
    let _ = match theme {
        Theme::System => root.remove_attribute("data-theme"),
        Theme::Light => root.set_attribute("data-theme", "light"),
        Theme::Dark => root.set_attribute("data-theme", "dark"),
    };
}
