//! The browser entry point: a panic hook (the console, and a notice on the page), then the app.

#[cfg(target_arch = "wasm32")]
fn main() {
    kiroku::browser::page_notice::install();
    leptos::mount::mount_to_body(kiroku::ui::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("Kiroku runs in the browser: `make serve`, then open the address it prints.");
}
