# techbasics. `make serve` to read the guide locally, `make test` to run every test,
# `make dist` to write the static site to dist/. Each installs what it needs first.
#
# BASE is the path the site is served under: `make dist BASE=/guide/` for a sub-path.

SHELL := /bin/bash
BASE ?= /
PORT ?= 8080
# The origin the site will be served from, for canonical URLs and the sitemap.
SITE_URL ?= http://127.0.0.1:$(PORT)
export TECHBASICS_BASE := $(BASE)
export TECHBASICS_SITE_URL := $(SITE_URL)
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(CURDIR)/node_modules/.bin:$(CARGO_BIN):$(PATH)

.PHONY: setup serve dist build-dist bundles screens test test-rust test-e2e test-subpath size bench clean

setup:
	@bash scripts/setup.sh

serve: setup build-dist
	BASE=$(BASE) PORT=$(PORT) node tests/e2e/server.mjs

dist: setup build-dist

# Trunk builds the shell; scripts/bundles.sh one wasm bundle per widget; prerender the pages.
# Nothing compiled knows the base: Trunk and the book write a mark where it goes, and the
# prerender step writes every file with $(BASE) in its place (pipeline::BASE_MARK). Trunk's
# page template is kept in target/ for test-subpath, since prerender writes over it.
BASE_MARK := /__techbasics_base__/
build-dist:
	trunk build --release --offline --public-url $(BASE_MARK)
	cp dist/index.html target/trunk-index.html
	bash scripts/bundles.sh dist
	cargo run --quiet --bin prerender -- dist

test: setup
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory test-rust && \
	$(MAKE) --no-print-directory build-dist && \
	$(MAKE) --no-print-directory test-e2e && \
	$(MAKE) --no-print-directory size && \
	$(MAKE) --no-print-directory test-subpath && \
	echo "make test: all passed in $$(( $$(date +%s) - start )) s"

test-rust:
	cargo test

# Writes src/bin/widget-*.rs from the widget registry (tests/bundles.rs checks them).
bundles:
	TECHBASICS_WRITE_BUNDLES=1 cargo test --quiet --test bundles

# Stores each widget's screenshots again (tests/e2e/screens/), after an intended change to how
# widgets look: review the images in the diff like any other change.
screens: setup build-dist
	TECHBASICS_UPDATE_SCREENS=1 node --test --test-name-pattern "looks as stored" tests/e2e/screens.test.mjs

test-e2e:
	node --test --test-concurrency=1 tests/e2e/

# The same build written for a sub-path (/guide/) into dist-sub/, served and browsed there.
# The build is the same for every base (see build-dist), so only the prerender step runs again,
# on a copy of dist/ with Trunk's template back in place: what `make dist BASE=/guide/` does.
test-subpath:
	rm -rf dist-sub && cp -r dist dist-sub && cp target/trunk-index.html dist-sub/index.html
	TECHBASICS_BASE=/guide/ cargo run --quiet --bin prerender -- dist-sub
	SUBPATH_DIST=dist-sub node --test tests/e2e/subpath.test.mjs

size:
	node scripts/size-report.mjs

# Engine ratios (native), sizes, then Lighthouse per page and each widget's worst long task.
bench: setup build-dist
	cargo bench --bench engines
	node scripts/size-report.mjs
	node scripts/bench.mjs

clean:
	rm -rf dist dist-sub target/wasm32-unknown-unknown
