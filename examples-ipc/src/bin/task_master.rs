//! # task_master: put tasks on the network, read the results
//!
//! Tutorial: 分布式进程 (Distributed processes), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017631559645600>
//! Book: `book/src/distributed-processes.md`, built as `book/book/distributed-processes.html`; 中文版 `book/book/zh-CN/distributed-processes.html`
//!
//! Python sample: [task_master.py](https://github.com/michaelliao/learn-python3/blob/master/samples/multitask/task_master.py)
//!
//! Run the master in one terminal, then one or more workers in others (ours or the tutorial's
//! `python3 task_worker.py`: both speak Python's manager protocol):
//!
//! ```text
//! cargo run -p examples-ipc --bin task_master
//! cargo run -p examples-ipc --bin task_worker
//! ```
//!
//! Output: (with one `task_worker`; the tasks are random numbers)
//!
//! ```text
//! Master listening on 127.0.0.1:5000...
//! Put task 6749...
//! Put task 8614...
//! Put task 4386...
//! Put task 5859...
//! Put task 3295...
//! Put task 3334...
//! Put task 3928...
//! Put task 1660...
//! Put task 35...
//! Put task 4661...
//! Try get results...
//! Result: 6749 * 6749 = 45549001
//! Result: 8614 * 8614 = 74200996
//! Result: 4386 * 4386 = 19236996
//! Result: 5859 * 5859 = 34327881
//! Result: 3295 * 3295 = 10857025
//! Result: 3334 * 3334 = 11115556
//! Result: 3928 * 3928 = 15429184
//! Result: 1660 * 1660 = 2755600
//! Result: 35 * 35 = 1225
//! Result: 4661 * 4661 = 21724921
//! master exit.
//! ```
//!
//! What to notice: the master only puts tasks into one queue and reads results from another; it
//! never knows how many workers there are or where they run. Start two workers and they share
//! the tasks.
//!
//! On two machines, as the tutorial does it: here `-- --addr 0.0.0.0:5000` (every network
//! interface, the sample's `address=('', 5000)`); there `task_worker -- --addr <this
//! machine's address>:5000`, or the sample's `task_worker.py` with that address for
//! `127.0.0.1`. A worker whose host vanishes mid-task (its power, its network) sends no goodbye;
//! the master notices within about 5 s (TCP keepalive) and puts its task back, as a run of the
//! tests on two hosts logged it:
//!
//! ```text
//! master: 10.231.0.2:47932: dropped: its host stopped answering (No route to host (os error 113))
//! master: 10.231.0.2:47932 left holding task 7241: put back into the queue
//! ```
//!
//! So every task runs at least once, and one may run twice: the vanished worker may have
//! finished it and lost only its result (a second result prints `(again)`). The same holds for
//! a worker that held two tasks and put one result, since a result does not say whose it is.
//! A worker's `get` on an empty queue waits (up to 10 s more) while another holds a task, so a
//! task given back finds a worker. A task taken 3 times and never finished (every worker dies
//! of it) is set aside: `Result: task 'abc' failed: taken 3 times, never finished`, exit 1.
//! A limit: a stopped worker (SIGSTOP, a laptop asleep) keeps its task, since its kernel still
//! answers keepalive; Python's wire has no heartbeat, and a lease would run long tasks twice.
//!
//! What Rust does differently: Python's `manager.start()` runs the server in a second process and
//! the master reaches its own queues over the network; here the server runs on threads of this
//! process (the `python-interop` crate, one thread per connection, like Python's) and the master
//! uses its queues directly. The wire is Python's: pickles in frames, an HMAC handshake both
//! ways, so the authkey (`abc`, `--authkey` or `TASK_AUTHKEY`) never crosses it; our pickle
//! reader runs no code. Python's manager loses the task of a worker that dies; a wrong key,
//! garbage, a huge frame or a silent peer costs ours one line on stderr. The sample itself needs
//! a fork: its `lambda`s cannot be pickled where Python starts processes by "spawn" (see
//! `multi_processing`); module-level functions under `if __name__ == '__main__':` fix it.
//!
//! Try: run the tutorial's `task_worker.py` against this master (fix it first, as the README
//! says: as shipped it dies with `NameError: name 'Queue' is not defined` when the queue is
//! empty), stop it with Ctrl-C while it runs a task, and start it again within 10 s: the master prints `left holding task ...: put
//! back into the queue` on its stderr, and the second run does that task too.

