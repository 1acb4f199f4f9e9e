#![cfg(not(target_arch = "wasm32"))]
//! The architecture invariant, checked: the core never touches the browser, the
//! clock or randomness. Ids and time come in through `lab::Environment`.

use std::fs;
use std::path::{Path, PathBuf};

const CORE: &[&str] = &["src/event_sourcing", "src/domain", "src/cqrs", "src/read_models", "src/lab.rs"];
const FORBIDDEN: &[&str] = &["web_sys", "js_sys", "wasm_bindgen", "leptos", "gloo", "Utc::now", "Local::now", "SystemTime", "Instant::now", "uuid", "rand::"];

fn rust_files(path: &Path, found: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in fs::read_dir(path).unwrap() {
            rust_files(&entry.unwrap().path(), found);
        }
    } else if path.extension().is_some_and(|ext| ext == "rs") {
        found.push(path.to_owned());
    }
}

#[test]
fn the_core_never_names_the_browser_the_clock_or_randomness() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for part in CORE {
        rust_files(&root.join(part), &mut files);
    }
    assert!(files.len() >= 10, "the core's files were found: {files:?}");
    let mut breaches = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in FORBIDDEN {
                if code.contains(word) {
                    breaches.push(format!("{}:{}: {word}", file.strip_prefix(root).unwrap().display(), number + 1));
                }
            }
        }
    }
    assert!(breaches.is_empty(), "the core touches the outside world:\n{}", breaches.join("\n"));
}

#[test]
fn the_browser_and_ui_modules_are_only_compiled_for_the_browser() {
    let lib = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    for module in ["pub mod browser;", "pub mod ui;"] {
        let at = lib.find(module).unwrap_or_else(|| panic!("{module} is declared"));
        let before = &lib[..at];
        assert!(
            before.trim_end().ends_with("#[cfg(target_arch = \"wasm32\")]"),
            "{module} is behind #[cfg(target_arch = \"wasm32\")]"
        );
    }
}
