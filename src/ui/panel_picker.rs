//! Which panels are shown side by side: toggles above them, remembered per browser.

use leptos::prelude::*;

use crate::browser::preferences::{self, Preferences};

/// A panel that can be shown: its name and its title.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelChoice {
    pub name: String,
    pub title: String,
}

/// The panels shown when nothing was chosen yet.
pub const DEFAULT_PANELS: &[&str] = &["write_model", "order_summary", "order_details", "event"];

/// The saved choice, or the default one.
pub fn saved_panels() -> Vec<String> {
    preferences::load()
        .panels
        .unwrap_or_else(|| DEFAULT_PANELS.iter().map(|name| (*name).to_owned()).collect())
}

#[component]
pub fn PanelPicker(
    /// Every panel there is, in the order they are laid out.
    choices: Vec<PanelChoice>,
    /// The names of the panels shown.
    shown: RwSignal<Vec<String>>,
) -> impl IntoView {
    let toggle = move |name: String| {
        shown.update(|shown| {
            if let Some(at) = shown.iter().position(|shown| *shown == name) {
                shown.remove(at);
            } else {
                shown.push(name);
            }
        });
        preferences::save(&Preferences { panels: Some(shown.get_untracked()), ..preferences::load() });
    };
    view! {
        <nav class="panel-picker" data-testid="panel-picker" aria-label="Panels shown">
            <span class="panel-note">"show:"</span>
            {choices.into_iter().map(|choice| {
                let name = choice.name.clone();
                let pressed = {
                    let name = name.clone();
                    move || shown.get().contains(&name)
                };
                view! {
                    <button class="toggle" data-panel=name.clone() aria-pressed=move || pressed().to_string()
                        on:click=move |_| toggle(name.clone())>{choice.title}</button>
                }
            }).collect_view()}
        </nav>
    }
}
