//! What a run printed, and the checks on it: [`Output`] and its assertions, and the helpers
//! that read an output's lines (their shape, their numbers, their order).

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::process::ExitStatus;

use crate::bin;

/// What a program printed, and how it ended.
#[derive(Debug)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub status: ExitStatus,
}

impl Output {
    /// The stdout lines.
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// Fails unless the program exited 0 without a panic.
    pub fn assert_success(&self) -> &Self {
        self.assert_no_panic();
        assert!(self.status.success(), "exited with {}\n{self}", self.status);
        self
    }

    /// Fails unless the program exited with `code`, without a panic.
    pub fn assert_code(&self, code: i32) -> &Self {
        self.assert_no_panic();
        assert_eq!(self.status.code(), Some(code), "wrong exit status\n{self}");
        self
    }

    /// Fails unless this is a usage error: exit status 2 and one `error:` line on stderr.
    pub fn assert_usage_error(&self) -> &Self {
        self.assert_code(2);
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert!(
            lines.len() == 1 && lines[0].starts_with("error: "),
            "a usage error is one `error:` line on stderr\n{self}"
        );
        self
    }

    /// Fails unless the program ended with one `error:` line on stderr that starts with
    /// `error: {wanted}` (besides the note of a debug build), a non-zero exit status, and no
    /// panic: how every example reports what the system refused it.
    pub fn assert_one_error_line(&self, wanted: &str) -> &Self {
        self.assert_no_panic();
        assert!(!self.status.success(), "it succeeded\n{self}");
        let said: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| !l.starts_with("note: this is a debug build"))
            .collect();
        assert!(
            said.len() == 1 && said[0].starts_with(&format!("error: {wanted}")),
            "expected one line `error: {wanted}...`\n{self}"
        );
        self
    }

    /// Fails if the program panicked.
    pub fn assert_no_panic(&self) -> &Self {
        assert!(
            !self.stderr.contains("panicked at"),
            "the program panicked\n{self}"
        );
        self
    }
}

impl std::fmt::Display for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "--- status ---\n{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// Fails unless the program at `path` prints its usage for `--help` (exit status 0) and refuses
/// an option it does not know with a usage error (one line, exit status 2).
pub fn assert_takes_help_and_refuses_unknown_options(path: impl AsRef<OsStr>) {
    let path = path.as_ref();
    let help = bin(path).arg("--help").run();
    help.assert_success();
    assert!(help.stdout.starts_with("usage: "), "{help}");
    bin(path).arg("--no-such-option").run().assert_usage_error();
}

/// A line with every number (digits, with `.` or `:` inside, as in `0.53` or `127.0.0.1:5000`)
/// replaced by `#`, so that PIDs, durations and addresses compare equal:
/// `shape("Run task 3 (4711)...") == "Run task # (#)..."`.
pub fn shape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            out.push('#');
            while let Some(&next) = chars.peek() {
                let continues = next.is_ascii_digit()
                    || ((next == '.' || next == ':') && {
                        let mut ahead = chars.clone();
                        ahead.next();
                        ahead.peek().is_some_and(|d| d.is_ascii_digit())
                    });
                if !continues {
                    break;
                }
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The whole numbers in a line, in order: `numbers("Run task 3 (4711)...") == [3, 4711]`.
pub fn numbers(line: &str) -> Vec<u64> {
    line.split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// A duration as the examples print it, in seconds: `seconds("1.5 ms") == 0.0015`, also
/// `20.58µs` (no space) and with a trailing `,` or `)`. Fails the test on anything else.
pub fn seconds(figure: &str) -> f64 {
    let figure = figure.trim().trim_end_matches([',', ')']);
    let split = figure
        .find(|c: char| c.is_alphabetic())
        .unwrap_or_else(|| panic!("no unit in {figure:?}"));
    let (number, unit) = figure.split_at(split);
    let scale = match unit {
        "ns" => 1e-9,
        "µs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        other => panic!("unit {other:?} in {figure:?}"),
    };
    let number: f64 = number
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("no number in {figure:?}"));
    number * scale
}

/// Fails unless `actual` holds exactly the `expected` lines, each as often, in any order.
pub fn assert_lines_any_order<'a>(actual: impl IntoIterator<Item = &'a str>, expected: &[&str]) {
    fn counts<'s>(lines: impl IntoIterator<Item = &'s str>) -> BTreeMap<&'s str, usize> {
        let mut counts = BTreeMap::new();
        for line in lines {
            *counts.entry(line).or_default() += 1;
        }
        counts
    }
    let actual: Vec<&str> = actual.into_iter().collect();
    assert_eq!(
        counts(actual.iter().copied()),
        counts(expected.iter().copied()),
        "\nexpected these lines in any order:\n{}\ngot:\n{}",
        expected.join("\n"),
        actual.join("\n")
    );
}

/// Whether process `pid` still runs (a zombie, dead but not yet reaped, counts as gone).
#[cfg(unix)]
pub fn process_alive(pid: u32) -> bool {
    if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name, which is in parentheses and may hold spaces.
        return stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X");
    }
    if cfg!(target_os = "linux") {
        return false;
    }
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), None).is_ok()
}

/// Fails if any of these processes still runs.
#[cfg(unix)]
pub fn assert_all_gone(pids: &[u32]) {
    // A process that has just been killed takes a moment to disappear.
    use std::time::{Duration, Instant};
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let alive: Vec<u32> = pids.iter().copied().filter(|&p| process_alive(p)).collect();
        if alive.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "processes left behind: {alive:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_masks_numbers() {
        assert_eq!(shape("Run task 3 (4711)..."), "Run task # (#)...");
        assert_eq!(shape("Task 0 runs 1.53 seconds."), "Task # runs # seconds.");
        assert_eq!(shape("at http://127.0.0.1:8000..."), "at http://#...");
        assert_eq!(shape("Put A to queue..."), "Put A to queue...");
    }

    #[test]
    fn seconds_with_and_without_a_space() {
        assert_eq!(seconds("1.5 ms"), 0.0015);
        assert_eq!(seconds("20µs"), 20.0 * 1e-6);
        assert_eq!(seconds(" 2 s),"), 2.0);
    }

    #[test]
    #[should_panic(expected = "unit \"min\"")]
    fn seconds_refuses_an_unknown_unit() {
        seconds("3 min");
    }

    #[test]
    fn numbers_in_a_line() {
        assert_eq!(numbers("Run task 3 (4711)..."), vec![3, 4711]);
        assert!(numbers("no digits").is_empty());
    }

    #[test]
    #[should_panic(expected = "expected these lines in any order")]
    fn any_order_counts_repeats() {
        assert_lines_any_order(["a", "b"], &["b", "a", "a"]);
    }

    #[test]
    fn any_order_accepts_a_permutation() {
        assert_lines_any_order(["a", "b", "a"], &["b", "a", "a"]);
    }
}
