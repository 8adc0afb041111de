//! What every example needs at run time and that is not the lesson.
//!
//! - [`start`]: the first line of every `main`: the time scale, `--help`, a closed stdout, and
//!   the options ([`cli`]).
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
pub mod mem;
pub mod python;
pub mod time;
pub mod timeline;

pub use cli::{Arg, Args, exit_error, exit_usage, start, unexpected};

/// A command that starts this program's own executable again, for examples whose child
/// processes run a function of the same program (Python's "spawn" start method). Exits with one
/// error line if the executable cannot be found.
pub fn this_program() -> std::process::Command {
    match std::env::current_exe() {
        Ok(path) => std::process::Command::new(path),
        Err(e) => exit_error(format!("cannot find this program's executable: {e}")),
    }
}

/// The `main` of a Unix-only example on other systems: says so in one line, with the reason
/// (`"fork does not exist on Windows"`), and exits with status 1.
pub fn unix_only(reason: &str) -> ! {
    exit_error(format!(
        "this example runs only on Unix (Linux, macOS, a BSD): {reason}"
    ))
}
