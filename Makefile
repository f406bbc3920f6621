# Babysteps: the two commands of the README's Quick start, and a few helpers.

.PHONY: run test release wasm-size bench

## Install what is missing, then run the app on SQLite at http://127.0.0.1:3000
run:
	.ci/setup run
	cargo leptos serve

## Install what is missing, then run every test (unit, service on SQLite and PostgreSQL, HTTP, browser)
test:
	.ci/setup test
	.ci/test

## Build the optimised server and browser bundle into target/
release:
	.ci/setup run
	cargo leptos build --release

## Print the size of the release browser bundle, raw and gzipped
wasm-size: release
	@wasm=target/site/pkg/babysteps.wasm; \
	echo "raw:  $$(stat -c %s $$wasm) bytes"; \
	echo "gzip: $$(gzip -9 -c $$wasm | wc -c) bytes"

## Time the caseload queries at 10 and 10,000 cases (SQLite, and PostgreSQL when it is running)
bench:
	BENCH_POSTGRES_URL=$${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432} \
	  cargo bench -p app --features ssr --bench caseload
