//! What every example needs at run time and that is not the lesson.
//!
//! - [`start`]: the first line of every `main`: the time scale, `--help`, one line for what the
//!   standard library would panic on, and the options ([`cli`]).
//! - [`error`]: the one error type; library code returns it, `main` reports it ([`finish`],
//!   [`OrExit::or_exit`]).
//! - [`process`]: how a child process ended, in words, and making sure none is left behind.
//! - [`time`]: the time-scale knob (`TUTORIAL_TIME_SCALE`) that every tutorial sleep goes through.
//! - [`bench`]: honest timing: warm-up, several samples, median and spread.
//! - [`mem`]: resident memory, for the binaries that measure it.
//! - [`python`]: `--vs-python`, the same workload in the learner's `python3`, side by side.
//! - [`timeline`]: `--timeline`, a chart of who ran what, and when.
//!
//! The test harness is not here: it lives in the `harness` crate (the workspace's `tests/`), a
//! dev-dependency only, so it is not linked into the examples.

pub mod bench;
pub mod cli;
pub mod error;
pub mod mem;
pub mod process;
pub mod python;
pub mod time;
pub mod timeline;

pub use cli::{Arg, Args, exit_error, exit_usage, start, start_with_timeline, unexpected};
pub use error::{Context, Error, OrExit, Result, finish};

use std::sync::{Mutex, MutexGuard};

/// A command that starts this program's own executable again, for examples whose child
/// processes run a function of the same program (Python's "spawn" start method). If the
/// executable cannot be found, the program's own name is tried, and starting it says why not.
pub fn this_program() -> std::process::Command {
    let path = std::env::current_exe()
        .map(std::ffi::OsString::from)
        .or_else(|_| std::env::args_os().next().ok_or(()))
        .unwrap_or_default();
    std::process::Command::new(path)
}

/// The first line of `main` in a program that starts itself again as a child process, as
/// `this_program().args(["--child", ROLE])`: in such a child, runs `role(ROLE)` and ends the
/// process (status 0, or its error reported as [`finish`] does); in any other process returns
/// at once. The role is the child's whole job, so the child never reaches the parent's code:
/// what Python's `if __name__ == '__main__':` is for.
pub fn run_if_child<E: Ending>(role: impl FnOnce(&str) -> E) {
    let mut args = std::env::args_os().skip(1);
    if args.next().as_deref() != Some(std::ffi::OsStr::new("--child")) {
        return;
    }
    cli::init();
    let (Some(name), None) = (args.next(), args.next()) else {
        exit_usage("--child takes one role (it is how this program starts its children)");
    };
    let status = role(&name.to_string_lossy()).status();
    std::process::exit(status);
}

/// What a child's role returns: nothing (status 0), or a [`Result`].
pub trait Ending {
    fn status(self) -> i32;
}

impl Ending for () {
    fn status(self) -> i32 {
        0
    }
}

impl Ending for Result {
    fn status(self) -> i32 {
        self.map_or_else(|e| e.report().into(), |()| 0)
    }
}

/// The `main` of a Unix-only example on other systems: says so in one line, with the reason
/// (`"fork does not exist on Windows"`), and exits with status 1.
pub fn unix_only(reason: &str) -> ! {
    exit_error(format!(
        "this example runs only on Unix (Linux, macOS, a BSD): {reason}"
    ))
}

/// Locks `mutex`, also after a thread panicked while holding it: each lock of this workspace
/// guards data that a panic cannot leave half-changed (a list that is pushed to, a counter), so
/// the data is used as it is rather than failing every thread after the first.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Text from someone else (a peer, a server) made safe to print: control characters (a line
/// break that would forge a line, a terminal's escape sequences, NUL, Unicode's C1 controls)
/// are shown escaped, `\n`, `\u{1b}`, instead of being obeyed; a tab stays a tab.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' => out.push(c),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn printable_escapes_control_characters() {
        assert_eq!(
            super::printable("ok 长\nResult: \u{1b}[2J\0\t\u{85}"),
            "ok 长\\nResult: \\u{1b}[2J\\u{0}\t\\u{85}"
        );
    }
}
