//! The browser entry point: a panic hook, then the app.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(kiroku::ui::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("Kiroku runs in the browser: `make serve`, then open the address it prints.");
}
