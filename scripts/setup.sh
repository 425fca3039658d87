#!/usr/bin/env bash
# Installs everything building and testing the guide needs, skipping what is already there.
# Safe to run again and again; `make serve`, `make dist` and `make test` all call it first.
#   - the wasm32 target for the machine's Rust toolchain
#   - trunk 0.21.14 (the last release that builds with rustc 1.95)
#   - wasm-bindgen-cli at exactly the version Cargo.lock pins
#   - npm packages: binaryen (wasm-opt), terser (minifies the wasm-bindgen glue),
#     playwright-core (the test driver) and
#     @axe-core/playwright (the accessibility checks)
#   - Debian's chromium, for the browser tests (skipped with NEED_BROWSER=0)
# Nothing here downloads a prebuilt binary: every tool comes from crates.io, npm or Debian.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "Adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]; then
  say "Installing trunk $TRUNK_VERSION from crates.io (about 15 minutes on 2 cores, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION to match Cargo.lock (about 4 minutes, once)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "Installing npm packages (wasm-opt from binaryen, terser, playwright-core)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "${NEED_BROWSER:-1}" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  say "Installing Debian's chromium for the browser tests"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
