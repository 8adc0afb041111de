//! The manager as a library, over loopback: Python's own `multiprocessing.managers` (the
//! standard library) on the other side, both ways, and the rules of the server that a client
//! sees on the wire (`get_nowait`, `task_done` and `join`, the cap on connections).
//!
//! Without python3 on PATH the Python tests say so on stderr and pass, unless
//! TUTORIAL_REQUIRE_PYTHON=1 (CI).

use harness::manager::*;
use python_interop::Error;
use python_interop::pickle::Value;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// Python's own client (a worker written with the standard library) uses the queues this crate
/// serves: it gets every task and puts every result.
#[test]
fn a_python_client_uses_our_server() {
    let Some(python) = python() else { return };
    let (server, addr) = server_with_tasks(3);
    let out = py_worker(python, &addr, "abc").run();
    out.assert_success();
    let results = queue_of(&server, "get_result_queue");
    let got: BTreeSet<String> = std::iter::from_fn(|| results.get(Duration::ZERO))
        .map(|v| v.to_string())
        .collect();
    let want = ["0 * 0 = 0", "1 * 1 = 1", "2 * 2 = 4"].map(String::from);
    assert_eq!(got, BTreeSet::from(want), "{out}");
    server.shutdown();
}

/// This crate's client uses the queues of Python's own manager server: gets its tasks, puts
/// their results, and hears `queue.Empty` when there are no more (or that the master went away).
#[test]
fn our_client_uses_a_python_server() {
    let Some(python) = python() else { return };
    let (master, addr) = py_master(python, "abc", &["6", "7"]);
    let (task, result) = task_and_result(&addr);
    for _ in 0..2 {
        let n = task
            .get(Duration::from_secs(5))
            .unwrap()
            .into_int()
            .unwrap();
        result.put(format!("{n} * {n} = {}", n * n)).unwrap();
    }
    // `queue.Empty`, or, if Python's master has its results and exits first (it answers no
    // `get` that waits then), the master gone.
    match task.get(Duration::from_millis(200)) {
        Err(Error::Empty) => {}
        Err(Error::Failed(why)) if why.ends_with(" went away while we waited for a task") => {}
        other => panic!("{other:?}"),
    }
    drop((task, result));
    let out = master.finish();
    out.assert_success();
    assert!(
        out.stdout
            .contains("Result: 6 * 6 = 36\nResult: 7 * 7 = 49\n"),
        "{out}"
    );
}

