//! The figures' check: a figure the README quotes is in the output its binary's header shows.

use super::binaries;
use super::readme::numbers;
use std::fs;
use std::path::Path;

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
