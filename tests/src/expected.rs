//! The outputs that a header (or the README) shows, as expectations that a real run must meet.
//!
//! A header's output block is a ```` ```text ```` block right after a paragraph that starts with
//! `Output` (`Output:`, `Output (a 2-core machine):`). It is the output of the binary run with no
//! arguments, unless that paragraph names another command in backquotes, `cargo run ... --bin
//! NAME -- ARGS`: then of NAME with ARGS. In the README, a block is an output when the paragraph
//! before it ends with such a command and a colon.
//! A command may set variables before `cargo run` (`TUTORIAL_TIME_SCALE=0.1 cargo run ...`);
//! without, the run has no tutorial sleeps.
//! When the paragraph says `in any order`, the lines are compared as a set (two processes or
//! threads printing at once); otherwise in order. `on stderr` compares the run's stderr.
//!
//! A block is a real run, as a learner sees it: PIDs, times and random numbers included. What
//! varies from run to run is redacted by the check, in the block and in the fresh run alike
//! ([`redact`]): every number (a PID, a duration, a random number), a number's unit of time or
//! size (`56 µs` may be `1.09 ms` next time), a date's names, and the drawing of a `--timeline`
//! chart (its lanes stay). The words and the lines are compared, in order: a line missing,
//! added or changed fails. The numbers that are a lesson (a balance of 0, four worker PIDs) are asserted by the
//! example's own tests. `cargo run -p harness --bin outputs` runs every command again and shows
//! (or, with `--write`, writes) what a fresh run prints.

use std::fmt;

/// One output block and what produces it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Where it is, for messages: `examples-thread/src/bin/lock.rs:13`.
    pub at: String,
    /// The binary whose output it is.
    pub bin: String,
    /// Its arguments (after `--` in the command).
    pub args: Vec<String>,
    /// The variables the command sets before it (`TUTORIAL_TIME_SCALE=0.1`); the time scale
    /// is 0 otherwise, as in every test.
    pub env: Vec<(String, String)>,
    /// Whether its lines may come in any order.
    pub unordered: bool,
    /// Whether it shows stderr rather than stdout.
    pub stderr: bool,
    /// The text shown: a real run.
    pub text: String,
}

impl fmt::Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} {})", self.at, self.bin, self.args.join(" "))
    }
}

impl Block {
    /// Fails unless `actual` (the run's stdout, or stderr for a block `on stderr`) matches,
    /// once both are redacted.
    pub fn check(&self, actual: &str) {
        let expected = snapbox::Data::text(redact(&self.text));
        let expected = if self.unordered {
            expected.unordered()
        } else {
            expected
        };
        let assert = snapbox::Assert::new().normalize_paths(false);
        let actual = snapbox::Data::text(redact(actual));
        if let Err(e) = assert.try_eq(Some(&"a real run (redacted)"), actual, expected) {
            panic!(
                "the output shown at {self} is not what a real run prints (both redacted: \
                 `N` a number, `TIME`/`SIZE` one with its unit; `cargo run -p harness --bin \
                 outputs` shows a fresh run):\n{e}"
            );
        }
    }
}

/// The names in a date (an HTTP `date:` header), which change with the day.
const DATE_NAMES: [&str; 19] = [
    "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Units that a number may change from run to run (`56 µs`, `1.09 ms`).
const TIME_UNITS: [&str; 6] = ["ns", "µs", "us", "ms", "s", "seconds"];
const SIZE_UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "KB", "MB"];

/// `text` with what varies from run to run replaced: each number by `N` (digits, with the `.`
/// and `,` inside them, and its sign), a number with a unit of time or size by `TIME` or `SIZE`, the name of
/// a day or a month by `DAY`, a word's plural after a number by its singular, a chart of
/// `--timeline` by its title and its lanes' names (its bars, axis and legend change with every
/// run, and are drawn from the listing that follows, which is compared), and runs of spaces by
/// one (columns move with the numbers' widths).
pub fn redact(text: &str) -> String {
    let mut out = String::new();
    let mut in_chart = false;
    for line in text.lines() {
        if line.starts_with("timeline: who ran what") {
            in_chart = true;
        } else if in_chart && line.trim().is_empty() {
            in_chart = false;
        } else if in_chart {
            match line.split_once('│') {
                Some((lane, _)) if !lane.trim().is_empty() => {
                    out += &format!("{} │\n", redact_line(lane));
                }
                _ => {} // the axis, the time scale, the legend
            }
            continue;
        }
        out += &redact_line(line);
        out.push('\n');
    }
    out
}

