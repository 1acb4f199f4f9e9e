//! The state the components share: the loaded lab and a few signals. `Session` is
//! `Copy` and lives in context; every component reads the lab through it.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

use crate::browser::environment::monotonic_ms;
use crate::browser::preferences::{self, Preferences};
use crate::browser::BrowserLab;
use crate::cqrs::command_bus::Chain;
use crate::event_sourcing::projection_engine::Fault;
use crate::messaging::{Delivery, DeliveryMode};
use crate::read_models::{ModelSet, ReadModels};
use crate::event_sourcing::envelope::{CommandResult, QueryResult};
use crate::lab::CaughtUp;

/// The outcome of the last command the user sent, for the result panel.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// 1 for the first command of the page, then 2, 3…: tells one outcome from the next.
    pub sequence: u64,
    pub command_type: String,
    pub result: CommandResult,
}

/// The least time between two redraws of the console's calls in a burst, from when one
/// starts (its frame's callback) to when the next does (see
/// [`Session::log_changed_next_frame`]).
pub const BURST_REDRAW_MS: f64 = 100.0;

/// The header's popovers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Popover {
    None,
    DemoHistory,
    Import,
}

#[derive(Clone, Copy)]
pub struct Session {
    lab: StoredValue<Option<Rc<BrowserLab>>, LocalStorage>,
    /// Moves on every change of the log; everything derived from the log tracks it.
    pub revision: RwSignal<u64>,
    /// The selected position on the timeline: the state right after that event.
    pub position: RwSignal<u64>,
    /// Whether the position follows the head as new events arrive.
    pub following: RwSignal<bool>,
    /// A stream the write-model panel is pinned to, instead of the selected event's.
    pub pinned_stream: RwSignal<Option<String>>,
    /// The order the command forms act on.
    pub target_order: RwSignal<Option<String>>,
    pub last_outcome: RwSignal<Option<Outcome>>,
    /// A command is on its way: forms wait.
    pub sending: RwSignal<bool>,
    /// Moves whenever the buses change: a command or query handled, the user or the chain switched.
    pub bus_revision: RwSignal<u64>,
    /// The header's popover that is open: one at a time, as they share a place.
    pub popover: RwSignal<Popover>,
    /// A demo history or an import is replacing the log: the other waits.
    pub replacing_log: RwSignal<bool>,
    /// When the outbox was last polled (ms since the epoch).
    last_poll: StoredValue<f64>,
    /// A redraw is already asked for.
    redraw_asked: StoredValue<bool>,
    /// When the console's calls were last drawn (`performance.now()`, ms).
    last_redraw: StoredValue<f64>,
    /// Catching up with another tab's change of the log is under way.
    catching_up: StoredValue<bool>,
    /// Another tab changed the log since the catch-up under way began (or before
    /// the log was loaded).
    heard_meanwhile: StoredValue<bool>,
}

impl Session {
    pub fn new() -> Self {
        Session {
            lab: StoredValue::new_local(None),
            revision: RwSignal::new(0),
            position: RwSignal::new(0),
            following: RwSignal::new(true),
            pinned_stream: RwSignal::new(None),
            target_order: RwSignal::new(None),
            last_outcome: RwSignal::new(None),
            sending: RwSignal::new(false),
            bus_revision: RwSignal::new(0),
            popover: RwSignal::new(Popover::None),
            replacing_log: RwSignal::new(false),
            last_poll: StoredValue::new(0.0),
            redraw_asked: StoredValue::new(false),
            last_redraw: StoredValue::new(f64::NEG_INFINITY),
            catching_up: StoredValue::new(false),
            heard_meanwhile: StoredValue::new(false),
        }
    }

    /// Hands the loaded lab to the session (with the saved user and chain) and shows its head.
    pub fn attach(&self, lab: Rc<BrowserLab>) {
        let saved = preferences::load();
        if let Some(user) = saved.user {
            lab.switch_user(&user);
        }
        if let Some(chain) = saved.chain {
            lab.set_chain(chain);
        }
        if let Some(delivery) = saved.delivery {
            lab.set_delivery(delivery);
        }
        self.lab.set_value(Some(lab));
        self.log_changed();
        // Another tab may have written after the load read the store.
        if self.heard_meanwhile.get_value() {
            self.catch_up_with_other_tabs();
        }
    }

