//! The companion book's pages, generated from their one home each: a page per section of the
//! tutorial, and on it, for each example, the text of its header (what to notice, what Rust
//! does differently, Try, its outputs), its source (an mdBook `{{#include}}` of the file, never a
//! copy), the README's outputs of it (the `--timeline` charts) and the README's measurement rows
//! that name it. `cargo run -p harness --bin book` writes them; a test fails when they are stale.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The command that writes the pages again.
pub const REGENERATE: &str = "cargo run -p harness --bin book";

/// A page of the book: a section of the tutorial and its examples, in the tutorial's order.
pub struct Page {
    pub file: &'static str,
    pub title: &'static str,
    /// The tutorial page's id (after `https://www.liaoxuefeng.com/wiki/1016959663602400/`).
    pub tutorial: &'static str,
    /// What the page is about, before the examples.
    pub intro: &'static str,
    /// `package/name` of each example.
    pub examples: &'static [&'static str],
    /// What else names a measurement row of the section (a test's command, say).
    pub measured_by: &'static [&'static str],
    /// Its exercises: files of `exercises/exercises/`, without `.rs`.
    pub exercises: &'static [&'static str],
}

/// The tutorial's table of contents for the two chapters, with the examples of each section.
pub const PAGES: [Page; 9] = [
    Page {
        file: "multiprocessing.md",
        title: "多进程 Multiprocessing",
        tutorial: "1017628290184064",
        intro: "`fork`, a child process that runs a function, a pool of processes; then 子进程 \
                (subprocesses: another program, talked to through pipes) and 进程间通信 \
                (inter-process communication: a queue and a pipe between processes).",
        examples: &[
            "examples-process/fork",
            "examples-process/multi_processing",
            "examples-process/pooled_processing",
            "examples-process/subprocess",
            "examples-ipc/queue",
            "examples-ipc/pipe",
            "examples-ipc/queue_bench",
        ],
        exercises: &["01_pool_of_five", "02_communicate", "03_queue_end"],
        measured_by: &[],
    },
    Page {
        file: "multithreading.md",
        title: "多线程 Multithreading",
        tutorial: "1017629247922688",
        intro: "A thread, a lock, what goes wrong without one, threads on many cores (and the \
                GIL that keeps Python's on one), and the downside of locks: deadlocks.",
        examples: &[
            "examples-thread/multi_threading",
            "examples-thread/lock",
            "examples-thread/lost_update",
            "examples-thread/multicore",
            "examples-thread/deadlock",
        ],
        exercises: &["04_share_counter", "05_deadlock_order"],
        measured_by: &[],
    },
    Page {
        file: "threadlocal.md",
        title: "ThreadLocal",
        tutorial: "1017630786314240",
        intro: "One name, a value of its own in every thread.",
        examples: &["examples-thread/threadlocal"],
        exercises: &["06_thread_local"],
        measured_by: &[],
    },
    Page {
        file: "processes-vs-threads.md",
        title: "进程 vs. 线程 Processes vs. threads",
        tutorial: "1017631469467456",
        intro: "The tutorial's claims, measured on your machine: the Master-Worker model, what a \
                crash takes down, what a process costs, what a switch costs (线程切换), \
                compute-bound work wants as many tasks as cores, IO-bound work suits async IO.",
        examples: &[
            "examples-thread/master_worker",
            "examples-process/crash_isolation",
            "examples-process/spawn_cost",
            "examples-thread/context_switch",
            "examples-thread/cpu_bound",
            "examples-async/io_bound",
        ],
        exercises: &["07_primes_rayon", "08_threads_for_cores"],
        measured_by: &[],
    },
    Page {
        file: "distributed-processes.md",
        title: "分布式进程 Distributed processes",
        tutorial: "1017631559645600",
        intro: "A master and its workers over the network, on Python's own manager protocol: \
                each side works with the tutorial's Python script too.",
        examples: &["examples-ipc/task_master", "examples-ipc/task_worker"],
        exercises: &["09_worker"],
        measured_by: &["tasks_per_second"],
    },
    Page {
        file: "coroutines.md",
        title: "协程 Coroutines",
        tutorial: "1017968846697824",
        intro: "A producer and a consumer taking turns on one thread, no lock.",
        examples: &["examples-async/coroutine"],
        exercises: &["10_take_turns"],
        measured_by: &[],
    },
    Page {
        file: "asyncio.md",
        title: "asyncio",
        tutorial: "1017970488768640",
        intro: "An event loop, and three connections at once on one thread. The tutorial's first \
                example here, `hello`, is on the next page in its async/await form.",
        examples: &["examples-async/async_wget"],
        exercises: &["11_fetch_concurrently"],
        measured_by: &[],
    },
    Page {
        file: "async-await.md",
        title: "async/await",
        tutorial: "1048430311230688",
        intro: "The same waits written with `async` and `await`, as Rust writes them.",
        examples: &["examples-async/async_hello"],
        exercises: &["12_two_waits"],
        measured_by: &[],
    },
    Page {
        file: "aiohttp.md",
        title: "aiohttp",
        tutorial: "1017985577429536",
        intro: "An async web server: many waiting requests, one event loop.",
        examples: &["examples-async/aio_web"],
        exercises: &["13_escaped_route"],
        measured_by: &[],
    },
];