fn redact_line(line: &str) -> String {
    // Numbers first: a digit, then digits, `.` and `,` (not a last `.` or `,`: punctuation).
    let mut masked = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        // A minus sign that starts a number is the number's (`balance = -28` is `balance = N`):
        // a racy balance comes out either side of zero.
        let starts_a_word = masked.is_empty() || masked.ends_with([' ', '=', '(', '[', ':']);
        if c == '-' && starts_a_word && chars.peek().is_some_and(char::is_ascii_digit) {
            continue;
        }
        if !c.is_ascii_digit() {
            masked.push(c);
            continue;
        }
        // A sign is the number's (`balance = -13`), a hyphen between words is not (`x-1`).
        let signed = masked.strip_suffix('-').filter(|before| {
            before.is_empty() || before.ends_with(|b: char| b.is_whitespace() || "(=[".contains(b))
        });
        if let Some(before) = signed {
            masked.truncate(before.len());
        }
        let mut number = String::from(c);
        while let Some(&d) = chars.peek() {
            if d.is_ascii_digit()
                || ((d == '.' || d == ',') && number.ends_with(|c: char| c.is_ascii_digit()))
            {
                number.push(d);
                chars.next();
            } else {
                break;
            }
        }
        let tail = number.trim_end_matches(['.', ',']);
        masked.push('N');
        masked += &number[tail.len()..];
    }
    // Then units: `N ms` (or `Nms`) is `TIME`, `N MiB` is `SIZE`.
    let words: Vec<&str> = masked.split_whitespace().collect();
    let mut out: Vec<String> = Vec::new();
    let mut at = 0;
    while at < words.len() {
        let word = words[at];
        let unit_of = |w: &str| {
            let w = w.trim_end_matches([',', ';', ')', '.', ':']);
            let kind = if TIME_UNITS.contains(&w) {
                "TIME"
            } else if SIZE_UNITS.contains(&w) {
                "SIZE"
            } else {
                return None;
            };
            Some((kind, w.len()))
        };
        if DATE_NAMES.contains(&word.trim_end_matches(',')) {
            out.push(word.replacen(word.trim_end_matches(','), "DAY", 1));
            at += 1;
            continue;
        }
        // `1 task`, `9 tasks`: the plural follows the number.
        if out.last().is_some_and(|w| w.ends_with('N')) && unit_of(word).is_none() {
            let bare = word.trim_end_matches([',', ';', ')', '.', ':']);
            if let Some(one) = bare.strip_suffix('s').filter(|w| w.len() > 1) {
                out.push(format!("{one}{}", &word[bare.len()..]));
                at += 1;
                continue;
            }
        }
        let number_end = word.ends_with('N');
        if number_end && at + 1 < words.len() {
            if let Some((kind, len)) = unit_of(words[at + 1]) {
                out.push(format!(
                    "{}{kind}{}",
                    &word[..word.len() - 1],
                    &words[at + 1][len..]
                ));
                at += 2;
                continue;
            }
        }
        match word.rfind('N') {
            Some(n) if n > 0 || word.starts_with('N') => {
                let (head, unit) = word.split_at(n + 1);
                match unit_of(unit) {
                    Some((kind, len)) if !unit.is_empty() => {
                        out.push(format!("{}{kind}{}", &head[..head.len() - 1], &unit[len..]));
                    }
                    _ => out.push(word.to_string()),
                }
            }
            _ => out.push(word.to_string()),
        }
        at += 1;
    }
    out.join(" ")
}

/// Runs the command of every output block in the header of the binary at `exe` (its source is
/// `source`, the file `file` of the workspace, such as `examples-thread/src/bin/lock.rs`) and
/// checks what it prints. Fails if the header shows no output at all.
pub fn check_header(file: &str, exe: &str, source: &str) {
    let bin = file
        .rsplit('/')
        .next()
        .unwrap_or(file)
        .trim_end_matches(".rs");
    let blocks = in_header(file, bin, source);
    assert!(
        !blocks.is_empty(),
        "{file}: its header shows no output block"
    );
    run_and_check(exe, blocks);
}

