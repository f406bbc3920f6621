//! The server's tests over HTTP, as one test binary: each file is a module here (a binary a
//! file linked the whole server once a file, about 350 MB each). Three files are binaries of
//! their own, named in `Cargo.toml`: `pages.rs` and `page_budgets.rs` install a process-wide
//! log subscriber and fail on any ERROR line of the process, and `mail.rs` reads the mail
//! worker's log lines through a per-thread subscriber that another test's worker could
//! disturb.

mod support;

mod account;
mod authorization;
mod case_tabs;
mod http;
mod malformed_input;
mod programme_content;
mod records;
mod second_factor;
mod who_sees_what;

/// A test file that no test binary declares would never run: every file in `tests/` is a
/// module of this binary, or one of the binaries of its own named in `Cargo.toml`.
#[test]
fn every_test_file_runs() {
    support::test_files::assert_every_test_file_runs(
        env!("CARGO_MANIFEST_DIR"),
        "over_http",
        include_str!("over_http.rs"),
        &["over_http", "mail", "pages", "page_budgets"],
    );
}
