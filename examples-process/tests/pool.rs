//! The pool's own test: a program of its own (`harness = false` in Cargo.toml), because the
//! pool's workers are this program started again, and its `main` must first serve as a worker,
//! as `pooled_processing`'s does.
//!
//! Lesson (as Python's `Pool`): `apply_async` hands a task over at once, and a free worker
//! starts it while the parent goes on; `close` only says no more come, `join` only waits.

use examples_process::Pool;
use shared::timeline;
use std::time::{Duration, Instant};

/// A task that takes `ms` milliseconds.
fn task(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
}

fn main() {
    examples_process::serve_if_worker(task);
    if std::env::args().any(|a| a == "--list") {
        println!("pool::apply_async_hands_the_task_over_at_once: test");
        return;
    }
    apply_async_hands_the_task_over_at_once();
    println!("test pool::apply_async_hands_the_task_over_at_once ... ok");
}

/// Four tasks for four workers, then a pause of 1 s before `close`: every task has started
/// within the first half second, and finished before `close` is even called.
fn apply_async_hands_the_task_over_at_once() {
    timeline::enable();
    let mut p = Pool::new(4).expect("four workers");
    let given = Instant::now();
    for _ in 0..4 {
        p.apply_async(task, 100);
    }
    std::thread::sleep(Duration::from_secs(1));
    let closed = given.elapsed();
    p.close();
    p.join().expect("every task done");
    let spans = timeline::snapshot().spans; // in µs since `enable`
    assert_eq!(spans.len(), 4, "{spans:?}");
    let latest_start = spans.iter().map(|s| s.start_us).max().unwrap_or(0);
    let latest_end = spans.iter().map(|s| s.end_us).max().unwrap_or(0);
    assert!(
        latest_start < 500_000,
        "a task started {latest_start} µs in: apply_async did not hand it over at once"
    );
    assert!(
        (latest_end as u128) < closed.as_micros() + 100_000,
        "the tasks ran after close ({closed:?}): {spans:?}"
    );
    assert_eq!(
        timeline::lanes(&spans).len(),
        4,
        "one worker each: {spans:?}"
    );
}
