//! The lessons of examples-ipc, each binary's tests in the file named after it (one test binary
//! for the package: see LAYOUT of the tests in the README).

mod task_master;
mod task_worker;