    /// Reads the lab, tracking the log's revision. Only called once the lab is loaded.
    pub fn with_lab<R>(&self, read: impl FnOnce(&BrowserLab) -> R) -> R {
        self.revision.track();
        self.lab.with_value(|lab| read(lab.as_ref().expect("the lab is loaded before the workspace shows")))
    }

    pub fn lab(&self) -> Rc<BrowserLab> {
        self.lab.get_value().expect("the lab is loaded before the workspace shows")
    }

    pub fn head(&self) -> u64 {
        self.with_lab(|lab| lab.head())
    }

    /// Call after anything changed the log (a command here, the console, another tab).
    pub fn log_changed(&self) {
        self.revision.update(|revision| *revision += 1);
        if self.lab.with_value(Option::is_some) {
            self.persist();
        }
        let head = self.head_untracked();
        if self.following.get_untracked() || self.position.get_untracked() > head {
            self.position.set(head);
        }
    }

    /// [`Session::log_changed`] at the next animation frame, once however many changes
    /// arrive before it: the console's calls answer as soon as the read models are
    /// updated. A call after a quiet spell is drawn at the next frame; the calls of a
    /// burst (a script sending commands) are drawn at most every
    /// [`BURST_REDRAW_MS`], so that they do not wait on the page's frames.
    pub fn log_changed_next_frame(&self) {
        if self.redraw_asked.get_value() {
            return;
        }
        self.redraw_asked.set_value(true);
        let session = *self;
        let draw = move || {
            request_animation_frame(move || {
                session.redraw_asked.set_value(false);
                session.last_redraw.set_value(monotonic_ms());
                session.log_changed();
            })
        };
        let wait = self.last_redraw.get_value() + BURST_REDRAW_MS - monotonic_ms();
        if wait > 0.0 {
            // Whole milliseconds, rounded up: `set_timeout` drops the fraction.
            set_timeout(draw, std::time::Duration::from_millis(wait.ceil() as u64));
        } else {
            draw();
        }
    }

    fn head_untracked(&self) -> u64 {
        self.lab.with_value(|lab| lab.as_ref().map_or(0, |lab| lab.head()))
    }

    /// Moves the timeline to `position` (clamped to the log).
    pub fn seek(&self, position: u64) {
        let head = self.head_untracked();
        let position = position.min(head);
        self.position.set(position);
        self.following.set(position == head);
    }

    /// Sends a command envelope; the outcome shows in the result panel.
    pub async fn send(&self, command_type: &str, envelope: Value) -> CommandResult {
        self.sending.set(true);
        let lab = self.lab();
        let result = lab.send(&envelope).await;
        if matches!(result, CommandResult::Accepted { .. }) {
            self.following.set(true);
        }
        self.log_changed();
        let sequence = self.last_outcome.with_untracked(|last| last.as_ref().map_or(1, |last| last.sequence + 1));
        self.last_outcome.set(Some(Outcome { sequence, command_type: command_type.to_owned(), result: result.clone() }));
        self.bus_changed();
        self.sending.set(false);
        result
    }

    /// Reads the buses' state (user, chain, command log, cache), tracking their revision.
    pub fn with_bus<R>(&self, read: impl FnOnce(&BrowserLab) -> R) -> R {
        self.bus_revision.track();
        self.lab.with_value(|lab| read(lab.as_ref().expect("the lab is loaded before the workspace shows")))
    }

    fn bus_changed(&self) {
        self.bus_revision.update(|revision| *revision += 1);
        self.persist();
    }

    /// Saves the projection engine's state (checkpoints, failures, faults) if it changed.
    fn persist(&self) {
        let lab = self.lab();
        spawn_local(async move {
            if let Err(error) = lab.persist_if_changed().await {
                web_sys::console::warn_1(&format!("the projections' state could not be saved: {error}").into());
            }
        });
    }