use examples_ipc::{Awaited, Heard, Outcomes};
use python_interop::manager::{BaseManager, MAX_TRIES, Queue, Served};
use python_interop::pickle::repr_within;
use shared::{Arg::Long, OrExit, printable};
use std::net::SocketAddr;
use std::time::Duration;

const USAGE: &str = "\
usage: task_master [--addr IP:PORT] [--authkey KEY] [--tasks N] [--wait SECS]

Serves a task queue and a result queue on IP:PORT (default 127.0.0.1:5000; port 0 picks a free
one), puts N random tasks (default 10, at most 100000), prints each result (waiting at most SECS,
default 10, for each), then shuts down. A task that workers take 3 times and never finish is set
aside and printed as failed (exit status 1). The authkey defaults to TASK_AUTHKEY, else the
tutorial's \"abc\".";

fn main() {
    let (mut addr, mut authkey, mut tasks) = (examples_ipc::DEFAULT_ADDR.to_string(), None, 10);
    let mut wait = 10;
    let mut args = shared::start(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            Long("addr") => addr = args.value::<SocketAddr>().to_string(),
            Long("authkey") => authkey = Some(args.value()),
            Long("tasks") => tasks = args.value_in(1..=100_000),
            Long("wait") => wait = args.value_in(1..=3600),
            other => shared::unexpected(other),
        }
    }
    let authkey = examples_ipc::authkey(authkey).unwrap_or_else(|e| shared::exit_usage(e));

    // 发送任务的队列 (the queue that sends tasks):
    let task_queue = Queue::new();
    // 接收结果的队列 (the queue that receives results):
    let result_queue = Queue::new();

    // 从BaseManager继承的QueueManager (a QueueManager from BaseManager: here, what it serves):
    let mut queue_manager = Served::new();

    // 把两个Queue都注册到网络上, callable参数关联了Queue对象 (register both queues on the network, each name tied to its queue):
    queue_manager.register("get_task_queue", &task_queue);
    queue_manager.register("get_result_queue", &result_queue);
    // 绑定端口5000, 设置验证码'abc' (bind port 5000, set the authkey 'abc'), on 127.0.0.1:
    let manager = BaseManager::new(queue_manager, &addr, &authkey);
    // 启动Queue (start serving the queues):
    let manager = manager.start().or_exit();
    println!("Master listening on {}...", manager.address());
    // 获得通过网络访问的Queue对象 (get the Queue objects that the network reaches):
    let task = manager.queue("get_task_queue").expect("registered above");
    let result = manager.queue("get_result_queue").expect("registered above");
    let mut awaited = Awaited::default(); // the tasks whose results have not come
    // 放几个任务进去 (put some tasks in):
    for _ in 0..tasks {
        let n = fastrand::i64(0..=10_000);
        println!("Put task {n}...");
        task.put(n);
        awaited.put(n);
    }
    // 从result队列读取结果 (read the results from the result queue):
    println!("Try get results...");
    let mut heard = Outcomes::new(&task, &result); // results, and tasks no worker could finish
    while awaited.left() > 0 {
        let r = heard.next(Duration::from_secs(wait)).unwrap_or_else(|| {
            shared::exit_error(format!(
                "no result within {wait} s; {} of {tasks} results arrived",
                awaited.done()
            ))
        });
        let r = match r {
            Heard::Result(r) => r,
            // Taken and given back MAX_TRIES times: every worker left without finishing it.
            Heard::SetAside(t) => {
                awaited.failed(&t);
                let t = printable(&repr_within(&t, 200));
                println!("Result: task {t} failed: taken {MAX_TRIES} times, never finished");
                continue;
            }
        };
        // A peer's text, printed with its control characters escaped: no forged lines.
        let r = printable(&r.to_string());
        // A task given back by a worker that left may run twice: its second result is said so.
        let again = if awaited.came(&r) { "" } else { " (again)" };
        println!("Result: {r}{again}");
    }
    // 关闭 (shut down):
    manager.shutdown();
    println!("master exit.");
    if awaited.failures() > 0 {
        shared::exit_error(format!("tasks set aside as failed: {}", awaited.failures()));
    }
}