/// Python's `get_nowait()` and `get(False)` answer `queue.Empty` at once, without waiting.
#[test]
fn get_nowait_and_get_without_blocking_answer_at_once() {
    let (server, addr) = empty_server();
    let (mut c, ident) = task_queue_proxy(&addr);
    c.set_deadline(Some(Instant::now() + Duration::from_secs(3)));
    let empty = Value::Tuple(vec!["#ERROR".into(), Value::QueueEmpty]);
    let started = Instant::now();
    assert_eq!(
        call(&mut c, request(ident.clone(), "get_nowait", vec![])),
        empty
    );
    assert_eq!(
        call(&mut c, request(ident, "get", vec![Value::Bool(false)])),
        empty
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    server.shutdown();
}

/// `task_done` and `join`, which `create` lists as exposed, are served as `queue.Queue`
/// serves them: `join` returns once every item put is done; one `task_done` too many is
/// Python's ValueError.
#[test]
fn task_done_and_join_are_served_as_python_serves_them() {
    let (server, addr) = empty_server();
    let task = queue_of(&server, "get_task_queue");
    task.put(1i64);
    task.put(2i64);
    let (mut c, ident) = task_queue_proxy(&addr);
    let returned = |v: Value| Value::Tuple(vec!["#RETURN".into(), v]);
    for n in [1, 2] {
        assert_eq!(
            call(&mut c, request(ident.clone(), "get", vec![])),
            returned(Value::Int(n))
        );
    }
    for _ in 0..2 {
        assert_eq!(
            call(&mut c, request(ident.clone(), "task_done", vec![])),
            returned(Value::None)
        );
    }
    assert_eq!(
        call(&mut c, request(ident.clone(), "join", vec![])),
        returned(Value::None)
    );
    let Value::Tuple(reply) = call(&mut c, request(ident, "task_done", vec![])) else {
        panic!("a tuple")
    };
    assert_eq!(reply[0], Value::from("#TRACEBACK"));
    assert!(
        reply[1]
            .to_string()
            .contains("ValueError: task_done() called too many times")
    );
    server.shutdown();
}

/// The cap on connections, with 800 clients at once (Unix: the test raises its own limit of
/// file descriptors).
#[cfg(unix)]
mod the_cap {
    use super::*;
    use python_interop::manager::MAX_CONNECTIONS;
    use python_interop::pickle::{dumps, loads};
    use python_interop::wire::{self, Connection, MAX_FRAME};
    use std::net::TcpStream;

    /// A connection that authenticates, then asks to be a proxy's: `Some` if it is served. One
    /// turned away is told why, in a `#TRACEBACK` that names the cap.
    fn served(mut conn: Connection) -> Option<Connection> {
        conn.set_deadline(Some(Instant::now() + Duration::from_secs(20)));
        wire::answer_challenge(&mut conn, b"abc").ok()?;
        wire::deliver_challenge(&mut conn, b"abc").ok()?;
        let accept = request(Value::None, "accept_connection", vec!["test".into()]);
        conn.send_bytes(&dumps(&accept)).ok()?;
        let reply = loads(&conn.recv_bytes(MAX_FRAME).ok()??).unwrap();
        let Value::Tuple(reply) = reply else {
            panic!("{reply:?}")
        };
        if reply[0] == Value::from("#RETURN") {
            return Some(conn);
        }
        let said = reply[1].to_string();
        let full = format!("the master is full: already {MAX_CONNECTIONS} connections");
        assert!(said.contains(&full), "{said}");
        None
    }

    /// A connection to `addr` that the server has admitted: its challenge has come, and the
    /// server waits for the answer.
    fn admitted(addr: &str) -> Connection {
        let stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        stream.peek(&mut [0u8; 1]).unwrap();
        Connection::new(std::sync::Arc::new(stream), Duration::from_secs(20)).unwrap()
    }

    /// Clients on 4 threads at once, each client made by `make` as its turn comes (so that few
    /// are in their handshake at a time): those that are served.
    fn served_at_once(n: usize, make: impl Fn(usize) -> Connection + Sync) -> Vec<Connection> {
        std::thread::scope(|s| {
            let threads: Vec<_> = (0..4)
                .map(|t| {
                    let make = &make;
                    s.spawn(move || {
                        let mine = (t..n).step_by(4);
                        mine.filter_map(|i| served(make(i))).collect::<Vec<_>>()
                    })
                })
                .collect();
            threads
                .into_iter()
                .flat_map(|t| t.join().unwrap())
                .collect()
        })
    }

    /// The cap on working connections holds at every moment. 800 clients, all held open: 200
    /// start their handshake, 400 more are served meanwhile, then the 200 finish theirs, then
    /// 200 more come. A check made only when a connection is accepted would let the first 200
    /// all through (600 at once); exactly MAX_CONNECTIONS are served, the rest turned away.
    #[test]
    #[ignore = "tier 2: 800 connections at once"]
    fn never_more_working_connections_than_the_cap() {
        use nix::sys::resource::{Resource::RLIMIT_NOFILE, getrlimit, setrlimit};
        let _heavy = one_at_a_time();
        // Both ends of every connection are in this process: room for 2 × 800 descriptors.
        let (soft, hard) = getrlimit(RLIMIT_NOFILE).unwrap();
        setrlimit(RLIMIT_NOFILE, soft.max(4096).min(hard), hard).unwrap();
        let (server, addr) = empty_server();
        let pending: Vec<_> = (0..200)
            .map(|_| std::sync::Mutex::new(Some(admitted(&addr))))
            .collect();
        let mut working = served_at_once(400, |_| admitted(&addr));
        assert_eq!(working.len(), 400);
        working.extend(served_at_once(200, |i| {
            pending[i].lock().unwrap().take().unwrap()
        }));
        working.extend(served_at_once(200, |_| admitted(&addr)));
        assert_eq!(working.len(), MAX_CONNECTIONS, "served at once");
        drop(working);
        server.shutdown();
    }
}
