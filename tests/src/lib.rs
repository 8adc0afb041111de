//! The test harness of the workspace, a dev-dependency of every examples package, and the checks
//! that span the workspace.
//!
//! - [`run`] (re-exported here): run an example binary as a real process, with a timeout, in a
//!   process group of its own, and check what it printed. `assert_cmd` cannot kill a whole process
//!   group on a hang, nor notice a child left behind holding stdout; this can.
//! - [`workspace`]: every binary has its header, its README row and a test.

pub mod run;
pub mod workspace;

pub use run::*;
