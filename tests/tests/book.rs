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

/// The Chinese edition's messages (`book/po/zh-CN.po`): string literals as they are, comments and
/// sentences translated, in the glossary's words (see `harness::translation`).
#[test]
fn zh_cn_po_translates_in_the_glossarys_words() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let problems = harness::translation::check(root).unwrap();
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// Each rule of `harness::translation` fails on what it is for, and passes what it allows.
#[test]
fn the_translation_check_fails_on_each_fault() {
    let glossary = "| English | 中文 | 不用 (not) |\n|---|---|---|\n| event loop | 消息循环 | 事件循环 |\n\
                    | response | 响应 | 应答、回答 |\n";
    let entry = |id: &str, text: &str| {
        let q = |s: &str| format!("\"{}\"", s.replace('"', "\\\"").replace('\n', "\\n"));
        format!(
            "msgid \"\"\nmsgstr \"Language: zh-CN\\n\"\n\nmsgid {}\nmsgstr {}\n",
            q(id),
            q(text)
        )
    };
    let problems =
        |id: &str, text: &str| harness::translation::problems(&entry(id, text), glossary).unwrap();
    let fails = |id: &str, text: &str, why: &str| {
        let found = problems(id, text);
        assert!(
            found.iter().any(|p| p.contains(why)),
            "{text:?}: no {why:?} in {found:?}"
        );
    };
    let passes =
        |id: &str, text: &str| assert_eq!(problems(id, text), Vec::<String>::new(), "{text:?}");

    // String literals stay as they are.
    passes("\"Put {value} to queue...\"", "\"Put {value} to queue...\"");
    fails(
        "\"Put {value} to queue...\"",
        "\"把 {value} 放入队列……\"",
        "string literal",
    );
    // Comments: translated, line for line.
    let comment = "// the master is gone\n";
    passes(comment, "// Master 已经不在了\n");
    fails(comment, "", "untranslated");
    fails(comment, comment, "English comment left untranslated");
    fails(comment, "Master 已经不在了\n", "indentation and markers");
    let two = "// Processes first: a parent that has just run a thousand threads\n    // keeps their stacks.\n";
    fails(
        two,
        "// 先测进程：刚运行过一千个线程的父进程还映射着它们的栈。\n",
        "indentation and markers",
    );
    passes(
        two,
        "// 先测进程：一个刚运行过一千个线程的父进程，\n    // 还映射着它们的栈。\n",
    );
    // Python code in a comment may stay; a carried Chinese comment keeps its words.
    passes("// n = yield r\n", "// n = yield r\n");
    passes(
        "// 获取当前线程关联的回答 (get the answer bound to the current thread):\n",
        "// 获取当前线程关联的回答:\n",
    );
    // English left in a translation.
    fails(
        "// 先要获取锁 (first take the lock); the guard is the only way to the balance:\n",
        "// 先要获取锁; the guard is the only way to the balance:\n",
        "English left",
    );
    passes(
        "Try: `--count 10000`",
        "动手试：`--count 10000 is the count here`",
    );
    // Ratios and the glossary's words.
    fails(
        "Python takes 27× the time",
        "Python 用时是 Rust 的 27×",
        "a ratio written \"27×\"",
    );
    fails("1.6× faster", "快 1.6 倍", "a ratio written \"快 1.6 倍\"");
    passes("Python takes 27× the time", "Python 用时是 Rust 的 27 倍");
    passes("N × 100 %", "N × 100 %");
    fails("an event loop", "一个事件循环", "\"事件循环\", which");
    fails(
        "// one event loop\n",
        "// 一个事件循环\n",
        "\"事件循环\", which",
    );
    passes("an event loop, `事件循环`", "一个消息循环，`事件循环`");
}

/// Each example's header points to its page of the book, in both editions, on the line under its
/// `Tutorial:` links.
#[test]
fn every_header_points_to_its_page_of_the_book() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    for page in &harness::book::PAGES {
        for example in page.examples {
            let (package, name) = example.split_once('/').unwrap();
            let file = format!("{package}/src/bin/{name}.rs");
            let source = std::fs::read_to_string(root.join(&file)).unwrap();
            let header: Vec<&str> = source
                .lines()
                .take_while(|l| l.starts_with("//!"))
                .collect();
            // The last line of the `Tutorial:` paragraph.
            let tutorial = header.iter().position(|l| l.starts_with("//! Tutorial:"));
            let at = tutorial.map(|t| t + header[t..].iter().take_while(|l| **l != "//!").count());
            let pointer = format!("//! {}", harness::book::pointer(page.file));
            assert_eq!(
                at.and_then(|at| header.get(at - 1)),
                Some(&pointer.as_str()),
                "{file}: the line under the `Tutorial:` links should be\n{pointer}"
            );
        }
    }
}
