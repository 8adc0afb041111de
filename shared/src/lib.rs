//! Helpers every example needs and that are not the lesson.
//!
//! - [`time`]: the time-scale knob (`TUTORIAL_TIME_SCALE`) that every tutorial sleep goes through.
//! - [`cli`]: option parsing on top of `lexopt`, with `--help` and one-line usage errors (exit 2).
//! - [`bench`]: honest timing: warm-up, several samples, median and spread.
//! - [`random`]: Python's `random.random()` and `random.randint()` without a dependency.
//! - [`mem`]: resident memory, for the binaries that measure it.
//! - [`testing`]: run a binary as a real process with a timeout, for every package's tests.

pub mod bench;
pub mod cli;
pub mod mem;
pub mod random;
pub mod testing;
pub mod time;

/// A command that starts this program's own executable again, for examples whose child
/// processes run a function of the same program (Python's "spawn" start method). Exits with one
/// error line if the executable cannot be found.
pub fn this_program() -> std::process::Command {
    match std::env::current_exe() {
        Ok(path) => std::process::Command::new(path),
        Err(e) => cli::exit_error(format!("cannot find this program's executable: {e}")),
    }
}
