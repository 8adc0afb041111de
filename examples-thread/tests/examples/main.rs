//! Runs every binary of examples-thread as a real process and checks what its lesson promises:
//! one file per binary, named after it (`cargo test -p examples-thread --test examples lock::`
//! runs lock's tests), whose doc comment names the lesson its tests guard. The checks every
//! binary shares (help, unknown options, a closed stdout, a bad TUTORIAL_TIME_SCALE, the outputs
//! its header and the README show) run from the harness's table (`harness::every_binary`).

mod common;

mod context_switch;
mod cpu_bound;
mod deadlock;
mod lock;
mod lost_update;
mod master_worker;
mod multi_threading;
mod multicore;
mod threadlocal;

harness::every_binary!(
    context_switch,
    cpu_bound,
    deadlock,
    lock,
    lost_update,
    master_worker,
    multi_threading,
    multicore,
    threadlocal;
    beside_python: cpu_bound, multicore
);
