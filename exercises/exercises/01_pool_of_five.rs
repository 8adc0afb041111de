//! # 练习 1 · pool_of_five: 五个任务，五个工作进程 · five tasks, five worker processes
//!
//! Section: 多进程 · Pool (Multiprocessing: process pools), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017628290184064>
//!
//! Read first: `examples-process/src/bin/pooled_processing.rs`.
//!
//! 要做：进程池的大小和 Python 的 `Pool()` 一样：每个核一个工作进程。在 2 核的机器上，五个任务中有
//! 三个要等别的任务结束才能开始。让五个任务同时运行，每个任务各在自己的工作进程里。
//!
//! To do: the pool is as big as Python's `Pool()`: one worker process a core. On a 2-core machine,
//! three of the five tasks wait until others have finished. Make all five run at once, each in a
//! worker process of its own.
//!
//! 提示 1：进程池启动了几个工作进程？五个任务要同时运行，需要几个？
//! Hint 1: how many worker processes does the pool start, and how many do five tasks at once need?
//!
//! 提示 2：`Pool::new(n)` 启动 n 个工作进程，和任务数无关。
//! Hint 2: `Pool::new(n)` starts n worker processes, whatever the number of tasks.

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
    // As Python's `Pool()`: one worker process a core.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut p = Pool::new(cores).or_exit();
    for i in 0..5 {
        p.apply_async(long_time_task, i);
    }
    p.close();
    p.join().or_exit();
    println!("All subprocesses done.");
}