/// [`check_header`] for the outputs of `bin` (at `exe`) that the README shows.
pub fn check_readme(readme: &str, bin: &str, exe: &str) {
    run_and_check(exe, in_readme(readme, bin));
}

/// Runs the command of each block with the binary at `exe` and checks what it prints.
pub fn run_and_check(exe: &str, blocks: Vec<Block>) {
    for block in blocks {
        let vs_python = block.args.iter().any(|a| a == "--vs-python");
        if vs_python && !crate::python3_present(&format!("the output at {block}")) {
            continue;
        }
        let mut cmd = crate::bin(exe).args(&block.args);
        for (key, value) in &block.env {
            cmd = cmd.env(key, value);
        }
        let out = cmd.timeout(std::time::Duration::from_secs(300)).run();
        out.assert_no_panic();
        block.check(if block.stderr {
            &out.stderr
        } else {
            &out.stdout
        });
    }
}

/// The output blocks of the `//!` header of the binary `bin`, whose file is `path`.
pub fn in_header(path: &str, bin: &str, source: &str) -> Vec<Block> {
    let lines: Vec<(usize, &str)> = source
        .lines()
        .enumerate()
        .take_while(|(_, l)| l.starts_with("//!"))
        .map(|(i, l)| {
            (
                i + 1,
                l.trim_start_matches("//!").strip_prefix(' ').unwrap_or(""),
            )
        })
        .collect();
    blocks(&lines, path, bin, |intro| intro.starts_with("Output"))
}

/// The output blocks of the README that show a run of `bin`.
pub fn in_readme(readme: &str, bin: &str) -> Vec<Block> {
    let lines: Vec<(usize, &str)> = readme
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .collect();
    let command = format!("--bin {bin}");
    blocks(&lines, "README.md", bin, |intro| {
        intro.trim_end().ends_with("`:")
            && command_in(intro, bin).is_some()
            && intro.contains(&command)
    })
}

/// The blocks after a paragraph for which `is_intro` holds.
fn blocks(
    lines: &[(usize, &str)],
    path: &str,
    bin: &str,
    is_intro: impl Fn(&str) -> bool,
) -> Vec<Block> {
    let mut found = Vec::new();
    let mut paragraph = String::new();
    let mut at = 0;
    while at < lines.len() {
        let (number, line) = lines[at];
        at += 1;
        if line.trim() == "```text" {
            let start = at;
            while at < lines.len() && lines[at].1.trim() != "```" {
                at += 1;
            }
            let body: Vec<&str> = lines[start..at].iter().map(|(_, l)| *l).collect();
            at += 1; // the closing fence
            if is_intro(&paragraph) {
                found.push(Block {
                    at: format!("{path}:{number}"),
                    bin: bin.to_string(),
                    args: command_in(&paragraph, bin).unwrap_or_default(),
                    env: command_and_env(&paragraph, bin)
                        .map(|c| c.1)
                        .unwrap_or_default(),
                    unordered: paragraph.contains("in any order"),
                    stderr: paragraph.contains("on stderr"),
                    text: body.join("\n") + "\n",
                });
            }
            paragraph.clear();
        } else if line.trim().is_empty() {
            if !paragraph.is_empty() && !paragraph.ends_with('\n') {
                paragraph.push('\n');
            }
        } else {
            if paragraph.ends_with('\n') {
                paragraph.clear(); // a new paragraph
            }
            paragraph.push_str(line.trim());
            paragraph.push(' ');
        }
    }
    found
}

/// The arguments of the first `` `cargo run ... --bin BIN ...` `` in `text`: what follows ` -- `.
fn command_in(text: &str, bin: &str) -> Option<Vec<String>> {
    Some(command_and_env(text, bin)?.0)
}

/// Variables set for a command: `(name, value)`.
type Env = Vec<(String, String)>;

