//! The shape of the app, checked from the source: service areas import each other without
//! cycles, pages never reach the services directly, and every form action is made by
//! `form_action` (which never shows a link's own words).
//!
//! An area is a file or a folder directly under `app/src/services/`. An import of another
//! area is any `crate::services::NAME` path, or a `super::NAME` path written in an area's
//! top file (`super::super::NAME` in a folder's inner file), including names inside a
//! `use super::{…}` group.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

/// Every `.rs` file below `dir`, with its depth below `services/` (0 for `services/x.rs`).
fn rust_files(dir: &Path, depth: usize, found: &mut Vec<(PathBuf, usize)>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, depth + 1, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push((path, depth));
        }
    }
}

/// The area a file belongs to: its own name at the top, its folder's name below.
fn area_of(services: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(services).expect("file under services");
    let first = relative.components().next().expect("a path").as_os_str().to_string_lossy().into_owned();
    first.trim_end_matches(".rs").to_owned()
}

/// Identifiers that follow `prefix` in `text`: `prefix::name`, and each top-level name of a
/// `prefix::{a, b::c, d::{…}}` group.
fn names_after(text: &str, prefix: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let needle = format!("{prefix}::");
    for (at, _) in text.match_indices(&needle) {
        // `super::super::x` must not also count as `super::x` (and the reverse).
        let (before, rest) = (&text[..at], &text[at + needle.len()..]);
        if before.ends_with("super::") || (prefix == "super" && rest.starts_with("super::")) {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // The group's own level, with nested groups left out, split at its commas.
            let mut depth = 1;
            let mut top_level = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 1 => break,
                    '}' => depth -= 1,
                    c if depth == 1 => top_level.push(c),
                    _ => {}
                }
            }
            for piece in top_level.split(',') {
                let name: String =
                    piece.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    names.insert(name);
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                names.insert(name);
            }
        }
    }
    names
}

/// Which areas each area imports.
fn service_graph(services: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(services, 0, &mut files);
    let areas: BTreeSet<String> =
        files.iter().map(|(file, _)| area_of(services, file)).filter(|a| a != "mod").collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> =
        areas.iter().map(|a| (a.clone(), BTreeSet::new())).collect();
    for (file, depth) in &files {
        let area = area_of(services, file);
        if area == "mod" {
            continue;
        }
        let text = fs::read_to_string(file).expect("readable source");
        let mut named = names_after(&text, "crate::services");
        match depth {
            0 => named.extend(names_after(&text, "super")),
            _ => named.extend(names_after(&text, "super::super")),
        }
        let edges = graph.get_mut(&area).expect("known area");
        edges.extend(named.into_iter().filter(|name| *name != area && areas.contains(name)));
    }
    graph
}

/// A cycle in the graph, if there is one, as the list of areas around it.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let start = path.iter().position(|n| n == node).unwrap_or(0);
                let mut cycle = path[start..].to_vec();
                cycle.push(node.to_owned());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node.to_owned(), Mark::Open);
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, marks, path) {
                return Some(cycle);
            }
        }
        path.pop();
        marks.insert(node.to_owned(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    graph.keys().find_map(|node| visit(node, graph, &mut marks, &mut Vec::new()))
}

fn source_dir(folder: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(folder)
}

#[test]
fn service_areas_import_each_other_without_cycles() {
    let graph = service_graph(&source_dir("services"));
    assert!(graph.len() > 10, "the service areas were found: {graph:?}");
    assert!(graph["caseload"].contains("homework"), "imports are read: {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("service areas import each other in a cycle: {}", cycle.join(" -> "));
    }
}

#[test]
fn pages_and_components_never_import_services() {
    for folder in ["pages", "components"] {
        let mut files = Vec::new();
        rust_files(&source_dir(folder), 0, &mut files);
        for (file, _) in files {
            let text = fs::read_to_string(&file).expect("readable source");
            assert!(!text.contains("services::"), "{} reaches the services directly", file.display());
            assert!(!text.contains("entities::"), "{} reaches the entities directly", file.display());
        }
    }
}

#[test]
fn only_the_app_formats_page_titles() {
    // The root formatter escapes every title for the server's HTML (leptos_meta does not);
    // a page with its own formatter would bypass that.
    let mut files = Vec::new();
    rust_files(&source_dir("pages"), 0, &mut files);
    rust_files(&source_dir("components"), 0, &mut files);
    for (file, _) in files {
        let text = fs::read_to_string(&file).expect("readable source");
        assert!(!text.contains("formatter="), "{} gives a <Title> its own formatter", file.display());
    }
    let app = fs::read_to_string(source_dir("app.rs")).expect("readable app.rs");
    assert!(app.contains("<Title formatter=page_title/>"), "the app's titles go through page_title");
}

#[test]
fn every_form_action_comes_from_form_action() {
    // `form_action` keeps a link's `__err` from putting its own words on a page; an action
    // made directly with `ServerAction` would show them.
    let mut files = Vec::new();
    rust_files(&source_dir(""), 0, &mut files);
    let form = source_dir("components").join("form.rs");
    let mut actions = 0;
    for (file, _) in files {
        let text = fs::read_to_string(&file).expect("readable source");
        actions += text.matches("form_action").count();
        if file != form {
            assert!(!text.contains("ServerAction::"), "{} makes a ServerAction itself", file.display());
        }
    }
    assert!(actions > 10, "the form actions were found");
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let graph = |edges: &[(&str, &str)]| {
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, to) in edges {
            graph.entry((*from).to_owned()).or_default().insert((*to).to_owned());
            graph.entry((*to).to_owned()).or_default();
        }
        graph
    };
    assert_eq!(find_cycle(&graph(&[("a", "b"), ("b", "c"), ("a", "c")])), None);
    let cycle = find_cycle(&graph(&[("a", "b"), ("b", "c"), ("c", "a")])).expect("a cycle");
    assert_eq!(cycle.first(), cycle.last());
    assert_eq!(cycle.len(), 4);
}

#[test]
fn imports_are_read_from_paths_and_groups() {
    let text = "use super::{\n    access::{owned_case, partners_of},\n    audit::{self, AuditEvent},\n    email, outbox, Actor,\n};\nlet x = super::clock::week_start(d);\nuse crate::services::homework::Recipients;";
    let mut names = names_after(text, "super");
    names.extend(names_after(text, "crate::services"));
    let expected: BTreeSet<String> = ["access", "audit", "email", "outbox", "Actor", "clock", "homework"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(names, expected);
    let nested = names_after("use super::super::{access::couple_of, email};", "super::super");
    assert_eq!(nested, ["access", "email"].iter().map(|s| (*s).to_owned()).collect());
    assert!(names_after("use super::super::{access::couple_of};", "super").is_empty());
}
