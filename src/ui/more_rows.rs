//! How many rows a long table (or cards a long list) draws: its first screenful,
//! and more as the panel is scrolled to its end (or on the "more" button). Every
//! drawn row costs each scrub step its script, layout and paint, so rows nobody has
//! scrolled to are not drawn.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Rows drawn at first: a little more than a panel shows on a laptop (about six at
/// 1366×768); a taller panel draws this many more at a time until it is full
/// ([`RowLimit::fill`]). Each row drawn past the panel's fold costs every scrub step
/// layout and paint: 8 instead of 16 took a step's p95 from 17.8 to 16.7 ms and
/// from 15.7 to 13.1 ms (two runs of 320 jumps, side by side, 100k events).
pub const FIRST_ROWS: usize = 8;
/// Rows added each time the end is reached or the button is pressed.
pub const MORE_ROWS: usize = 40;
/// How close to the end (in pixels) scrolling draws more.
const NEAR_THE_END: i32 = 48;

/// The number of rows a table draws; it only grows.
#[derive(Clone, Copy)]
pub struct RowLimit {
    limit: RwSignal<usize>,
    /// Rows drawn at first, and added at a time while the panel has room.
    first: usize,
    /// Rows added when the panel is scrolled to its end or its button pressed.
    step: usize,
}

impl RowLimit {
    /// [`FIRST_ROWS`], then [`MORE_ROWS`] more at a time.
    pub fn new() -> Self {
        Self::with(FIRST_ROWS, MORE_ROWS)
    }

    /// `first` (and `first` more while the panel has room), then `step` more each
    /// time the panel is scrolled to its end or its button pressed.
    pub fn with(first: usize, step: usize) -> Self {
        RowLimit { limit: RwSignal::new(first), first, step }
    }

    /// The number of rows to draw (tracked).
    pub fn get(self) -> usize {
        self.limit.get()
    }

    /// Draws one step more.
    pub fn more(self) {
        self.limit.update(|limit| *limit += self.step);
    }

    /// Draws a first screenful more at a time while the panel's body (the element
    /// given the returned reference) has room below its rows and `hidden` says rows
    /// are left out (a tall screen, a projector): without a scroll bar, no scrolling
    /// could ask for them. Runs when either changes, not on every redraw.
    pub fn fill(self, hidden: Memo<bool>) -> NodeRef<leptos::html::Div> {
        let body = NodeRef::<leptos::html::Div>::new();
        Effect::new(move |_| {
            self.limit.track();
            if !hidden.get() {
                return;
            }
            request_animation_frame(move || {
                // By the next frame the panel may be gone (closed, or drawn anew): then
                // its body and `hidden` are disposed, and there is nothing to fill.
                let Some(Some(body)) = body.try_get_untracked() else { return };
                // A body not laid out (0 high) has no room to speak of.
                let room = body.client_height() > 0 && body.scroll_height() <= body.client_height() + NEAR_THE_END;
                if room && hidden.try_get_untracked() == Some(true) {
                    self.limit.update(|limit| *limit += self.first);
                }
            });
        });
        body
    }

    /// For the scrolling element's `scroll` event: near its end, while `hidden`
    /// says rows are left out, draws more.
    pub fn on_scroll(self, hidden: Memo<bool>) -> impl Fn(leptos::ev::Event) + 'static {
        move |event| {
            let Some(body) = event.target().and_then(|target| target.dyn_into::<web_sys::Element>().ok()) else { return };
            if body.scroll_top() + body.client_height() + NEAR_THE_END >= body.scroll_height() && hidden.get_untracked() {
                self.more();
            }
        }
    }
}

impl Default for RowLimit {
    fn default() -> Self {
        Self::new()
    }
}

/// The note on the rows left out, with a button drawing more of them: the last
/// row of a table. Drawn once while rows are left out; only the note's text follows.
#[component]
pub fn MoreRows(limit: RowLimit, #[prop(into)] note: Signal<String>, columns: usize) -> impl IntoView {
    view! {
        <tr class="more">
            <td colspan=columns.to_string()><MoreNote limit=limit note=note/></td>
        </tr>
    }
}

/// The note on the rows left out and the button drawing more of them.
#[component]
pub fn MoreNote(limit: RowLimit, #[prop(into)] note: Signal<String>) -> impl IntoView {
    view! {
        <span data-testid="rows-note">{move || note.get()}</span>
        " "
        <button class="ghost small" data-testid="more-rows" on:click=move |_| limit.more()>{format!("show {} more", limit.step)}</button>
    }
}