const TUTORIAL_URL: &str = "https://www.liaoxuefeng.com/wiki/1016959663602400/";

/// Every generated file of the book below `root` (the workspace), with its text.
pub fn pages(root: &Path) -> Result<Vec<(PathBuf, String)>, String> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let readme = read(&root.join("README.md"))?;
    let mut files = vec![(PathBuf::from("book/src/SUMMARY.md"), summary())];
    for page in &PAGES {
        let mut text = format!(
            "{}# {}\n\n{}\n\nTutorial: <{TUTORIAL_URL}{}>\n\n{}\n",
            generated_note(),
            page.title,
            other_language(page.file),
            page.tutorial,
            page.intro
        );
        for example in page.examples {
            let (package, name) = example.split_once('/').expect("package/name");
            let file = format!("{package}/src/bin/{name}.rs");
            let source = read(&root.join(&file))?;
            text += &example_section(&file, name, &source, &readme);
            let broken = format!("{package}/tests/compile_fail/{name}.rs");
            if root.join(&broken).exists() {
                let _ = write!(
                    text,
                    "\nThe version that does not compile (`{broken}`, which a test compiles to \
                     see it fail):\n\n```rust,noplayground\n{{{{#include ../../{broken}}}}}\n```\n"
                );
            }
        }
        let rows = measurement_rows(&readme, page.examples, page.measured_by);
        if !rows.is_empty() {
            let _ = write!(text, "\n## Measured on one machine\n\n{rows}");
        }
        if !page.exercises.is_empty() {
            text += EXERCISES_INTRO;
            for exercise in page.exercises {
                let file = format!("exercises/exercises/{exercise}.rs");
                text += &exercise_section(&file, &read(&root.join(&file))?);
            }
        }
        files.push((
            PathBuf::from("book/src").join(page.file),
            untranslated_code(&text),
        ));
    }
    Ok(files)
}

/// The line under the `Tutorial:` line of each example's header: where the reader of the source
/// finds the example's page of the book, as a file of the repository and as built by `mdbook
/// build book` (the Chinese edition's text is only there: the PO translates the built page). The
/// book's own page leaves it out.
pub fn pointer(page_file: &str) -> String {
    let html = page_file.replace(".md", ".html");
    format!(
        "Book: `book/src/{page_file}`, built as `book/book/{html}`; 中文版 `book/book/zh-CN/{html}`"
    )
}

/// The link to the same page in the other edition: the Chinese edition is built into `zh-CN/`
/// below the English one, and its translation of this line links back (`../PAGE.html`).
pub fn other_language(file: &str) -> String {
    format!("[中文版](zh-CN/{})", file.replace(".md", ".html"))
}

/// `text` with `<!-- mdbook-xgettext: skip -->` before each code block that is not Rust source:
/// commands and outputs stay as they are in the Chinese edition, so they are no messages to
/// translate. A Rust block is not skipped: mdbook-xgettext makes a message of each comment and
/// string literal in it (and of nothing else), so its comments are translated and its code
/// stays as it is. The string literals stay identical (`harness::translation` checks that), so
/// that what a program prints is what the book shows.
fn untranslated_code(text: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.starts_with("```") {
            if !in_code && !line.starts_with("```rust") {
                out += "<!-- mdbook-xgettext: skip -->\n";
            }
            in_code = !in_code;
        }
        out += line;
        out.push('\n');
    }
    out
}

fn generated_note() -> String {
    format!(
        "<!-- Generated from the examples' headers and the README by `{REGENERATE}`: edit those, not this. -->\n\n"
    )
}

fn summary() -> String {
    let mut out = format!(
        "{}# Summary\n\n[Introduction](introduction.md)\n\n",
        generated_note()
    );
    for page in &PAGES {
        let _ = writeln!(out, "- [{}]({})", page.title, page.file);
    }
    out
}

