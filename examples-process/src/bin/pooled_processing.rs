//! # pooled_processing: a pool of worker processes
//!
//! Tutorial: 多进程 · Pool (Multiprocessing: process pools), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017628290184064>
//! Book: `book/src/multiprocessing.md`, built as `book/book/multiprocessing.html`; 中文版 `book/book/zh-CN/multiprocessing.html`
//!
//! Python sample: [pooled_processing.py](https://github.com/michaelliao/learn-python3/blob/master/samples/multitask/pooled_processing.py)
//!
//! ```text
//! cargo run -p examples-process --bin pooled_processing
//! cargo run -p examples-process --bin pooled_processing -- --timeline
//! ```
//!
//! Output: (PIDs and times differ, and the lines may come in any order; each task prints its
//! `Run task` line before its `Task ... runs` line)
//!
//! ```text
//! Parent process 31883.
//! Waiting for all subprocesses done...
//! Run task 1 (31886)...
//! Run task 0 (31885)...
//! Run task 2 (31887)...
//! Run task 3 (31888)...
//! Task 0 runs 1.11 seconds.
//! Run task 4 (31885)...
//! Task 2 runs 1.19 seconds.
//! Task 1 runs 1.95 seconds.
//! Task 4 runs 1.23 seconds.
//! Task 3 runs 2.65 seconds.
//! All subprocesses done.
//! ```
//!
//! A real run, with the tutorial's sleeps: `Parent process 669.`, ..., `Run task 2 (673)...`,
//! `Task 2 runs 0.14 seconds.`, `Run task 4 (673)...`: task 4 went to the worker that finished
//! first, PID 673.
//!
//! What to notice: the pool has 4 processes, so tasks 0 to 3 start at once and task 4 waits
//! until one of them has finished; it then runs in that process (same PID). Python's `Pool()`
//! without a number has one process per core.
//!
//! What Rust does differently: the standard library has no process pool; `Pool` is a small one in
//! this package's `src/lib.rs`. Its workers are this program started again, which is why `main`
//! begins with `serve_if_worker`: Python's `if __name__=='__main__':` does the same job. As in
//! Python, `apply_async` hands the task to the pool at once: a thread of the pool gives it to a
//! free worker while `main` goes on (or, all busy, to the first that finishes); `close` only says
//! that no more come, `join` only waits. A task travels to its worker on a pipe as one line, the
//! function's name and its argument (`Display` there, `FromStr` back), where Python pickles them;
//! the workers run only the one function that `serve_if_worker` names. There is no
//! `AsyncResult`: a task returns nothing, and one that panics ends the pool, which `join` reports.
//!
//! Try: change `Pool::new(4)` to `Pool::new(5)`: all five tasks start at once, each with its own PID.

use examples_process::Pool;
use shared::{OrExit, timeline};
use std::time::{Duration, Instant};

const USAGE: &str = "\
usage: pooled_processing [--timeline] [--trace FILE]

A pool of 4 worker processes runs 5 tasks that each sleep a random 0 to 3 seconds.
--timeline draws which worker ran which task, and when; --trace FILE writes the same as
Chrome trace-event JSON (open it in https://ui.perfetto.dev).";

fn long_time_task(name: u32) {
    println!("Run task {name} ({})...", std::process::id());
    let start = Instant::now();
    shared::time::sleep(Duration::from_secs_f64(fastrand::f64() * 3.0));
    let end = Instant::now();
    println!(
        "Task {name} runs {:.2} seconds.",
        (end - start).as_secs_f64()
    );
}

fn main() {
    // In a worker process (this program started again by the pool): run tasks, never return.
    examples_process::serve_if_worker(long_time_task);
    shared::start_with_timeline(USAGE).no_options();
    println!("Parent process {}.", std::process::id());
    let mut p = Pool::new(4).or_exit();
    for i in 0..5 {
        p.apply_async(long_time_task, i);
    }
    println!("Waiting for all subprocesses done...");
    p.close();
    p.join().or_exit();
    println!("All subprocesses done.");
    timeline::print().or_exit(); // with --timeline: who ran which task, and when
}