    /// Asks a query envelope of the query bus.
    pub fn query(&self, envelope: &Value) -> QueryResult {
        let result = self.lab().query(envelope);
        self.bus_changed();
        result
    }

    /// Acts as another user (authorization checks their role).
    pub fn switch_user(&self, name: &str) {
        if self.lab().switch_user(name) {
            preferences::save(&Preferences { user: Some(name.to_owned()), ..preferences::load() });
            self.bus_changed();
        }
    }

    /// Changes the command bus's middleware chain.
    pub fn update_chain(&self, change: impl FnOnce(&mut Chain)) {
        let lab = self.lab();
        let mut chain = lab.chain();
        change(&mut chain);
        if lab.set_chain(chain.clone()) {
            preferences::save(&Preferences { chain: Some(chain), ..preferences::load() });
            self.bus_changed();
        }
    }

    /// Turns the query cache on or off.
    pub fn set_cache_enabled(&self, enabled: bool) {
        self.lab().set_cache_enabled(enabled);
        self.bus_changed();
    }

    /// Runs due retries on the workshop clock, and polls the outbox when its interval
    /// has passed; called a few times a second.
    pub fn tick(&self) {
        let lab = self.lab();
        if lab.tick() {
            self.log_changed();
        }
        let delivery = lab.delivery();
        let now = js_sys::Date::now();
        if delivery.mode == DeliveryMode::Outbox && now - self.last_poll.get_value() >= f64::from(delivery.poll_interval_ms) {
            self.last_poll.set_value(now);
            let session = *self;
            spawn_local(async move {
                if let Err(error) = lab.publish_pending().await {
                    web_sys::console::warn_1(&format!("the outbox could not be published: {error}").into());
                }
                session.bus_changed();
            });
        }
        self.bus_changed();
    }

    /// A message from the broker reached this tab's consumer.
    pub fn message_arrived(&self) {
        self.bus_changed();
    }

    /// Changes how events reach the broker (and remembers it).
    pub fn set_delivery(&self, change: impl FnOnce(&mut Delivery)) {
        let lab = self.lab();
        let mut delivery = lab.delivery();
        change(&mut delivery);
        lab.set_delivery(delivery);
        preferences::save(&Preferences { delivery: Some(delivery), ..preferences::load() });
        self.bus_changed();
    }

    /// Runs the workshop clock at `speed` × real time.
    pub fn set_clock_speed(&self, speed: f64) {
        self.lab().set_clock_speed(speed);
        self.bus_changed();
    }

    /// Moves the workshop clock forward, running what became due.
    pub fn advance_clock(&self, minutes: i64) {
        if self.lab().advance_clock(chrono::Duration::minutes(minutes)) {
            self.log_changed();
        }
        self.bus_changed();
    }

    /// Injects a fault into a projector, or removes it.
    pub fn set_fault(&self, projector: &str, fault: Option<Fault>) {
        self.lab().set_fault(projector, fault);
        self.bus_changed();
    }

    /// Retries (or with `skip`, skips) a projector's failed event by hand.
    pub fn resolve(&self, projector: &str, skip: bool) {
        let lab = self.lab();
        let _ = if skip { lab.skip_projector(projector) } else { lab.retry_projector(projector) };
        self.log_changed();
        self.bus_changed();
    }

    /// Rebuilds a projector from position 0, a batch at a time, yielding to the
    /// browser between batches so the page stays responsive.
    pub async fn rebuild(&self, projector: &'static str) {
        let lab = self.lab();
        if lab.start_rebuild(projector).is_err() {
            return;
        }
        let mut last_done = None;
        loop {
            let (mut stalled, mut finished) = (false, false);
            work_for_a_slice(|| match lab.rebuild_step(projector, REBUILD_BATCH) {
                // No progress since the last step: stopped on a failed event. Wait
                // for a retry or a skip, without spinning.
                Some((done, total)) if done < total && Some(done) == last_done => {
                    stalled = true;
                    true
                }
                Some((done, total)) if done < total => {
                    last_done = Some(done);
                    false
                }
                _ => {
                    finished = true;
                    true
                }
            });
            if finished {
                break;
            }
            self.bus_changed();
            if stalled { sleep(STALLED_WAIT_MS).await } else { next_task().await }
        }
        self.bus_changed();
        self.log_changed();
    }

