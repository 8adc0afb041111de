//! The READMEs' checks: a row for every binary in README.md, and README.zh-CN.md in step with
//! README.md (rows, sections, code blocks, commands, figures).

use super::{Binary, binaries};
use std::fs;
use std::path::Path;

/// The README table row with the `cargo run` command of `binary`.
pub(super) fn readme_row<'r>(readme: &'r str, binary: &Binary) -> Option<&'r str> {
    let command = format!("-p {} --bin {}`", binary.package, binary.name);
    readme
        .lines()
        .find(|l| l.starts_with('|') && l.contains("`cargo run ") && l.contains(&command))
}

/// What is wrong with the README.md row of `binary`, whose header names `sample` (as
/// [`super::header_problems`] returns it).
pub(super) fn row_problems(
    readme: &str,
    binary: &Binary,
    sample: &Option<Option<String>>,
) -> Vec<String> {
    let at = format!("{}/src/bin/{}.rs", binary.package, binary.name);
    let mut problems = Vec::new();
    match readme_row(readme, binary) {
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
            match sample {
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
    problems
}

/// README.zh-CN.md, the README for the tutorial's readers, is the whole README in Chinese and
/// keeps in step with README.md: each links to the other; it has a row for every binary, with a
/// link to its source and the very command of README.md's row; as many sections (`##` and
/// `###` headings); every code block of README.md (commands, outputs, charts) as it is; every
/// command in backquotes; every number (the figures) outside code.
pub(super) fn chinese_readme_problems(root: &Path, readme: &str) -> Vec<String> {
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
pub(super) fn numbers(text: &str) -> std::collections::BTreeSet<String> {
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
