//! The only code that touches browser APIs: IndexedDB, localStorage, the clock and
//! `crypto`, and `window.kiroku`. Each adapter is thin and holds no business rule.

pub mod broadcast;
pub mod console;
pub mod environment;
pub mod heap;
pub mod indexed_db;
pub mod page_notice;
pub mod preferences;
pub mod text;

use std::rc::Rc;

use crate::lab::Lab;
use crate::messaging::broker::Message;
use indexed_db::{IndexedDbStore, LetGo};

/// The lab as the browser runs it: on IndexedDB.
pub type BrowserLab = Lab<IndexedDbStore>;

/// The IndexedDB database used when the page names none.
pub const DEFAULT_DATABASE: &str = "kiroku";

/// The database to open: `?db=<name>` in the page address, or [`DEFAULT_DATABASE`].
/// Separate names keep separate logs (a workshop exercise, an end-to-end test).
pub fn database_name() -> String {
    let search = web_sys::window().and_then(|window| window.location().search().ok()).unwrap_or_default();
    search
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "db")
        .map(|(_, value)| js_sys::decode_uri_component(value).map(String::from).unwrap_or_else(|_| value.to_owned()))
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| DEFAULT_DATABASE.to_owned())
}

/// What the page hears from its browser side, beside the answers to its calls.
pub struct PageHooks {
    /// A message from the other tabs' broker arrived.
    pub message_arrived: Rc<dyn Fn()>,
    /// Another tab on the database changed the log.
    pub other_tab_wrote: Rc<dyn Fn()>,
    /// The open waits for another tab, which holds the database open in an older
    /// layout, to close it.
    pub waiting_for_other_tab: Rc<dyn Fn()>,
    /// Another tab asked for the database, and this page let go of it.
    pub let_go: Rc<dyn Fn(LetGo)>,
}

/// Opens the store named by the page, loads its log into a lab, and connects the
/// lab to the other tabs' broker, telling the page through `hooks`.
pub async fn open_lab(database: &str, hooks: PageHooks) -> Result<Rc<BrowserLab>, String> {
    let PageHooks { message_arrived, other_tab_wrote, waiting_for_other_tab, let_go } = hooks;
    let store = IndexedDbStore::open_waiting(database, move || waiting_for_other_tab()).await.map_err(|error| error.0)?;
    store.on_let_go(let_go);
    match broadcast::LogChanges::connect(database, other_tab_wrote) {
        Ok(changes) => store.on_log_written(Rc::new(move || changes.announce())),
        Err(error) => web_sys::console::warn_2(&"other tabs' changes show on focus only:".into(), &error),
    }
    let lab = Rc::new(Lab::new(store, Box::new(environment::BrowserEnvironment)));
    lab.load_and_resume().await.map_err(|error| error.0)?;
    let weak = Rc::downgrade(&lab);
    let deliver: Rc<dyn Fn(&Message)> = Rc::new(move |message| {
        if let Some(lab) = weak.upgrade() {
            lab.receive(message);
            message_arrived();
        }
    });
    match broadcast::BroadcastBroker::connect(database, deliver) {
        Ok(broker) => lab.connect_broker(Rc::new(broker), &environment::new_uuid()[..8]),
        Err(error) => web_sys::console::warn_2(&"no broker between tabs:".into(), &error),
    }
    Ok(lab)
}
