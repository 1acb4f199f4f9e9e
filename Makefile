# Kiroku: `make serve` to use it, `make test` to check it. Both install whatever
# is missing first (scripts/bootstrap.sh), so a fresh Debian machine with Rust,
# Node and apt needs nothing else.

SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CHROMEDRIVER ?= /usr/bin/chromedriver
export WASM_BINDGEN_TEST_TIMEOUT ?= 180
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: serve test bootstrap check test-native test-browser test-e2e build clean-dist bench

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

## A release build of the page, then Playwright driving the system Chromium, then
## one small run of the benchmark: it fails if the benchmark breaks, not on a missed target
test-e2e: build
	npx playwright test --config e2e/playwright.config.ts
	node bench/run.cjs --events 2000 --runs 1 --small-events 1000 --stream-events 1000 --strict --out target/bench-ci.json

## Build the release bundle, then measure it in headless Chromium against its targets
## and against peers in the same run: prints a table, writes bench/results/latest.json
BENCH_EVENTS ?= 100000
BENCH_RUNS ?= 10
bench: bootstrap
	@$(MAKE) --no-print-directory build
	node bench/run.cjs --events $(BENCH_EVENTS) --runs $(BENCH_RUNS) --out bench/results/latest.json

## The release bundle in dist/
build:
	trunk build --release
	@echo "wasm: $$(stat -c %s dist/*.wasm) bytes, $$(gzip -9c dist/*.wasm | wc -c) gzipped"
