#!/usr/bin/env bash
# Installs every tool Kiroku's build and tests need, skipping whatever is already
# there at the right version. Safe to run again and again; `make serve` and
# `make test` call it first.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130
WASM_PACK_VERSION=0.15.1

export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1;34mbootstrap:\033[0m %s\n' "$*"; }

has_version() { # has_version <command> <version>
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q -- "$2"
}

# 1. The wasm target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. Chromium and its driver (browser tests and end-to-end tests), and a Japanese
#    font so screenshots show the seeds' names (山田太郎, ノートPC) rather than boxes.
APT_PACKAGES=(chromium chromium-driver fonts-noto-cjk)
missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing ${missing[*]} with apt"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q "${missing[@]}"
  else
    say "missing Debian packages: run 'sudo apt-get install ${missing[*]}'"
    exit 1
  fi
fi

# 3. Cargo-installed tools, pinned. wasm-bindgen-cli must match the crate's pinned
#    wasm-bindgen exactly, or Trunk and wasm-pack will try to download their own.
if ! has_version wasm-bindgen "$WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
if ! has_version wasm-pack "$WASM_PACK_VERSION"; then
  say "installing wasm-pack $WASM_PACK_VERSION (a few minutes)"
  cargo install wasm-pack --version "$WASM_PACK_VERSION" --locked
fi
if ! has_version trunk "$TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (about 25 minutes on 2 cores)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# 4. npm packages: Playwright (driving the system Chromium, never its own download),
#    axe-core (the end-to-end tier's accessibility checks), binaryen's wasm-opt
#    (Debian's is too old for current rustc output) and the benchmark's peers.
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.kiroku-lock; then
  say "installing npm packages"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.kiroku-lock
fi

say "all tools present"
