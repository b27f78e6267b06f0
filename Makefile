# Haggle: `make run` and `make test` work on a fresh machine; every install step
# below checks first, so running them again costs nothing.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
export PATH := $(HOME)/.cargo/bin:$(PATH)

TOOLCHAIN          := $(shell sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
CARGO_LEPTOS_VER   := 0.3.11
WASM_BINDGEN_VER   := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
BINARYEN_VER       := 132
LLVM_COV_VER       := 0.9.1
ADDR               ?= 127.0.0.1:3000
DATA_DIR           ?= ./data
COVERAGE_MIN       := 85
# Every build erases Leptos' component types (.cargo/config.toml). Exported here
# too, because a RUSTFLAGS in the caller's environment would replace the config:
# without it every test binary carries gigabytes of nested type names.
DEBUG_RUSTFLAGS    := --cfg erase_components

.PHONY: help setup setup-build setup-test toolchain cargo-leptos wasm-bindgen wasm-opt \
        tesseract chromium e2e-deps llvm-cov wrk build load-tool run dev test fmt-check lint \
        unit-and-integration e2e crash bench clean

help:
	@echo "make run    build the release binary and start Haggle with demo data on http://$(ADDR)"
	@echo "make test   fmt, clippy, unit/property/integration tests with coverage, Playwright, crash test"
	@echo "make dev    cargo leptos watch (rebuild and reload on change)"
	@echo "make bench  load- and abuse-test the release binary and report bundle sizes"

# ---------------------------------------------------------------- setup

setup-build: toolchain cargo-leptos wasm-bindgen wasm-opt tesseract
setup-test: setup-build llvm-cov chromium e2e-deps
setup: setup-test

toolchain:
	@rustup toolchain list | grep -q "^$(TOOLCHAIN)" && \
	  rustup target list --installed --toolchain $(TOOLCHAIN) | grep -q wasm32-unknown-unknown && \
	  rustup component list --installed --toolchain $(TOOLCHAIN) | grep -q llvm-tools || \
	  rustup toolchain install $(TOOLCHAIN) --profile minimal \
	    --component clippy,rustfmt,llvm-tools --target wasm32-unknown-unknown

cargo-leptos: toolchain
	@cargo leptos --version 2>/dev/null | grep -q "$(CARGO_LEPTOS_VER)" || \
	  cargo install cargo-leptos --locked --version $(CARGO_LEPTOS_VER) --features no_downloads

# Must match the wasm-bindgen crate in Cargo.lock exactly. Installed without
# --locked: one of its locked dependencies is no longer on the registry.
wasm-bindgen: toolchain
	@wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VER)" || \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VER)

# Debian's binaryen is too old for current Rust output; npm ships a recent one.
wasm-opt:
	@wasm-opt --version 2>/dev/null | grep -q "version $(BINARYEN_VER)" || \
	  npm install --global --no-audit --no-fund binaryen@$(BINARYEN_VER)

llvm-cov: toolchain
	@cargo llvm-cov --version 2>/dev/null | grep -q "$(LLVM_COV_VER)" || \
	  cargo install cargo-llvm-cov --locked --version $(LLVM_COV_VER)

APT_UPDATED := /tmp/.haggle-apt-updated
$(APT_UPDATED):
	apt-get update -qq
	touch $@

# Debian's Chromium for Playwright (which cannot download its own browser here),
# plus CJK fonts so Chinese and Korean render as they do for real users.
chromium:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  $(MAKE) --no-print-directory $(APT_UPDATED); \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

# Local OCR for identity verification (English data covers the digits and
# Latin letters of ID numbers).
tesseract:
	@command -v tesseract >/dev/null && [ -n "$$(tesseract --list-langs 2>/dev/null | grep -x eng)" ] || { \
	  $(MAKE) --no-print-directory $(APT_UPDATED); \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    tesseract-ocr tesseract-ocr-eng >/dev/null; }

wrk:
	@command -v wrk >/dev/null || { $(MAKE) --no-print-directory $(APT_UPDATED); \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk brotli >/dev/null; }
	@command -v brotli >/dev/null || { $(MAKE) --no-print-directory $(APT_UPDATED); \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq brotli >/dev/null; }

e2e-deps: end2end/node_modules/.installed
end2end/node_modules/.installed: end2end/package.json end2end/package-lock.json
	cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	touch $@

# ---------------------------------------------------------------- build and run

# --split: routes off the reading path (app/src/pages/lazy.rs) go to their own
# WASM chunks; every build of the browser side needs it.
build: setup-build
	cargo leptos build --release --split

# `haggle-load`, the auction load and crash tests, beside the release binary.
# cargo-leptos builds only `haggle`; leptos reads LEPTOS_OUTPUT_NAME at compile
# time, so it is set as cargo-leptos sets it and this reuses that build.
load-tool: build
	LEPTOS_OUTPUT_NAME=haggle cargo build --release -p server --bin haggle-load

run: build
	@mkdir -p $(DATA_DIR)
	@echo "Starting Haggle on http://$(ADDR)  (data in $(DATA_DIR), Ctrl-C to stop)"
	LEPTOS_SITE_ADDR=$(ADDR) LEPTOS_SITE_ROOT=target/site HAGGLE_DATA_DIR=$(DATA_DIR) \
	  HAGGLE_DEMO=1 HAGGLE_DEMO_PASSWORD=haggle-demo ./target/release/haggle

dev: setup-build
	cargo leptos watch --split

# ---------------------------------------------------------------- tests

test: setup-test fmt-check lint unit-and-integration e2e crash
	@echo "make test: all layers passed"

fmt-check:
	cargo fmt --all -- --check

# The native side (app with `ssr`, server) and the browser side (app with
# `hydrate`, compiled to WASM) are linted separately: one build would unify the
# two feature sets.
lint: export RUSTFLAGS = $(DEBUG_RUSTFLAGS)
lint:
	cargo clippy --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

# Unit and property tests (app/src/domain, app/src/backend) and the router tests
# (server/tests: real HTTP and WebSocket clients on an ephemeral port), run once
# with coverage instrumentation.
unit-and-integration: export RUSTFLAGS = $(DEBUG_RUSTFLAGS)
unit-and-integration:
	cargo llvm-cov --no-report
	cargo llvm-cov report --summary-only
	cargo llvm-cov report --json --summary-only --output-path target/coverage.json
	python3 .ci/coverage_gate.py target/coverage.json $(COVERAGE_MIN) app/src/domain app/src/backend

# Playwright in Chromium against the release binary, inside a private network
# namespace where only loopback exists.
e2e: build
	@data=$$(mktemp -d /tmp/haggle-e2e.XXXXXX); \
	trap 'rm -rf "$$data"' EXIT; \
	unshare --net sh -c "ip link set lo up && cd end2end && HAGGLE_E2E_DATA=$$data npx playwright test"

# The release binary killed with SIGKILL while bids arrive, then restarted on
# the same data: every acknowledged bid is there, and an auction whose end
# passed meanwhile is ended at start-up. In a network namespace with only
# loopback, like Playwright.
crash: load-tool
	unshare --net sh -c "ip link set lo up && ./target/release/haggle-load crash"

# ---------------------------------------------------------------- benchmark

bench: build wrk load-tool
	bash .ci/bench.sh

clean:
	cargo clean
	rm -rf end2end/node_modules end2end/test-results
