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
    let own_binaries = ["over_http", "mail", "pages", "page_budgets"];
    let declared = include_str!("over_http.rs");
    let tests = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut files = 0;
    for entry in std::fs::read_dir(&tests).unwrap() {
        let path = entry.unwrap().path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".rs")) else {
            continue;
        };
        files += 1;
        assert!(
            own_binaries.contains(&name) || declared.contains(&format!("\nmod {name};\n")),
            "tests/{name}.rs is in no test binary: add `mod {name};` to tests/over_http.rs"
        );
    }
    assert!(files > own_binaries.len(), "the test files were read from {}", tests.display());
}
