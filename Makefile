# Kiroku: `make serve` to use it, `make test` to check it. Both install whatever
# is missing first (scripts/bootstrap.sh), so a fresh Debian machine with Rust,
# Node and apt needs nothing else.

SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CHROMEDRIVER ?= /usr/bin/chromedriver
export WASM_BINDGEN_TEST_TIMEOUT ?= 180
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: serve test bootstrap check test-native test-browser test-e2e build clean-dist

## Install what is missing, then serve the app with live reload on http://127.0.0.1:8080
serve: bootstrap
	trunk serve

## Install what is missing, then run every test tier: native, browser, end-to-end
LOGS := target/test-logs
test: bootstrap
	@mkdir -p $(LOGS); start=$$(date +%s); set -o pipefail; \
	$(MAKE) --no-print-directory check || exit $$?; \
	$(MAKE) --no-print-directory test-native 2>&1 | tee $(LOGS)/native.log || exit $$?; \
	$(MAKE) --no-print-directory test-browser 2>&1 | tee $(LOGS)/browser.log || exit $$?; \
	$(MAKE) --no-print-directory test-e2e 2>&1 | tee $(LOGS)/e2e.log || exit $$?; \
	echo "make test: every tier passed in $$(( $$(date +%s) - start )) s"; \
	bash scripts/test-summary.sh $(LOGS)

bootstrap:
	@bash scripts/bootstrap.sh

## Fast native check first: a type error fails here, before any wasm build
check:
	cargo check --all-targets
	cargo clippy --all-targets --quiet -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --lib --bins --quiet -- -D warnings

## The pure core: domain rules, projections, store contract (in-memory), the lab
test-native:
	cargo test

## Browser adapters in headless Chrome: the store contract against IndexedDB
test-browser:
	wasm-pack test --headless --chrome

## A release build of the page, then Playwright driving the system Chromium
test-e2e: build
	npx playwright test --config e2e/playwright.config.ts

## The release bundle in dist/
build:
	trunk build --release
	@echo "wasm: $$(stat -c %s dist/*.wasm) bytes, $$(gzip -9c dist/*.wasm | wc -c) gzipped"
