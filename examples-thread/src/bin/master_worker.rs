//! # master_worker: a master hands tasks to worker threads
//!
//! Tutorial: 进程 vs. 线程 (Processes vs. threads: the Master-Worker model), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017631469467456>
//! Book: `book/src/processes-vs-threads.md`, built as `book/book/processes-vs-threads.html`; 中文版 `book/book/zh-CN/processes-vs-threads.html`
//!
//! Python sample: none; the tutorial describes the model in words. `task_master` and
//! `task_worker` in examples-ipc do the same across processes and machines.
//!
//! ```text
//! cargo run -p examples-thread --bin master_worker
//! cargo run -p examples-thread --bin master_worker -- --workers 4 --tasks 20
//! cargo run -p examples-thread --bin master_worker -- --timeline
//! ```
//!
//! Output: (the tasks are random numbers; which worker runs which task changes from run to run)
//!
//! ```text
//! Put task 1: 2332 * 2332
//! Put task 2: 5922 * 5922
//! Put task 3: 4307 * 4307
//! Put task 4: 711 * 711
//! Put task 5: 6170 * 6170
//! Put task 6: 5314 * 5314
//! Put task 7: 330 * 330
//! Put task 8: 4604 * 4604
//! Put task 9: 1012 * 1012
//! Put task 10: 5895 * 5895
//! Try get results...
//! Result: task 2 by worker-2: 5922 * 5922 = 35070084
//! Result: task 1 by worker-1: 2332 * 2332 = 5438224
//! Result: task 3 by worker-1: 4307 * 4307 = 18550249
//! Result: task 4 by worker-2: 711 * 711 = 505521
//! Result: task 6 by worker-2: 5314 * 5314 = 28238596
//! Result: task 5 by worker-1: 6170 * 6170 = 38068900
//! Result: task 8 by worker-2: 4604 * 4604 = 21196816
//! Result: task 7 by worker-1: 330 * 330 = 108900
//! Result: task 10 by worker-2: 5895 * 5895 = 34751025
//! Result: task 9 by worker-1: 1012 * 1012 = 1024144
//! worker-1 ran 5 tasks, worker-2 ran 5 tasks
//! master exit.
//! ```
//!
//! A real run reads `Put task 1: 7152 * 7152`, ..., `Result: task 2 by worker-1: 381 * 381 =
//! 145161`, ..., `worker-1 ran 5 tasks, worker-2 ran 5 tasks`.
//!
//! What to notice: the master puts every task into one channel; whichever worker is free takes
//! the next one, so the work spreads by itself. When the master closes its end of the channel, the
//! workers run out of tasks, end their loops and are joined. Every task comes back exactly once.
//!
//! What Rust does differently: the tutorial's workers are processes or threads sharing Python
//! queues; here they are threads sharing crossbeam channels, which many threads may receive from
//! at once (std's `mpsc` allows only one receiver). Each worker pretends to work for 0.1 s
//! (scaled by `TUTORIAL_TIME_SCALE`).
//!
//! Try: `--workers 1`, then `--workers 10`, and watch the results come: one worker runs the ten
//! tasks one after another (1 s), ten workers run them side by side (0.1 s).

use crossbeam::channel;
use shared::{Arg::Long, Context, OrExit, timeline};
use std::time::Duration;

const USAGE: &str = "\
usage: master_worker [--workers N] [--tasks M] [--timeline] [--trace FILE]

A master puts M tasks (default 10, at most 100000) into a channel; N worker threads (default 2,
at most 1000) take them and send back results. --timeline draws which worker ran which task, and
when; --trace FILE writes the same as Chrome trace-event JSON (for ui.perfetto.dev).";

struct Task {
    id: usize,
    n: u64,
}

struct Done {
    id: usize,
    n: u64,
    square: u64,
    /// Which worker ran it: 1 for worker-1.
    worker: usize,
}

fn run_worker(worker: usize, tasks: channel::Receiver<Task>, results: channel::Sender<Done>) {
    // The loop ends when the master has closed the task channel and it is empty.
    for task in tasks {
        let _span = timeline::span(format!("worker-{worker}"), format!("task {}", task.id));
        shared::time::sleep(Duration::from_millis(100));
        let done = Done {
            id: task.id,
            n: task.n,
            square: task.n * task.n,
            worker,
        };
        if results.send(done).is_err() {
            return; // the master is gone
        }
    }
}

fn main() {
    let (mut workers, mut tasks) = (2, 10);
    let mut args = shared::start_with_timeline(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            Long("workers") => workers = args.value_in(1..=1000),
            Long("tasks") => tasks = args.value_in(1..=100_000),
            other => shared::unexpected(other),
        }
    }

    let (task_tx, task_rx) = channel::unbounded();
    let (result_tx, result_rx) = channel::unbounded();
    let handles: Vec<_> = (1..=workers)
        .map(|i| {
            let (tasks, results) = (task_rx.clone(), result_tx.clone());
            std::thread::Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || run_worker(i, tasks, results))
                .context(format_args!("cannot start worker-{i}"))
                .or_exit()
        })
        .collect();
    // The master keeps only the ends it uses, so the channels close when it and the workers are done.
    drop((task_rx, result_tx));

    for id in 1..=tasks {
        let n = fastrand::u64(0..=10_000);
        println!("Put task {id}: {n} * {n}");
        task_tx.send(Task { id, n }).expect("workers are running");
    }
    drop(task_tx); // no more tasks: the workers end when the channel is empty

    println!("Try get results...");
    let mut ran = vec![0; workers];
    for done in result_rx.iter().take(tasks) {
        println!(
            "Result: task {} by worker-{}: {} * {} = {}",
            done.id, done.worker, done.n, done.n, done.square
        );
        ran[done.worker - 1] += 1;
    }
    for handle in handles {
        handle.join().expect("workers do not panic");
    }
    let summary: Vec<String> = ran
        .iter()
        .enumerate()
        .map(|(i, &count)| {
            let tasks = if count == 1 { "task" } else { "tasks" };
            format!("worker-{} ran {count} {tasks}", i + 1)
        })
        .collect();
    println!("{}", summary.join(", "));
    println!("master exit.");
    timeline::print().or_exit(); // with --timeline: which worker ran which task, and when
}