/// An example: its header as Markdown (the title a level down), its code after the header,
/// and what the README shows of it.
fn example_section(file: &str, name: &str, source: &str, readme: &str) -> String {
    let mut header: Vec<&str> = source
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| l.trim_start_matches("//!").strip_prefix(' ').unwrap_or(""))
        .collect();
    let code_starts = header.len() + 1;
    header.retain(|line| !line.starts_with("Book: `book/src/"));
    let mut out = String::from("\n");
    for line in &header {
        match line.strip_prefix("# ") {
            Some(title) => {
                let _ = writeln!(out, "## {title}");
            }
            None => {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    let _ = write!(
        out,
        "\nThe code (`{file}`, after its header):\n\n\
         ```rust,noplayground\n{{{{#include ../../{file}:{code_starts}:}}}}\n```\n"
    );
    for block in crate::expected::in_readme(readme, name) {
        let command = readme_command(readme, &block).unwrap_or_default();
        let _ = write!(
            out,
            "\nOutput of `{command}`:\n\n```text\n{}```\n",
            block.text
        );
    }
    out
}

/// What every page's exercises start with.
const EXERCISES_INTRO: &str = "\n## 练习 Exercises\n\nEach is a small program with a gap to fill or a bug \
    to fix that is this section's lesson. `cargo run -p exercises` lists them all and checks the \
    first one not done, again each time you save it; `cargo run -p exercises -- check NAME` \
    checks one: it builds it, runs it and checks the lesson through what the checker sees itself \
    (the processes and threads that really ran, inputs it chooses, the waits on its own clock), \
    never the text alone; `-- hint NAME` gives a hint, `-- hint NAME 2` a closer one, and \
    `-- run NAME` shows its output. Solutions are in `exercises/solutions/`, to compare once \
    yours passes.\n";

/// An exercise: its header as Markdown (the title a level down) and how to check it.
fn exercise_section(file: &str, source: &str) -> String {
    let name = file
        .rsplit('/')
        .next()
        .and_then(|f| f.strip_suffix(".rs"))
        .and_then(|f| f.split_once('_'))
        .map_or("", |(_, name)| name);
    let mut out = String::from("\n");
    // The header's Chinese paragraphs (要做, 提示) are the Chinese edition's, through its PO.
    let mut chinese = false;
    for line in source.lines().take_while(|l| l.starts_with("//!")) {
        let line = line
            .trim_start_matches("//!")
            .strip_prefix(' ')
            .unwrap_or("");
        if ["要做：", "提示 1：", "提示 2："]
            .iter()
            .any(|k| line.starts_with(k))
        {
            chinese = true;
        } else if chinese && line.is_empty() {
            chinese = false;
            continue; // with its paragraph
        } else if line.starts_with("To do: ") || line.starts_with("Hint ") {
            chinese = false;
        }
        if chinese {
            continue;
        }
        match line.strip_prefix("# ") {
            Some(title) => _ = writeln!(out, "### {title}"),
            None => _ = writeln!(out, "{line}"),
        }
    }
    let _ = write!(
        out,
        "\nIn `{file}`; check it: `cargo run -p exercises -- check {name}`.\n"
    );
    out
}

/// The command in backquotes in the paragraph before a README block.
fn readme_command(readme: &str, block: &crate::expected::Block) -> Option<String> {
    let line: usize = block.at.rsplit(':').next()?.parse().ok()?;
    let before: Vec<&str> = readme.lines().take(line - 1).collect();
    let paragraph = before
        .iter()
        .rev()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty());
    let text: Vec<&str> = paragraph.copied().collect();
    let text: String = text.into_iter().rev().collect::<Vec<_>>().join(" ");
    text.split('`')
        .skip(1)
        .step_by(2)
        .find(|code| code.contains("cargo run"))
        .map(String::from)
}

/// The README's measurement rows (its tables whose rows hold a command) that name one of
/// `examples`, with the heading row of their table.
fn measurement_rows(readme: &str, examples: &[&str], measured_by: &[&str]) -> String {
    let mut names: Vec<String> = examples
        .iter()
        .map(|e| format!("--bin {}", e.split_once('/').map_or(*e, |(_, n)| n)))
        .collect();
    names.extend(measured_by.iter().map(|m| m.to_string()));
    let mut out = String::new();
    let lines: Vec<&str> = readme.lines().collect();
    let mut at = 0;
    while at < lines.len() {
        if !lines[at].starts_with('|') {
            at += 1;
            continue;
        }
        let start = at;
        while at < lines.len() && lines[at].starts_with('|') {
            at += 1;
        }
        let table = &lines[start..at];
        let is_measurement = table[0].contains("Claim of the tutorial");
        let rows: Vec<&&str> = table[2..]
            .iter()
            .filter(|row| {
                names
                    .iter()
                    .any(|n| row.contains(&format!("{n}`")) || row.contains(&format!("{n} ")))
            })
            .collect();
        if is_measurement && !rows.is_empty() {
            let _ = writeln!(out, "{}\n{}", table[0], table[1]);
            rows.iter().for_each(|row| _ = writeln!(out, "{row}"));
            out.push('\n');
        }
    }
    out
}

/// The generated files that differ from what is on disk below `root`, one line each.
pub fn stale(root: &Path) -> Result<Vec<String>, String> {
    Ok(pages(root)?
        .into_iter()
        .filter(|(path, text)| {
            std::fs::read_to_string(root.join(path)).ok().as_deref() != Some(text)
        })
        .map(|(path, _)| format!("{} is stale: run `{REGENERATE}`", path.display()))
        .collect())
}
