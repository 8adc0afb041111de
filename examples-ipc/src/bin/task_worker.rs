//! # task_worker: take tasks from a master over the network, send back results
//!
//! Tutorial: 分布式进程 (Distributed processes), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017631559645600>
//! Book: `book/src/distributed-processes.md`, built as `book/book/distributed-processes.html`; 中文版 `book/book/zh-CN/distributed-processes.html`
//!
//! Python sample: [task_worker.py](https://github.com/michaelliao/learn-python3/blob/master/samples/multitask/task_worker.py)
//!
//! Start a master first (ours, or the tutorial's `python3 task_master.py`), then:
//!
//! ```text
//! cargo run -p examples-ipc --bin task_master
//! cargo run -p examples-ipc --bin task_worker
//! ```
//!
//! Output: (one task a second, against our `task_master`)
//!
//! ```text
//! Connect to server 127.0.0.1:5000...
//! run task 6749 * 6749...
//! run task 8614 * 8614...
//! run task 4386 * 4386...
//! run task 5859 * 5859...
//! run task 3295 * 3295...
//! run task 3334 * 3334...
//! run task 3928 * 3928...
//! run task 1660 * 1660...
//! run task 35 * 35...
//! run task 4661 * 4661...
//! task queue is empty.
//! worker exit.
//! ```
//!
//! What to notice: the worker only knows the master's address and the authkey. It asks for a
//! task, works on it (one second of pretend work), puts the result, and asks again. Run two
//! workers at once and they share the tasks.
//!
//! What Rust does differently: `m.queue(...)` returns a proxy, as Python's `m.get_task_queue()`
//! does, and each `get` and `put` is a pickled request on one connection (see
//! `python-interop/src/manager/client.rs`). A `get` that finds nothing is `Err(Error::Empty)`,
//! Python's `queue.Empty`; anything else that goes wrong (a wrong key, the master gone, even
//! while we wait in `get`, or full) is one `error:` line and exit status 1. Python's sample asks
//! exactly 10 times; this worker asks until the queue stays empty for 1 s (our master makes that
//! wait while another worker holds a task) or our master, done, says it is empty. A task that is
//! not an integer is one line on stderr and given back (our master puts it back; Python's
//! `task_master.py` never does, and loses it), and the worker stays. `n * n` is computed in 128
//! bits: no overflow. The 1 s of work is scaled by `TUTORIAL_TIME_SCALE`.
//! The sample stops with a `NameError` when the queue is empty (`except Queue.Empty:` names
//! nothing it imported): `import queue` and `except queue.Empty:` fix it.
//!
//! Try: start this worker against the tutorial's `task_master.py` with `--authkey xyz`: Python's
//! master refuses it at `connect()`, before any task moves; this worker says so in one line.

use examples_ipc::HostPort;
use python_interop::Error;
use python_interop::manager::{BaseManager, Names};
use python_interop::pickle::repr_within;
use shared::{Arg::Long, OrExit, printable};
use std::time::Duration;

const USAGE: &str = "\
usage: task_worker [--addr HOST:PORT] [--authkey KEY]

Connects to a task master at HOST:PORT (default 127.0.0.1:5000), runs its tasks until the queue
is empty. The authkey defaults to TASK_AUTHKEY, else the tutorial's \"abc\".";

fn main() {
    let (mut addr, mut authkey) = (examples_ipc::DEFAULT_ADDR.to_string(), None);
    let mut args = shared::start(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            Long("addr") => addr = args.value::<HostPort>().to_string(),
            Long("authkey") => authkey = Some(args.value()),
            other => shared::unexpected(other),
        }
    }
    let authkey = examples_ipc::authkey(authkey).unwrap_or_else(|e| shared::exit_usage(e));

    // 创建类似的QueueManager (a similar QueueManager):
    let mut queue_manager = Names::new();

    // 由于这个QueueManager只从网络上获取Queue，所以注册时只提供名字 (it only gets the queues from the network, so it registers their names only):
    queue_manager.register("get_task_queue");
    queue_manager.register("get_result_queue");

    // 连接到服务器，也就是运行task_master.py的机器 (connect to the server, the machine that runs task_master):
    println!("Connect to server {addr}...");
    // 端口和验证码注意保持与task_master.py设置的完全一致 (the port and authkey must be exactly the master's):
    let m = BaseManager::new(queue_manager, &addr, &authkey);
    // 从网络连接 (connect over the network):
    let m = m.connect().or_exit();
    // 获取Queue的对象 (get the Queue objects):
    let task = m.queue("get_task_queue").or_exit();
    let result = m.queue("get_result_queue").or_exit();
    // 从task队列取任务,并把结果写入result队列 (take tasks from the task queue, put results in the result queue):
    loop {
        match task.get(Duration::from_secs(1)) {
            Ok(t) => match t.as_int() {
                Some(n) => {
                    println!("run task {n} * {n}...");
                    let r = format!("{n} * {n} = {}", i128::from(n) * i128::from(n));
                    shared::time::sleep_secs(1.0);
                    result.put(r).or_exit();
                }
                // A task it cannot run: one line, the task given back (our master sets aside a
                // task taken 3 times), and the worker stays for the next.
                None => {
                    let t = printable(&repr_within(&t, 200));
                    eprintln!("cannot run task {t}: not an integer; given back");
                    m.give_back();
                }
            },
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
