//! Runs every binary of examples-ipc as a real process and checks what its lesson promises:
//! one file per binary, named after it (`cargo test -p examples-ipc --test examples queue::`
//! runs queue's tests), whose doc comment names the lesson its tests guard. The checks every
//! binary shares (help, unknown options, a closed stdout, a bad TUTORIAL_TIME_SCALE, the outputs
//! its header and the README show) run from the harness's table (`harness::every_binary`).

mod common;

mod pipe;
mod queue;
mod queue_bench;
mod task_master;
mod task_worker;

harness::every_binary!(
    pipe,
    queue,
    queue_bench,
    task_master,
    task_worker;
    beside_python: queue_bench
);
