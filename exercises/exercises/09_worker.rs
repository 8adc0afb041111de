//! # 练习 9 · worker: 为 task_master 干活的 Worker · the worker that serves task_master
//!
//! Section: 分布式进程 (Distributed processes), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017631559645600>
//!
//! Read first: `examples-ipc/src/bin/task_worker.rs`.
//!
//! 要做：这个 Worker 连上 Master，拿到两个队列，就停下了。让它干活：从任务队列取一个任务（最多等 1
//! 秒），把结果 `n * n = m` 放进结果队列，如此反复，直到任务队列一直为空。这样它就能为我们的
//! `task_master` 服务，也能为教程的 `task_master.py` 服务。
//!
//! To do: this worker connects to the master and gets its two queues, then stops. Make it work:
//! take a task from the task queue (waiting at most 1 s for one), put its result `n * n = m` into
//! the result queue, and again, until the task queue stays empty. It then serves our `task_master`,
//! and the tutorial's `task_master.py` too.
//!
//! 提示 1：一个循环：`get` 一个任务，`put` 一个结果；`get` 超时就结束循环。
//! Hint 1: a loop: `get` a task, `put` a result; end the loop when a `get` times out.
//!
//! 提示 2：没有任务时 `task.get(Duration::from_secs(1))` 返回 `Err(Error::Empty)`；任务是整数：
//! `.into_int()`。
//! Hint 2: `task.get(Duration::from_secs(1))` is `Err(Error::Empty)` when no task came; a task is
//! an integer: `.into_int()`.

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
