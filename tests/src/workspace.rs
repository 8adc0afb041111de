//! Checks over the whole workspace, as functions of a workspace folder so that they can be tried
//! on a made-up workspace too: every binary of every examples package has a `//!` header that
//! names its tutorial section and Python sample and has every section of [`HEADER_SECTIONS`], a
//! README row that links to its source, with its `cargo run` command and the same Python sample,
//! and a test that runs it.

use std::fs;
use std::path::{Path, PathBuf};

/// The tutorial's pages of the two chapters: `https://www.liaoxuefeng.com/wiki/1016959663602400/<id>`.
pub const TUTORIAL_PAGES: [(&str, &str); 9] = [
    ("1017628290184064", "多进程"),
    ("1017629247922688", "多线程"),
    ("1017630786314240", "ThreadLocal"),
    ("1017631469467456", "进程 vs. 线程"),
    ("1017631559645600", "分布式进程"),
    ("1017968846697824", "协程"),
    ("1017970488768640", "asyncio"),
    ("1048430311230688", "async/await"),
    ("1017985577429536", "aiohttp"),
];

const TUTORIAL_URL: &str = "https://www.liaoxuefeng.com/wiki/1016959663602400/";
const SAMPLES_URL: &str = "https://github.com/michaelliao/learn-python3/blob/master/samples/";

/// The Python samples of the two chapters in michaelliao/learn-python3.
pub const PYTHON_SAMPLES: [&str; 16] = [
    "multitask/do_folk.py",
    "multitask/do_lock.py",
    "multitask/do_queue.py",
    "multitask/do_subprocess.py",
    "multitask/multi_processing.py",
    "multitask/multi_threading.py",
    "multitask/pooled_processing.py",
    "multitask/task_master.py",
    "multitask/task_worker.py",
    "multitask/use_threadlocal.py",
    "async/aio_web.py",
    "async/async_hello.py",
    "async/async_hello2.py",
    "async/async_wget.py",
    "async/async_wget2.py",
    "async/coroutine.py",
];

/// The sections every header has besides its title, `Tutorial:`, `Python sample:` and the
/// `cargo run` command: each starts a line of the header.
pub const HEADER_SECTIONS: [&str; 4] = [
    "Output",
    "What to notice:",
    "What Rust does differently:",
    "Try:",
];

/// One binary of an examples package.
#[derive(Debug)]
pub struct Binary {
    pub package: String,
    pub name: String,
    pub path: PathBuf,
}

/// Every `examples-*/src/bin/*.rs` below `root`, sorted.
pub fn binaries(root: &Path) -> Vec<Binary> {
    let mut found = Vec::new();
    for package in read_dir_sorted(root) {
        let package_name = file_name(&package);
        if !package_name.starts_with("examples-") {
            continue;
        }
        for file in read_dir_sorted(&package.join("src/bin")) {
            if file.extension().is_some_and(|e| e == "rs") {
                found.push(Binary {
                    package: package_name.clone(),
                    name: file.file_stem().unwrap().to_string_lossy().into_owned(),
                    path: file,
                });
            }
        }
    }
    found
}

fn read_dir_sorted(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    entries.sort();
    entries
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// The Python sample named by a header's `Python sample:` line: `Some("do_lock.py")`, or `None`
/// for `Python sample: none; ...`. An error says what is wrong with the line.
fn header_sample(line: &str) -> Result<Option<String>, String> {
    let rest = line.trim_start_matches("//!").trim();
    let rest = rest
        .strip_prefix("Python sample:")
        .unwrap_or_default()
        .trim();
    if rest.starts_with("none") {
        return Ok(None);
    }
    let (_, after) = rest
        .split_once(SAMPLES_URL)
        .ok_or_else(|| format!("`Python sample:` has no link to {SAMPLES_URL}..."))?;
    let sample = after.split(')').next().unwrap_or_default();
    if !PYTHON_SAMPLES.contains(&sample) {
        return Err(format!(
            "`Python sample:` links to {sample:?}, not a sample of the chapters"
        ));
    }
    Ok(Some(
        sample.rsplit('/').next().unwrap_or_default().to_string(),
    ))
}

/// What is wrong with the header of `source` (the file of binary `name`).
pub fn header_problems(name: &str, source: &str) -> (Vec<String>, Option<Option<String>>) {
    let header: Vec<&str> = source
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .collect();
    let mut problems = Vec::new();
    if header.is_empty() {
        return (vec!["no `//!` header at the top".into()], None);
    }
    match header.iter().find(|l| l.contains("Tutorial:")) {
        None => problems.push("header names no `Tutorial:` section".into()),
        Some(line) => {
            let known = TUTORIAL_PAGES
                .iter()
                .any(|(id, _)| line.contains(&format!("{TUTORIAL_URL}{id}")));
            if !known {
                problems.push(format!(
                    "`Tutorial:` links to no page of the two chapters: {line}"
                ));
            }
        }
    }
    let sample = match header.iter().find(|l| l.contains("Python sample:")) {
        None => {
            problems.push("header names no `Python sample:` (a link, or `none; why`)".into());
            None
        }
        Some(line) => match header_sample(line) {
            Ok(sample) => Some(sample),
            Err(e) => {
                problems.push(e);
                None
            }
        },
    };
    for section in HEADER_SECTIONS {
        let starts = |l: &&str| {
            l.trim_start_matches("//!")
                .trim_start()
                .starts_with(section)
        };
        if !header.iter().any(starts) {
            problems.push(format!("header has no `{section}` section"));
        }
    }
    if crate::expected::in_header(name, name, source).is_empty() {
        problems.push("header shows no output (a ```text block after its `Output` line)".into());
    }
    if !header
        .iter()
        .any(|l| l.contains("cargo run") && l.contains(&format!("--bin {name}")))
    {
        problems.push(format!(
            "header does not show how to run it (`--bin {name}`)"
        ));
    }
    (problems, sample)
}

/// The README table row with the `cargo run` command of `binary`.
fn readme_row<'r>(readme: &'r str, binary: &Binary) -> Option<&'r str> {
    let command = format!("-p {} --bin {}`", binary.package, binary.name);
    readme
        .lines()
        .find(|l| l.starts_with('|') && l.contains("`cargo run ") && l.contains(&command))
}

