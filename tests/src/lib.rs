//! The test harness of the workspace, a dev-dependency of every examples package, and the checks
//! that span the workspace.
//!
//! - [`run`] (re-exported here): run an example binary as a real process, with a timeout, in a
//!   process group of its own, and check what it printed. `assert_cmd` cannot kill a whole process
//!   group on a hang, nor notice a child left behind holding stdout; this can.
//! - [`check`] (re-exported here): what a run printed, and the assertions on it.
//! - [`book`]: the companion book's pages, generated from the headers and the README.
//! - [`every_binary`]: the checks every example binary shares (help, unknown options, a bad
//!   `TUTORIAL_TIME_SCALE`, a closed stdout, its header's outputs), run from one table.
//! - [`expected`]: the outputs that headers and the README show, checked against real runs
//!   (with snapbox's wildcards).
//! - [`limits`] (Linux): run an example where the system refuses it a thread, a process, memory
//!   or file descriptors.
//! - [`manager`]: Python's manager protocol by hand, and Python's own peers, for the tests of
//!   `python-interop` and of `task_master` and `task_worker`.
//! - [`side_by_side`] (Linux): whether a program's threads ran side by side or took turns, from
//!   their states, which a busy machine does not change as it changes timings.
//! - [`timeline`]: a `--timeline` listing read back, and the checks made on it.
//! - [`translation`]: the Chinese edition's messages: literals as they are, comments and
//!   sentences translated, in the glossary's words.
//! - [`workspace`]: every binary has its header, its README row and a test.

pub mod book;
pub mod check;
pub mod every_binary;
pub mod expected;
#[cfg(target_os = "linux")]
pub mod limits;
pub mod manager;
pub mod run;
pub mod side_by_side;
pub mod timeline;
pub mod translation;
pub mod workspace;

pub use check::*;
pub use run::*;
