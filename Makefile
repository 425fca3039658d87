# techbasics. `make serve` to read the guide locally, `make test` to run every test,
# `make dist` to write the static site to dist/. Each installs what it needs first.
#
# BASE is the path the site is served under: `make dist BASE=/guide/` for a sub-path.

SHELL := /bin/bash
BASE ?= /
PORT ?= 8080
export TECHBASICS_BASE := $(BASE)
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(CURDIR)/node_modules/.bin:$(CARGO_BIN):$(PATH)

.PHONY: setup serve dist build-dist test test-rust test-e2e size bench clean

setup:
	@bash scripts/setup.sh

serve: setup build-dist
	BASE=$(BASE) PORT=$(PORT) node tests/e2e/server.mjs

dist: setup build-dist

build-dist:
	trunk build --release --offline --public-url $(BASE)
	cargo run --quiet --bin prerender -- dist

test: setup
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory test-rust && \
	$(MAKE) --no-print-directory build-dist && \
	$(MAKE) --no-print-directory test-e2e && \
	$(MAKE) --no-print-directory size && \
	echo "make test: all passed in $$(( $$(date +%s) - start )) s"

test-rust:
	cargo test

test-e2e:
	node --test --test-concurrency=1 tests/e2e/

size:
	node scripts/size-report.mjs

bench:
	cargo bench --bench engines

clean:
	rm -rf dist target/wasm32-unknown-unknown
