//! Runs every binary of examples-process as a real process and checks what its lesson promises:
//! one file per binary, named after it (`cargo test -p examples-process --test examples
//! pooled_processing::` runs pooled_processing's tests), whose doc comment names the lesson its
//! tests guard. The checks every binary shares (help, unknown options, a closed stdout, a bad
//! TUTORIAL_TIME_SCALE, the outputs its header and the README show) run from the harness's
//! table (`harness::every_binary`).

mod common;

mod crash_isolation;
#[cfg(unix)]
mod fork;
mod multi_processing;
mod pooled_processing;
mod spawn_cost;
mod subprocess;

harness::every_binary!(
    crash_isolation,
    fork,
    multi_processing,
    pooled_processing,
    spawn_cost,
    subprocess,
);
