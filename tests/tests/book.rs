//! The book's generated pages are what their sources (the headers, the README) make of them.

use std::path::Path;

#[test]
fn the_books_pages_are_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let stale = harness::book::stale(root).unwrap();
    assert!(stale.is_empty(), "\n{}", stale.join("\n"));
}

#[test]
fn every_example_is_on_one_page_of_the_book() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let on_pages: Vec<String> = harness::book::PAGES
        .iter()
        .flat_map(|p| p.examples.iter().map(|e| e.to_string()))
        .collect();
    let mut binaries: Vec<String> = harness::workspace::binaries(root)
        .iter()
        .map(|b| format!("{}/{}", b.package, b.name))
        .collect();
    let mut sorted = on_pages.clone();
    sorted.sort();
    binaries.sort();
    assert_eq!(sorted, binaries, "each binary on exactly one page");
    let pages: Vec<(std::path::PathBuf, String)> = harness::book::pages(root).unwrap();
    for example in &on_pages {
        let (package, name) = example.split_once('/').unwrap();
        let include = format!("{{{{#include ../../{package}/src/bin/{name}.rs:");
        assert!(
            pages.iter().any(|(_, text)| text.contains(&include)),
            "{example}: no include of its file"
        );
    }
}

/// `book --help` prints its usage and writes nothing; so does an option it does not know, with a
/// usage error.
#[test]
fn help_writes_nothing() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let pages = root.join("book/src");
    let written = || -> Vec<(std::path::PathBuf, std::time::SystemTime)> {
        let files = std::fs::read_dir(&pages)
            .unwrap()
            .map(|f| f.unwrap().path());
        files
            .map(|f| (f.clone(), f.metadata().unwrap().modified().unwrap()))
            .collect()
    };
    let before = written();
    let book = env!("CARGO_BIN_EXE_book");
    let help = harness::bin(book).arg("--help").run();
    help.assert_success();
    assert!(help.stdout.starts_with("usage: book\n"), "{help}");
    harness::bin(book).arg("--pages").run().assert_usage_error();
    assert_eq!(written(), before, "the pages were written");
}

/// Every exercise is on exactly one page of the book, the page of its section.
#[test]
fn every_exercise_is_on_one_page_of_the_book() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut on_pages: Vec<&str> = harness::book::PAGES
        .iter()
        .flat_map(|p| p.exercises.iter().copied())
        .collect();
    let mut files: Vec<String> = std::fs::read_dir(root.join("exercises/exercises"))
        .unwrap()
        .map(|f| {
            f.unwrap()
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .collect();
    on_pages.sort_unstable();
    files.sort_unstable();
    assert_eq!(on_pages, files, "each exercise on exactly one page");
}