    /// Another tab changed the log (it said so), or may have (this page got the focus
    /// back): catches up now and redraws at the next frame. One catch-up runs at a
    /// time; whatever is heard meanwhile (a burst of another tab's commands) makes one
    /// more after it. Heard before the log is loaded, it waits for [`Session::attach`].
    pub fn catch_up_with_other_tabs(&self) {
        self.heard_meanwhile.set_value(true);
        if self.catching_up.get_value() || self.lab.with_value(Option::is_none) {
            return;
        }
        self.catching_up.set_value(true);
        let session = *self;
        spawn_local(async move {
            while session.heard_meanwhile.get_value() {
                session.heard_meanwhile.set_value(false);
                // A read that fails is tried again at the next change heard, or on focus.
                if let Ok(changed) = session.lab().catch_up_in_turn().await {
                    // A log cleared in another tab brings no event, and changes every panel.
                    if changed != CaughtUp::Nothing {
                        session.log_changed_next_frame();
                    }
                }
            }
            session.catching_up.set_value(false);
        });
    }

    /// Empties the log.
    pub async fn reset(&self) -> Result<(), String> {
        let lab = self.lab();
        lab.reset().await.map_err(|error| error.0)?;
        self.following.set(true);
        self.pinned_stream.set(None);
        self.target_order.set(None);
        self.last_outcome.set(None);
        self.log_changed();
        Ok(())
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

/// Events a rebuild reads per step.
pub const REBUILD_BATCH: u64 = 256;
/// How long work in the background (a rebuild) runs before it yields to the browser,
/// in milliseconds: well under the 50 ms that makes a task "long", so the page never
/// freezes.
pub const SLICE_MS: f64 = 8.0;

/// Calls `step` for a slice of one frame ([`SLICE_MS`]), or until it answers `true`
/// (nothing more to do for now). Answers whether it stopped on such a `true`.
fn work_for_a_slice(mut step: impl FnMut() -> bool) -> bool {
    let started = monotonic_ms();
    loop {
        if step() {
            return true;
        }
        if monotonic_ms() - started >= SLICE_MS {
            return false;
        }
    }
}

/// How long a rebuild stopped on a failure waits before it looks again.
pub const STALLED_WAIT_MS: i32 = 250;

/// Resolves on a later task of the browser's event loop, so rendering and input run in between.
pub async fn next_task() {
    sleep(0).await;
}

/// Calls `close` when Escape is pressed anywhere in the page while `open` says a
/// popover is open, for as long as the calling component lives.
pub fn close_on_escape(open: impl Fn() -> bool + 'static, close: impl Fn() + 'static) {
    let listener = window_event_listener(leptos::ev::keydown, move |event| {
        if event.key() == "Escape" && open() {
            close();
        }
    });
    on_cleanup(move || listener.remove());
}

/// Resolves after `ms` milliseconds (at the earliest), without blocking the page.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The read models at a position and one before it, as panels see them: a key that
/// changes with the position and the log, not a copy. Panels read through
/// [`ModelsAt::with`], which borrows the lab's models (at the head, nothing is copied).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModelsAt {
    pub position: u64,
    /// The read models the panels on screen show: only these are brought to the position.
    shown: ModelSet,
    revision: u64,
}

impl ModelsAt {
    pub fn with<R>(self, session: Session, read: impl FnOnce(&ReadModels, &ReadModels) -> R) -> R {
        session.lab().with_read_models_around(self.position, self.shown, read)
    }
}

impl Session {
    /// The key of the read models in `shown` at `position`, tracking the log's revision.
    pub fn models_at(&self, position: u64, shown: ModelSet) -> ModelsAt {
        ModelsAt { position, shown, revision: self.revision.get() }
    }
}

/// The session from context.
pub fn use_session() -> Session {
    expect_context::<Session>()
}
