//! # 练习 9 · worker: 为 task_master 干活的 Worker · the worker that serves task_master
//!
//! Section: 分布式进程 (Distributed processes), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017631559645600>
//!
//! Read first: `examples-ipc/src/bin/task_worker.rs`.
//!
//! 要做：这个 Worker 连接到 Master，拿到两个队列，然后循环：取出一个任务，把结果 `n * n = m` 放进结
//! 果队列。可是 Master 是一个一个地放任务的，而这个 Worker 一发现任务队列为空就立刻退出，漏掉了后面
//! 的任务。让它每次最多等待 1 秒，只有在这段时间里没有等到任务才结束。这样它就能为我们
//! 的 `task_master` 服务，也能为教程的 `task_master.py` 服务。
//!
//! To do: this worker connects to the master, gets its two queues, and loops: take a task, put its
//! result `n * n = m` into the result queue. But the master puts its tasks one at a time, and this
//! worker quits the first moment the queue is empty, missing the later ones. Make it wait up to 1 s
//! for each task, and stop only when none came in that time. It then serves our `task_master`, and
//! the tutorial's `task_master.py` too.
//!
//! 提示 1：`get` 的参数是它最多等待多久；现在是多久？
//! Hint 1: `get`'s argument is how long it waits at most; how long is it now?
//!
//! 提示 2：`task.get(Duration::from_secs(1))`：只有 1 秒内没有等到任务时，才返
//! 回 `Err(Error::Empty)`。
//! Hint 2: `task.get(Duration::from_secs(1))`: `Err(Error::Empty)` only when no task came within 1
//! s.

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
    println!("worker exit.");
}
