//! # 练习 9 · worker: the worker that serves task_master
//!
//! Section: 分布式进程 (Distributed processes), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017631559645600>
//!
//! Read first: `examples-ipc/src/bin/task_worker.rs`.
//!
//! To do: this worker connects to the master and gets its two queues, then stops. Make it work:
//! take a task from the task queue (waiting at most 1 s for one), put its result `n * n = m`
//! into the result queue, and again, until the task queue stays empty. It then serves our
//! `task_master`, and the tutorial's `task_master.py` too.
//!
//! Hint: `task.get(Duration::from_secs(1))` is `Err(Error::Empty)` when no task came; a task
//! is an integer: `.into_int()`.

use python_interop::manager::{BaseManager, Names};
use shared::{Arg::Long, OrExit};

fn main() {
    let mut addr = String::from("127.0.0.1:5000");
    let mut args = shared::start("usage: worker [--addr HOST:PORT]\n\nServes a task master.");
    while let Some(arg) = args.next() {
        match arg {
            Long("addr") => addr = args.value(),
            other => shared::unexpected(other),
        }
    }
    let mut queue_manager = Names::new();
    queue_manager.register("get_task_queue");
    queue_manager.register("get_result_queue");
    println!("Connect to server {addr}...");
    let m = BaseManager::new(queue_manager, &addr, b"abc")
        .connect()
        .or_exit();
    let task = m.queue("get_task_queue").or_exit();
    let result = m.queue("get_result_queue").or_exit();
    let _ = (task, result);
    println!("worker exit.");
}
