//! # 练习 1 · pool_of_five: five tasks, five worker processes
//!
//! Section: 多进程 · Pool (Multiprocessing: process pools), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017628290184064>
//!
//! Read first: `examples-process/src/bin/pooled_processing.rs`.
//!
//! To do: the pool below has four worker processes for five tasks, so one task waits until
//! another has finished. Make all five run at once, each in a worker process of its own.
//!
//! Hint: how many processes does `Pool::new` start?

use examples_process::Pool;
use shared::OrExit;
use std::time::Duration;

fn long_time_task(name: u32) {
    println!("Run task {name} ({})...", std::process::id());
    shared::time::sleep(Duration::from_millis(500));
    println!("Task {name} done.");
}

fn main() {
    examples_process::serve_if_worker(long_time_task);
    shared::start("usage: pool_of_five\n\nFive tasks on a pool of worker processes.").no_options();
    let mut p = Pool::new(5).or_exit(); // a worker process for each task
    for i in 0..5 {
        p.apply_async(long_time_task, i);
    }
    p.close();
    p.join().or_exit();
    println!("All subprocesses done.");
}
