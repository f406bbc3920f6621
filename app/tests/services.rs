//! The app's tests without a browser, as one test binary: the services on SQLite and
//! PostgreSQL, the domain's parsing, the migrated schema and the source's layering. Each file
//! is a module here; a binary a file linked the whole app once a file (25 executables of
//! about 350 MB each, written on every build).

// First, with its macros (`on_both_databases!`) in scope for every module after it.
#[macro_use]
mod support;

mod access;
mod account;
mod accounts;
mod audit;
mod case_page;
mod caseload;
mod cases;
mod erasure;
mod exchange;
mod exports;
mod homework;
mod input;
mod layering;
mod measures;
mod messages;
mod notes;
mod programme_fit;
mod reminders;
mod sample;
mod schema;
mod second_factor;
mod summary;
mod templates;
mod therapy_sessions;
mod whats_new;

/// A test file that no test binary declares would never run: every file in `tests/` is a
/// module of this binary, or one of the binaries of its own named in `Cargo.toml`.
#[test]
fn every_test_file_runs() {
    support::test_files::assert_every_test_file_runs(
        env!("CARGO_MANIFEST_DIR"),
        "services",
        include_str!("services.rs"),
        &["services"],
    );
}
