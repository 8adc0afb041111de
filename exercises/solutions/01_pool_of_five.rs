//! # 练习 1 · pool_of_five: 有几个任务，就有几个工作进程 · as many worker processes as tasks
//!
//! Section: 多进程 · Pool (Multiprocessing: process pools), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017628290184064>
//!
//! Read first: `examples-process/src/bin/pooled_processing.rs`.
//!
//! 要做：程序运行的任务数由命令行参数给出（默认 5 个）。进程池的大小和 Python 的 `Pool()` 一样：每
//! 个核一个工作进程，所以在 2 核的机器上，多出来的任务要等别的任务结束才能开始。让所有任务同时运行，
//! 不管有几个，每个任务各在自己的工作进程里。
//!
//! To do: the number of tasks the program runs is its argument (5 by default). The pool is as big
//! as Python's `Pool()`: one worker process a core, so on a 2-core machine the tasks beyond two
//! wait until others have finished. Make all the tasks run at once, however many there are, each
//! in a worker process of its own.
//!
//! 提示 1：进程池启动了几个工作进程？这么多任务要同时运行，需要几个？
//! Hint 1: how many worker processes does the pool start, and how many do all the tasks at once
//! need?
//!
//! 提示 2：`Pool::new(n)` 启动 n 个工作进程，和任务数无关：让 n 跟着任务数走。
//! Hint 2: `Pool::new(n)` starts n worker processes, whatever the number of tasks: make n follow
//! the number of tasks.

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
    let mut tasks: u32 = 5;
    let mut args = shared::start(
        "usage: pool_of_five [TASKS]\n\nTASKS tasks (5 by default, at most 32) on a pool of worker processes.",
    );
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Value(value) => tasks = shared::cli::parse(value),
            other => shared::unexpected(other),
        }
    }
    if tasks > 32 {
        shared::exit_usage("at most 32 tasks");
    }
    // All the tasks at once need a worker process each, whatever the number of cores.
    let mut p = Pool::new(tasks as usize).or_exit();
    for i in 0..tasks {
        p.apply_async(long_time_task, i);
    }
    p.close();
    p.join().or_exit();
    println!("All subprocesses done.");
}
