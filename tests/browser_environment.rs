#![cfg(target_arch = "wasm32")]
//! The browser's environment frees what the lab lets go of (a replaced log's whole
//! state) in a later task, not in the task that replaced it; on a visible page, not
//! before the next paint. (Headless test pages may be hidden: then only the first
//! holds, and the page frees it in the next task.)

use std::cell::Cell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

use kiroku::browser::environment::free_after_paint;

wasm_bindgen_test_configure!(run_in_browser);

/// Sets its flag when dropped.
struct Flag(Rc<Cell<bool>>);

impl Drop for Flag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

async fn next_frame() {
    let frame = Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().request_animation_frame(resolve.unchecked_ref()).unwrap();
    });
    JsFuture::from(frame).await.unwrap();
}

async fn next_task() {
    let task = Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback(resolve.unchecked_ref()).unwrap();
    });
    JsFuture::from(task).await.unwrap();
}

#[wasm_bindgen_test]
async fn what_the_lab_lets_go_of_is_freed_in_a_later_task_not_at_once() {
    let freed = Rc::new(Cell::new(false));
    let hidden = web_sys::window().unwrap().document().unwrap().hidden();
    free_after_paint(Box::new(Flag(freed.clone())));
    assert!(!freed.get(), "not in the task that let it go");
    if !hidden {
        // Frame callbacks run in the order asked for: this one runs after the one
        // that queues the freeing task, before the paint, so nothing is freed yet.
        next_frame().await;
        assert!(!freed.get(), "not before the paint");
    }
    for _ in 0..100 {
        if freed.get() {
            break;
        }
        next_task().await;
    }
    assert!(freed.get(), "freed in a later task");
}