/// The arguments of the first `` `cargo run ... --bin BIN ...` `` in `text`, and the variables
/// set before it (`` `TUTORIAL_TIME_SCALE=0.1 cargo run ...` ``).
fn command_and_env(text: &str, bin: &str) -> Option<(Vec<String>, Env)> {
    let bin_flag = format!("--bin {bin}");
    let code = text.split('`').skip(1).step_by(2).find(|code| {
        let command = code.split(" -- ").next().unwrap_or_default();
        let command = command.split_once("cargo run").map_or("", |(_, rest)| rest);
        code.contains("cargo run") && command.ends_with(&bin_flag)
    })?;
    let (before, after) = code.split_once("cargo run")?;
    let env = before
        .split_whitespace()
        .filter_map(|v| v.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let args = match after.split_once(" -- ") {
        Some((_, args)) => args.split_whitespace().map(String::from).collect(),
        None => Vec::new(),
    };
    Some((args, env))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "\
//! # demo
//!
//! Output: (PIDs differ, lines in any order)
//!
//! ```text
//! a 17
//! b
//! ```
//!
//! Then `cargo run -p x --bin demo -- --fast 3` prints, on stderr:
//!
//! ```text
//! not an output block
//! ```
//!
//! Output of `cargo run -p x --bin demo -- --fast 3`:
//!
//! ```text
//! fast
//! ```
fn main() {}
";

    #[test]
    fn a_sign_is_part_of_its_number_and_a_hyphen_is_not() {
        assert_eq!(
            redact("balance = -13, lost = 2"),
            redact("balance = 28, lost = 5")
        );
        assert_eq!(redact("(-1.5 ms)"), "(TIME)\n");
        assert_eq!(redact("x-1 and -3"), "x-N and N\n");
    }

    #[test]
    fn blocks_are_found_with_their_commands() {
        let blocks = in_header("demo.rs", "demo", HEADER);
        assert_eq!(blocks.len(), 2, "{blocks:?}");
        assert_eq!((blocks[0].args.len(), blocks[0].unordered), (0, true));
        assert_eq!(blocks[0].text, "a 17\nb\n");
        assert_eq!(blocks[0].at, "demo.rs:5");
        assert_eq!(blocks[1].args, ["--fast", "3"]);
        assert!(!blocks[1].unordered && !blocks[1].stderr);
        blocks[0].check("b\na 42\n");
        blocks[1].check("fast\n");
        let wrong = std::panic::catch_unwind(|| blocks[1].check("slow\n"));
        assert!(wrong.is_err());
        let readme = "Run `TUTORIAL_TIME_SCALE=0.1 cargo run --release -p x --bin demo -- \
                      --timeline`:\n\n```text\nchart\n```\n";
        let blocks = in_readme(readme, "demo");
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].args, ["--timeline"]);
        let scale = ("TUTORIAL_TIME_SCALE".to_string(), "0.1".to_string());
        assert_eq!(blocks[0].env, [scale]);
        assert!(in_readme(readme, "other").is_empty());
    }

    #[test]
    fn the_check_redacts_numbers_units_and_charts_not_words_or_lines() {
        let block = |text: &str| Block {
            at: "x:1".into(),
            bin: "x".into(),
            args: vec![],
            env: vec![],
            unordered: false,
            stderr: false,
            text: text.into(),
        };
        let shown = "Run task 3 (7152)...\nthread: 56 µs, 1.5 MiB.\n\
                     timeline: who ran what, and when (1 column = 1.0 ms)\n\
                     PID 7152 │task 3███\n         └┬───\ntime (s)  0.0\n█ work  ░ wait\n\n\
                     PID 7152 | task 3 | 0.0001 | 1.2 | work\n";
        let fresh = "Run task 4 (99)...\nthread:   1.09 ms, 803 KiB.\n\
                     timeline: who ran what, and when (1 column = 17.1 ms)\n\
                     PID 99 │3████\n     └┬───┬──\ntime (s)  0.0  0.5\n█ work  ░ wait  a = task 3\n\n\
                     PID 99 | task 4 | 0.02 | 0.9 | work\n";
        block(shown).check(fresh);
        block("worker-1 ran 9 tasks, worker-2 ran 1 task\n")
            .check("worker-1 ran 1 task, worker-2 ran 9 tasks\n");
        block("balance = 28, lost = 652089\n").check("balance = -31257, lost = 648814\n");
        for broken in [
            fresh.replace("Run task", "Ran task"),
            fresh.replace("PID 99 |", "Thread-1 |"),
            fresh.replace("Run task 4 (99)...\n", ""),
            fresh.replace("1.09 ms", "1.09 ms 2"),
            fresh.replace("PID 99 │", "Thread-1 │"),
            fresh.replace("Run task 4", "Run task-4"),
        ] {
            let fails = std::panic::catch_unwind(|| block(shown).check(&broken));
            assert!(fails.is_err(), "passed: {broken}");
        }
    }
}
