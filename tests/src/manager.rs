//! For the tests of Python's manager protocol (`python-interop`, and `task_master` and
//! `task_worker` in `examples-ipc`): the Python peers, written fresh with the standard library
//! only; a manager serving in the test's own process; and a client that speaks the wire by hand,
//! request by request.

use crate::{Cmd, Running, bin};
use python_interop::manager::{BaseManager, Names, Proxy, Queue, Served, Server};
use python_interop::pickle::{Value, dumps, loads};
use python_interop::wire::{self, Connection, MAX_FRAME};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

/// `python3`, if on PATH; else `None`, by the workspace's one rule (`harness::python3_present`).
pub fn python() -> Option<&'static str> {
    let test = std::thread::current()
        .name()
        .unwrap_or("interop")
        .to_string();
    crate::python3_present(&test).then_some("python3")
}

/// Pythons 3.12 and later (they speak the `{sha256}` handshake): `python3.12`... on PATH, and
/// pyenv's versions if any. Empty, after one line on stderr, when there is none.
pub fn modern_pythons() -> Vec<String> {
    let runs = |p: &str| {
        Command::new(p)
            .args(["-c", "import sys; assert sys.version_info >= (3, 12)"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let mut found: Vec<String> = (12..=20)
        .map(|minor| format!("python3.{minor}"))
        .filter(|p| runs(p))
        .collect();
    let pyenv = std::env::var("PYENV_ROOT")
        .ok()
        .or_else(|| std::env::var("HOME").ok().map(|h| format!("{h}/.pyenv")));
    if let Some(Ok(versions)) = pyenv.map(|root| std::fs::read_dir(format!("{root}/versions"))) {
        let mut paths: Vec<String> = versions
            .flatten()
            .map(|v| format!("{}/bin/python3", v.path().display()))
            .filter(|p| runs(p))
            .collect();
        paths.sort();
        found.extend(paths);
    }
    if found.is_empty() {
        eprintln!(
            "skipped: no Python 3.12 or later found: the {{sha256}} handshake is not run end to end"
        );
    }
    found
}

/// A worker written with Python's standard library: argv is HOST:PORT and the authkey.
pub const PY_WORKER: &str = r#"
import sys, queue
from multiprocessing.managers import BaseManager
class Manager(BaseManager): pass
Manager.register('get_task_queue')
Manager.register('get_result_queue')
host, port = sys.argv[1].rsplit(':', 1)
print('Connect to server %s...' % sys.argv[1], flush=True)
manager = Manager(address=(host, int(port)), authkey=sys.argv[2].encode())
manager.connect()
tasks, results = manager.get_task_queue(), manager.get_result_queue()
while True:
    try:
        n = tasks.get(timeout=1)
    except queue.Empty:
        print('task queue is empty.')
        break
    print('run task %d * %d...' % (n, n), flush=True)
    results.put('%d * %d = %d' % (n, n, n * n))
print('worker exit.')
"#;

/// A master written with Python's standard library, its server on a thread (no fork needed):
/// argv is the authkey and the tasks; it listens on 127.0.0.1, or on `PY_MASTER_HOST`. It
/// prints its address as ours does.
pub const PY_MASTER: &str = r#"
import os, sys, queue, threading
from multiprocessing.managers import BaseManager
task_queue, result_queue = queue.Queue(), queue.Queue()
class Manager(BaseManager): pass
Manager.register('get_task_queue', callable=lambda: task_queue)
Manager.register('get_result_queue', callable=lambda: result_queue)
host = os.environ.get('PY_MASTER_HOST', '127.0.0.1')
server = Manager(address=(host, 0), authkey=sys.argv[1].encode()).get_server()
threading.Thread(target=server.serve_forever, daemon=True).start()
print('Master listening on %s:%d...' % server.address, flush=True)
tasks = [int(n) for n in sys.argv[2:]]
for n in tasks:
    print('Put task %d...' % n)
    task_queue.put(n)
for _ in tasks:
    print('Result: %s' % result_queue.get(timeout=10), flush=True)
print('master exit.')
"#;

/// Python's worker ([`PY_WORKER`]) against `addr`, with `key`.
pub fn py_worker(python: &str, addr: &str, key: &str) -> Cmd {
    bin(python).args(["-c", PY_WORKER, addr, key])
}

/// Python's master ([`PY_MASTER`]) with `key` and `tasks`, started; and its address.
pub fn py_master(python: &str, key: &str, tasks: &[&str]) -> (Running, String) {
    let mut master = bin(python).args(["-c", PY_MASTER, key]).args(tasks).spawn();
    let addr = master.wait_for_value("Master listening on ", "...");
    (master, addr)
}

/// The queue that `server` serves as `typeid`.
pub fn queue_of(server: &Server, typeid: &str) -> Queue {
    server.queue(typeid).expect("a registered typeid")
}

/// A manager in this process, serving two empty queues (the library's, as `task_master` uses it).
pub fn empty_server() -> (Server, String) {
    let (task, result) = (Queue::new(), Queue::new());
    let mut served = Served::new();
    served.register("get_task_queue", &task);
    served.register("get_result_queue", &result);
    let server = BaseManager::new(served, "127.0.0.1:0", b"abc")
        .start()
        .unwrap();
    let addr = server.address().to_string();
    (server, addr)
}

/// The task and result queues of the manager at `addr` (key `abc`), through this crate's
/// client, as `task_worker` reaches them.
pub fn task_and_result(addr: &str) -> (Proxy, Proxy) {
    let mut names = Names::new();
    names.register("get_task_queue");
    names.register("get_result_queue");
    let m = BaseManager::new(names, addr, b"abc").connect().unwrap();
    let queue = |typeid| m.queue(typeid).unwrap();
    (queue("get_task_queue"), queue("get_result_queue"))
}

/// A connection to `addr`, not yet authenticated.
pub fn connection(addr: &str) -> Connection {
    let stream = TcpStream::connect(addr).unwrap();
    Connection::new(std::sync::Arc::new(stream), Duration::from_secs(20)).unwrap()
}

/// Connects and authenticates as a client, with our own handshake (tested against Python's in
/// `both_handshake_styles_with_pythons_hmac`).
pub fn client(addr: &str, key: &[u8]) -> Connection {
    let mut conn = connection(addr);
    conn.set_deadline(Some(Instant::now() + Duration::from_secs(20)));
    wire::answer_challenge(&mut conn, key).unwrap();
    wire::deliver_challenge(&mut conn, key).unwrap();
    conn
}

/// One request, one reply.
pub fn call(conn: &mut Connection, request: Value) -> Value {
    conn.send_bytes(&dumps(&request)).unwrap();
    loads(&conn.recv_bytes(MAX_FRAME).unwrap().expect("a reply")).unwrap()
}

/// What a Python proxy does first: `create` the task queue on one connection (its ident is in
/// the reply), then `accept_connection` on another, which then carries the proxy's calls.
pub fn task_queue_proxy(addr: &str) -> (Connection, Value) {
    let mut c = client(addr, b"abc");
    let created = call(
        &mut c,
        request(Value::None, "create", vec!["get_task_queue".into()]),
    );
    let Value::Tuple(created) = created else {
        panic!("create: {created:?}")
    };
    let Value::Tuple(ident) = &created[1] else {
        panic!("create: {created:?}")
    };
    (proxy_connection(addr), ident[0].clone())
}

/// An authenticated connection after `accept_connection`: it carries a proxy's calls.
pub fn proxy_connection(addr: &str) -> Connection {
    let mut c = client(addr, b"abc");
    call(
        &mut c,
        request(Value::None, "accept_connection", vec!["test".into()]),
    );
    c
}

/// A request as a pickle carries it: `(ident, method, args, {})`.
pub fn request(ident: Value, method: &str, args: Vec<Value>) -> Value {
    Value::Tuple(vec![
        ident,
        method.into(),
        Value::Tuple(args),
        Value::Dict(vec![]),
    ])
}

/// A manager in this process serving two queues, the first holding the tasks `0..tasks`.
pub fn server_with_tasks(tasks: i64) -> (Server, String) {
    let (server, addr) = empty_server();
    let queue = queue_of(&server, "get_task_queue");
    (0..tasks).for_each(|n| queue.put(n));
    (server, addr)
}

pub use crate::one_at_a_time;
