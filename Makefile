# Babysteps: the two commands of the README's Quick start, and a few helpers.

.PHONY: run test release wasm-size bench lighthouse

# cargo-leptos runs the first wasm-opt on PATH: the pinned binaryen that .ci/setup installs
# into tools/ (see tools/package.json), never whatever else the machine has.
export PATH := $(CURDIR)/tools/node_modules/.bin:$(PATH)

## Install what is missing, then run the app on SQLite at http://127.0.0.1:3000
run:
	@echo "Babysteps: open http://127.0.0.1:3000 (first build takes a while). On an empty caseload, choose \"Add sample couples\" to explore three fictional couples (never emailed; removable in one click)."
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

## Run every benchmark (the caseload queries at 10 and 10,000 cases, one reminder planner
## pass at 1,000, 10,000 and 100,000 active cases, a large case's export: size, time, peak
## memory; the session summary of a couple with a year of weekly check-ins; the
## server-rendered pages under load: requests/s, p99, CPU per request, memory) on SQLite,
## and on PostgreSQL when it is running, then the bundle's size per route
bench:
	tools/build-cache
	BENCH_POSTGRES_URL=$${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432} \
	  cargo bench -q -p app --features ssr --bench caseload --bench planner --bench export --bench summary
	BENCH_POSTGRES_URL=$${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432} \
	  LEPTOS_OUTPUT_NAME=babysteps cargo bench -q -p server --bench load
	@if [ -d target/site/pkg ]; then tools/bundle-size target/site; else echo "(make release first for the bundle sizes)"; fi

## Lighthouse (mobile, simulated slow 4G) on the sign-in page, the caseload, the case page and
## a client's sheet of the release build; prints the scores and writes end2end/lighthouse-report.md
lighthouse: release
	.ci/setup test
	cd end2end && npx playwright test --config lighthouse.config.ts
