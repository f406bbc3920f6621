//! The guard that every test file runs, shared by the app's and the server's test binaries
//! (the server's test support includes this file by its path).

/// Fails for a file of the crate's `tests/` folder that the test binary `binary` (whose
/// source is `declared`) does not declare as a module and that is not one of
/// `own_binaries`, the test binaries of their own named in `Cargo.toml`: such a file would
/// never run.
pub fn assert_every_test_file_runs(manifest_dir: &str, binary: &str, declared: &str, own_binaries: &[&str]) {
    let tests = std::path::Path::new(manifest_dir).join("tests");
    let mut files = 0;
    for entry in std::fs::read_dir(&tests).unwrap() {
        let path = entry.unwrap().path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".rs")) else {
            continue;
        };
        files += 1;
        assert!(
            own_binaries.contains(&name) || declared.contains(&format!("\nmod {name};\n")),
            "tests/{name}.rs is in no test binary: add `mod {name};` to tests/{binary}.rs"
        );
    }
    assert!(files > own_binaries.len(), "the test files were read from {}", tests.display());
}