fn manifest_of(root: &Path, package: &str) -> String {
    fs::read_to_string(root.join(package).join("Cargo.toml")).unwrap_or_default()
}

/// Whether `manifest` has a `[[bin]]` named `name` with `test = false`.
fn bin_test_off(manifest: &str, name: &str) -> bool {
    manifest.split("[[bin]]").skip(1).any(|entry| {
        let entry = entry.split("\n[").next().unwrap_or_default();
        let lines: Vec<String> = entry.lines().map(|l| l.replace(' ', "")).collect();
        lines.contains(&format!("name=\"{name}\"")) && lines.iter().any(|l| l == "test=false")
    })
}

/// Every problem found in the workspace at `root`, one line each; empty when all is well.
pub fn workspace_problems(root: &Path) -> Vec<String> {
    let readme = fs::read_to_string(root.join("README.md")).unwrap_or_default();
    let mut problems = Vec::new();
    for binary in binaries(root) {
        let at = format!("{}/src/bin/{}.rs", binary.package, binary.name);
        let source = fs::read_to_string(&binary.path).unwrap_or_default();
        let (header, sample) = header_problems(&binary.name, &source);
        problems.extend(header.into_iter().map(|p| format!("{at}: {p}")));

        match readme_row(&readme, &binary) {
            None => problems.push(format!(
                "{at}: README has no table row with `cargo run -p {} --bin {}`",
                binary.package, binary.name
            )),
            Some(row) => {
                if !row.contains(&format!("]({at})")) {
                    problems.push(format!(
                        "{at}: README row does not link to its source ({at})"
                    ));
                }
                // | Example | Tutorial section | Python sample | Command | What to notice |
                let cell = row.split('|').nth(3).unwrap_or_default();
                match &sample {
                    Some(Some(file)) if !cell.contains(file.as_str()) => problems.push(format!(
                        "{at}: README row's Python sample should be {file}: {row}"
                    )),
                    Some(None) if !cell.trim_start().starts_with('—') => problems.push(format!(
                        "{at}: header says no Python sample, README row should say `—`: {row}"
                    )),
                    _ => {}
                }
            }
        }

        // A binary without unit tests would print an empty `running 0 tests` block for each
        // `cargo test`: its `[[bin]]` entry says `test = false`.
        if !source.contains("#[cfg(test)]")
            && !bin_test_off(&manifest_of(root, &binary.package), &binary.name)
        {
            problems.push(format!(
                "{at}: has no unit tests, so its [[bin]] in {}/Cargo.toml says `test = false`",
                binary.package
            ));
        }

        let tests = root.join(&binary.package).join("tests");
        let marker = format!("CARGO_BIN_EXE_{}\"", binary.name);
        let outputs = format!("include_str!(\"../src/bin/{}.rs\")", binary.name);
        let outputs_deeper = format!("include_str!(\"../../src/bin/{}.rs\")", binary.name);
        // The tests in tests/, and in tests/examples/ (the one test binary of a package).
        let texts: Vec<String> = (read_dir_sorted(&tests).into_iter())
            .chain(read_dir_sorted(&tests.join("examples")))
            .filter_map(|t| fs::read_to_string(t).ok())
            .collect();
        if !texts.iter().any(|text| text.contains(&marker)) {
            problems.push(format!(
                "{at}: no test in {}/tests runs it (env!(\"CARGO_BIN_EXE_{}\"))",
                binary.package, binary.name
            ));
        }
        let in_readme = !crate::expected::in_readme(&readme, &binary.name).is_empty();
        let checked = |text: &String| {
            let named = format!("\"{}\"", binary.name);
            (text.contains("check_readme(") || text.contains("in_readme(")) && text.contains(&named)
        };
        if in_readme && !texts.iter().any(checked) {
            problems.push(format!(
                "{at}: the README shows its output, and no test in {}/tests checks it (check_readme)",
                binary.package
            ));
        }
        let listed = |text: &String| {
            checked_headers(text).contains(&binary.name.as_str())
                || text.contains(&outputs)
                || text.contains(&outputs_deeper)
        };
        if !texts.iter().any(listed) {
            problems.push(format!(
                "{at}: no test in {}/tests checks its header's outputs (harness::check_headers!)",
                binary.package
            ));
        }
    }
    problems.extend(chinese_readme_problems(root, &readme));
    problems.extend(figure_problems(root, &readme));
    let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
    for package in read_dir_sorted(root) {
        let name = file_name(&package);
        if name.starts_with("examples-") && !manifest.contains(&format!("\"{name}\"")) {
            problems.push(format!("{name} is not a member of the workspace"));
        }
    }
    problems
}

