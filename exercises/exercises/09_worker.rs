//! # 练习 9 · worker: 等到 Master 说“没有了”的 Worker · a worker that waits until the master says "no more"
//!
//! Section: 分布式进程 (Distributed processes), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017631559645600>
//!
//! Read first: `examples-ipc/src/bin/task_worker.rs`.
//!
//! 要做：这个 Worker 连接到 Master，拿到两个队列，然后循环：取出一个任务，把结果 `n * n = m` 放进结
//! 果队列。它和教程的 Worker 一样，任务队列空了 1 秒就退出。可是这个 Master 有时要停顿更久才放下一
//! 个任务，而在不再有任务时，它会往任务队列里放一个 `None`。让 Worker 不管要等多久都接着等任务，取
//! 到 `None` 时才结束。
//!
//! To do: this worker connects to the master, gets its two queues, and loops: take a task, put its
//! result `n * n = m` into the result queue. Like the tutorial's worker, it quits once the task
//! queue has been empty for 1 s. But this master sometimes pauses longer before its next task,
//! and when no more tasks come, it puts `None` into the task queue. Make the worker wait for tasks
//! however long it takes, and end only when it takes `None`.
//!
//! 提示 1：任务队列暂时为空，就说明任务都做完了吗？谁知道什么时候不再有任务？
//! Hint 1: does a task queue empty for now mean that the work is done? Who knows when no more
//! tasks come?
//!
//! 提示 2：等待超时（`Err(Error::Empty)`）时接着循环；先看取到的值：`Ok(Value::None) => break`，
//! 其余的才交给 `into_int()`（`use python_interop::pickle::Value;`）。
//! Hint 2: when a wait times out (`Err(Error::Empty)`), loop again; look at the value taken first:
//! `Ok(Value::None) => break`, and only the others go through `into_int()` (`use
//! python_interop::pickle::Value;`).

use python_interop::Error;
use python_interop::manager::{BaseManager, Names};
use shared::{Arg::Long, OrExit};
use std::time::Duration;

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
    // 从task队列取任务,并把结果写入result队列 (take tasks from the task queue, put results in the result queue):
    loop {
        match task.get(Duration::from_secs(1)).and_then(|n| n.into_int()) {
            Ok(n) => {
                println!("run task {n} * {n}...");
                let r = format!("{n} * {n} = {}", i128::from(n) * i128::from(n));
                result.put(r).or_exit();
            }
            Err(Error::Empty) => {
                println!("task queue is empty.");
                break;
            }
            Err(e) => shared::exit_error(e),
        }
    }
    // 处理结束 (done):
    println!("worker exit.");
}
