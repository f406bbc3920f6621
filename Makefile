# Babysteps: the two commands of the README's Quick start, and a few helpers.

.PHONY: run test release wasm-size bench

# cargo-leptos runs the first wasm-opt on PATH: the pinned binaryen that .ci/setup installs
# into tools/ (see tools/package.json), never whatever else the machine has.
export PATH := $(CURDIR)/tools/node_modules/.bin:$(PATH)

## Install what is missing, then run the app on SQLite at http://127.0.0.1:3000
run:
	.ci/setup run
	cargo leptos serve --split

## Install what is missing, then run every test (unit, service on SQLite and PostgreSQL, HTTP, browser)
test:
	.ci/setup test
	.ci/test

## Build the optimised server and browser bundle into target/ (with .br and .gz copies of
## the static files), then print the bundle's size
release:
	.ci/setup run
	@wasm-opt --version
	cargo leptos build --release --split --precompress
	tools/regzip target/site
	@tools/bundle-size target/site

## Print the size of the release browser bundle, raw and compressed (builds it first)
wasm-size: release

## Time the caseload queries at 10 and 10,000 cases, and a large case's export (size, time,
## peak memory) (SQLite, and PostgreSQL when it is running)
bench:
	BENCH_POSTGRES_URL=$${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432} \
	  cargo bench -p app --features ssr --bench caseload --bench export