/// The binaries named in the `check_headers!(...)` lists of a test file.
fn checked_headers(text: &str) -> Vec<&str> {
    text.split("check_headers!(")
        .skip(1)
        .filter_map(|after| after.split_once(')'))
        .flat_map(|(list, _)| list.split(',').map(str::trim))
        .filter(|name| !name.is_empty())
        .collect()
}

/// README.zh-CN.md, the README for the tutorial's readers, is the whole README in Chinese and
/// keeps in step with README.md: each links to the other; it has a row for every binary, with a
/// link to its source and the very command of README.md's row; as many sections (`##` and
/// `###` headings); every code block of README.md (commands, outputs, charts) as it is; every
/// command in backquotes; every number (the figures) outside code.
fn chinese_readme_problems(root: &Path, readme: &str) -> Vec<String> {
    let mut problems = chinese_readme_rows(root, readme);
    let Ok(chinese) = fs::read_to_string(root.join("README.zh-CN.md")) else {
        return problems;
    };
    let headings = |text: &str| {
        let (mut n, mut in_code) = (0, false);
        for line in text.lines() {
            in_code ^= line.starts_with("```");
            n += usize::from(!in_code && (line.starts_with("## ") || line.starts_with("### ")));
        }
        n
    };
    if headings(readme) != headings(&chinese) {
        problems.push(format!(
            "README.zh-CN.md has {} sections (## and ###), README.md {}",
            headings(&chinese),
            headings(readme)
        ));
    }
    let (prose, code) = split_code(readme);
    let (chinese_prose, chinese_code) = split_code(&chinese);
    for block in &code {
        if !chinese_code.contains(block) {
            let first = block.lines().nth(1).unwrap_or_default();
            problems.push(format!(
                "README.zh-CN.md lacks README.md's code block that starts {first:?}"
            ));
        }
    }
    // Inline commands, whatever line breaks they wrap at.
    let spans = |text: &str| -> Vec<String> {
        let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        text.split('`').skip(1).step_by(2).map(words).collect()
    };
    let chinese_spans = spans(&chinese_prose);
    for span in spans(&prose) {
        if span.contains("cargo ") && !chinese_spans.contains(&span) {
            problems.push(format!(
                "README.zh-CN.md lacks README.md's command `{span}`"
            ));
        }
    }
    let without_links = |text: &str| {
        text.split("](")
            .enumerate()
            .map(|(i, part)| {
                if i == 0 {
                    part
                } else {
                    part.split_once(')').map_or("", |p| p.1)
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let chinese_numbers = numbers(&without_links(&chinese_prose));
    for number in numbers(&without_links(&prose)) {
        if !chinese_numbers.contains(&number) {
            problems.push(format!("README.zh-CN.md lacks README.md's figure {number}"));
        }
    }
    problems
}

/// A figure has one home: a measurement row of the README (a table whose first heading is
/// `Claim of the tutorial`) whose command is one whose output a header shows quotes that
/// output, every number of it (commas aside). Rows of other commands are their figures' home.
pub fn figure_problems(root: &Path, readme: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut in_measurements = false;
    for (at, line) in readme.lines().enumerate() {
        if !line.starts_with('|') {
            in_measurements = false;
            continue;
        }
        if line.contains("Claim of the tutorial") {
            in_measurements = true;
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if !in_measurements || cells.len() < 4 || cells[1].starts_with("---") {
            continue;
        }
        let command = cells[2];
        if command.matches('`').count() != 2 {
            continue; // not one command of ours (wrk against aio_web)
        }
        let Some(bin) = command
            .split("--bin ")
            .nth(1)
            .and_then(|rest| rest.split([' ', '`']).next())
        else {
            continue;
        };
        let args: Vec<&str> = command
            .trim_matches('`')
            .split_once(" -- ")
            .map_or(Vec::new(), |(_, a)| {
                a.trim_matches('`').split_whitespace().collect()
            });
        let Some(binary) = binaries(root).into_iter().find(|b| b.name == bin) else {
            continue;
        };
        let file = format!("{}/src/bin/{bin}.rs", binary.package);
        let source = fs::read_to_string(&binary.path).unwrap_or_default();
        let blocks = crate::expected::in_header(&file, bin, &source);
        let Some(block) = blocks.iter().find(|b| b.args == args) else {
            continue;
        };
        let shown = block.text.replace(',', "");
        let figures = cells[3..].join(" ");
        for number in numbers(&figures) {
            if !has_number(&shown, &number.replace(',', "")) {
                problems.push(format!(
                    "README.md:{}: the figure {number} is not in the output that {file} shows \
                     for `{}`: quote that run, or run `cargo run -p harness --bin outputs -- \
                     --write {bin}` and quote the new one",
                    at + 1,
                    command.trim_matches('`')
                ));
            }
        }
    }
    problems
}

/// Whether `number` is a whole number of `text` (`59.12` is in `59.12 ms`, not in `159.12`).
fn has_number(text: &str, number: &str) -> bool {
    text.match_indices(number).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let digit_before = before.is_some_and(|c| c.is_ascii_digit() || c == '.');
        let rest = &text[i + number.len()..];
        let digit_after = rest.starts_with(|c: char| c.is_ascii_digit())
            || (rest.starts_with('.') && rest[1..].starts_with(|c: char| c.is_ascii_digit()));
        !digit_before && !digit_after
    })
}

/// The text outside code blocks, and each code block (its fences included).
fn split_code(text: &str) -> (String, Vec<String>) {
    let (mut prose, mut blocks, mut block) = (String::new(), Vec::new(), None::<String>);
    for line in text.lines() {
        match (&mut block, line.trim_start().starts_with("```")) {
            (None, true) => block = Some(format!("{line}\n")),
            (None, false) => {
                prose += line;
                prose.push('\n');
            }
            (Some(b), fence) => {
                *b += line;
                b.push('\n');
                if fence {
                    blocks.extend(block.take());
                }
            }
        }
    }
    (prose, blocks)
}

/// The numbers of `text` with more than one digit or a decimal point (`660`, `2.00`, `29,009`),
/// outside inline code.
fn numbers(text: &str) -> std::collections::BTreeSet<String> {
    let outside_code: String = text.split('`').step_by(2).collect::<Vec<_>>().join(" ");
    let mut found = std::collections::BTreeSet::new();
    let mut number = String::new();
    for c in outside_code.chars().chain([' ']) {
        if c.is_ascii_digit() || (!number.is_empty() && (c == '.' || c == ',')) {
            number.push(c);
            continue;
        }
        let n = number.trim_end_matches(['.', ',']);
        if n.len() > 1 {
            found.insert(n.to_string());
        }
        number.clear();
    }
    found
}

/// README.zh-CN.md's row for each binary: a link to its source and README.md's command.
fn chinese_readme_rows(root: &Path, readme: &str) -> Vec<String> {
    let Ok(chinese) = fs::read_to_string(root.join("README.zh-CN.md")) else {
        return vec!["README.zh-CN.md is missing".into()];
    };
    let mut problems = Vec::new();
    if !readme.contains("(README.zh-CN.md)") {
        problems.push("README.md does not link to README.zh-CN.md".into());
    }
    if !chinese.contains("(README.md)") {
        problems.push("README.zh-CN.md does not link to README.md".into());
    }
    for binary in binaries(root) {
        let at = format!("{}/src/bin/{}.rs", binary.package, binary.name);
        let command = |row: &str| {
            row.split('`')
                .find(|c| c.starts_with("cargo run"))
                .map(String::from)
        };
        let english = readme_row(readme, &binary).and_then(command);
        match readme_row(&chinese, &binary) {
            None => problems.push(format!("{at}: README.zh-CN.md has no row for it")),
            Some(row) if !row.contains(&format!("]({at})")) => {
                problems.push(format!(
                    "{at}: its README.zh-CN.md row does not link to its source"
                ));
            }
            Some(row) if command(row) != english => problems.push(format!(
                "{at}: README.zh-CN.md's command {:?} is not README.md's {english:?}",
                command(row)
            )),
            Some(_) => {}
        }
    }
    problems
}
