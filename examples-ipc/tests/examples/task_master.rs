//! Lesson of task_master: the master only puts tasks into one queue and reads results from
//! another, which it serves on the network; every task's result comes back, whoever runs it (our
//! worker, Python's, several at once, on another host); nothing is lost without luck (a task
//! given back finds a worker, a poison task is set aside); and a broken or hostile peer costs one
//! line on stderr, never the others' service nor the master's memory.
//!
//! The Python side is written fresh in the harness (`harness::manager`), with the standard
//! library only. Without python3 on PATH those tests say so on stderr and pass, unless
//! TUTORIAL_REQUIRE_PYTHON=1 (CI).

/// The captures of Python's traffic and hex: python-interop's unit tests' module, shared.
#[path = "../../../python-interop/src/fixtures.rs"]
mod fixtures;

use fixtures::{hex, unhex};
use harness::manager::*;
use harness::{Running, bin, numbers};
use python_interop::manager::MAX_HANDSHAKES;
use python_interop::pickle::{Value, loads};
use python_interop::wire::MAX_FRAME;
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

const MASTER: &str = env!("CARGO_BIN_EXE_task_master");
const WORKER: &str = env!("CARGO_BIN_EXE_task_worker");

/// Our master on a free loopback port, and its address.
fn start_master(args: &[&str]) -> (Running, String) {
    harness::manager::start_master(MASTER, args)
}

fn worker(addr: &str) -> harness::Cmd {
    bin(WORKER).args(["--addr", addr])
}

#[test]
fn three_workers_share_the_tasks_and_every_result_arrives_once() {
    let (master, addr) = start_master(&[]);
    // 0.1 s a task: all three are connected long before the ten tasks are done.
    let workers: Vec<Running> = (0..3)
        .map(|_| worker(&addr).env("TUTORIAL_TIME_SCALE", "0.1").spawn())
        .collect();
    let mut ran: Vec<u64> = Vec::new();
    for w in workers {
        let out = w.finish();
        out.assert_success();
        ran.extend(check_worker(&out.stdout));
    }
    let out = master.finish();
    out.assert_success();
    assert_eq!(out.stderr, "", "{out:?}");
    let mut put = check_master(&out.stdout, 10);
    put.sort();
    ran.sort();
    assert_eq!(ran, put, "each task ran once");
}

#[test]
fn a_python_worker_runs_every_task_of_our_master() {
    let Some(python) = python() else { return };
    let (master, addr) = start_master(&["--tasks", "20"]);
    let out = py_worker(python, &addr, "abc").run();
    out.assert_success();
    let mut ran = check_worker(&out.stdout);
    assert_eq!(out.stderr, "", "{out:?}");
    let out = master.finish();
    out.assert_success();
    let mut put = check_master(&out.stdout, 20);
    ran.sort();
    put.sort();
    assert_eq!(ran, put);
    assert_eq!(out.stderr, "", "{out:?}");
}

/// Python 3.12 and later answer our `{sha256}` challenge in kind and challenge us the same way.
#[test]
fn modern_python_workers_speak_the_sha256_handshake_with_our_master() {
    // Every Python at once, each with a master of its own.
    let pairs: Vec<_> = modern_pythons()
        .into_iter()
        .map(|python| {
            let (master, addr) = start_master(&[]);
            let worker = py_worker(&python, &addr, "abc").spawn();
            (python, master, worker)
        })
        .collect();
    for (python, master, worker) in pairs {
        let out = worker.finish();
        out.assert_success();
        assert_eq!(check_worker(&out.stdout).len(), 10, "{python}: {out:?}");
        let out = master.finish();
        out.assert_success();
        check_master(&out.stdout, 10);
        assert_eq!(out.stderr, "", "{python}: {out:?}");
    }
}

#[test]
fn a_wrong_key_is_refused_and_the_master_keeps_serving() {
    let (master, addr) = start_master(&["--authkey", "secret"]);
    let wrong = worker(&addr).args(["--authkey", "guess"]).run();
    wrong.assert_code(1);
    assert_eq!(
        wrong.stderr,
        "error: the master refused the authkey (is it the same as the master's?)\n"
    );
    let mut refused = 1;
    if let Some(python) = python() {
        let wrong = py_worker(python, &addr, "guess").run();
        assert!(!wrong.status.success());
        assert!(wrong.stderr.contains("AuthenticationError"), "{wrong:?}");
        refused += 1;
    }
    // The key from the environment works like the option.
    let good = worker(&addr).env("TASK_AUTHKEY", "secret").run();
    good.assert_success();
    assert_eq!(check_worker(&good.stdout).len(), 10);
    let out = master.finish();
    out.assert_success();
    check_master(&out.stdout, 10);
    assert_eq!(out.stderr.lines().count(), refused, "{out:?}");
    assert_eq!(
        out.stderr
            .matches(": dropped: wrong authkey, connection refused\n")
            .count(),
        refused,
        "{out:?}"
    );
}

#[test]
#[ignore = "tier 2: a peer idle past the 5 s handshake deadline"]
fn garbage_oversized_idle_and_unserved_requests_cost_one_line_each() {
    let (master, addr) = start_master(&[]);
    // Never authenticates: dropped after 5 s, not at once and not never.
    let mut idle = TcpStream::connect(&addr).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let idle_since = Instant::now();
    // Not a frame at all: an HTTP request read as a length of about 1.2 GB.
    let mut http = TcpStream::connect(&addr).unwrap();
    http.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    // After the handshake: a frame that is not a pickle gets Python's '#TRACEBACK'.
    let mut garbage = client(&addr, b"abc");
    garbage.send_bytes(b"garbage").unwrap();
    let reply = loads(&garbage.recv_bytes(MAX_FRAME).unwrap().unwrap()).unwrap();
    let Value::Tuple(reply) = reply else { panic!() };
    assert_eq!(reply[0], Value::from("#TRACEBACK"));
    // A pickle that would run code is refused the same way.
    let mut evil = client(&addr, b"abc");
    evil.send_bytes(b"cos\nsystem\n(S'touch /tmp/pwned'\ntR.")
        .unwrap();
    let Value::Tuple(reply) = loads(&evil.recv_bytes(MAX_FRAME).unwrap().unwrap()).unwrap() else {
        panic!()
    };
    assert_eq!(reply[0], Value::from("#TRACEBACK"));
    // Methods we do not serve: '#TRACEBACK', and the connection goes on.
    let mut c = client(&addr, b"abc");
    let reply = call(&mut c, request(Value::None, "debug_info", vec![]));
    assert!(matches!(&reply, Value::Tuple(r) if r[0] == Value::from("#TRACEBACK")));
    let mut c = client(&addr, b"abc");
    let reply = call(&mut c, request(Value::None, "create", vec!["nope".into()]));
    assert!(matches!(&reply, Value::Tuple(r) if r[0] == Value::from("#TRACEBACK")));
    let (mut c, ident) = task_queue_proxy(&addr);
    let reply = call(&mut c, request(ident.clone(), "clear", vec![]));
    assert!(matches!(&reply, Value::Tuple(r) if r[0] == Value::from("#TRACEBACK")));
    let reply = call(&mut c, request(ident, "qsize", vec![]));
    assert_eq!(reply, Value::Tuple(vec!["#RETURN".into(), Value::Int(10)]));
    drop(c);
    // A frame announced as 10 MiB on a proxy's connection.
    let huge = proxy_connection(&addr);
    let mut raw = huge.socket().try_clone().unwrap();
    raw.write_all(&(10u32 << 20).to_be_bytes()).unwrap();
    let _ = raw.write_all(&[b'x'; 100]);
    // The idle connection is closed by the master, after its 5 s.
    let mut rest = Vec::new();
    let _ = idle.read_to_end(&mut rest);
    let idle_for = idle_since.elapsed();
    assert!(
        idle_for >= Duration::from_secs(4) && idle_for < Duration::from_secs(15),
        "{idle_for:?}"
    );

    let good = worker(&addr).run();
    good.assert_success();
    assert_eq!(check_worker(&good.stdout).len(), 10);
    let out = master.finish();
    out.assert_success();
    check_master(&out.stdout, 10);
    let log: Vec<&str> = out.stderr.lines().collect();
    let expect = [
        "dropped: no handshake within 5 s",
        "more than the 256 accepted",
        "opcode 0x67 at byte 0",
        "the global os.system",
        "not served: debug_info",
        "not served: create 'nope'",
        "not served: clear()",
        "dropped: a frame of 10485760 bytes, more than the 65536 accepted",
    ];
    for e in expect {
        assert_eq!(
            log.iter().filter(|l| l.contains(e)).count(),
            1,
            "{e}: {out:?}"
        );
    }
    assert_eq!(log.len(), expect.len(), "{out:?}");
    assert!(
        log.iter().all(|l| l.starts_with("master: 127.0.0.1:")),
        "{out:?}"
    );
}

/// Logging never takes a connection or the server down: with its stderr full
/// (`/dev/full`) or a pipe nobody reads, the master logs 70 bad peers (more than its old
/// cap of 64 connections) and 1,200 more lines, and still serves a worker.
#[cfg(unix)]
#[test]
#[ignore = "tier 2: a flood of 1,270 log lines into a full or unread stderr"]
fn the_master_serves_on_with_its_stderr_full_or_unread() {
    let _heavy = one_at_a_time();
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let (read_end, unread) = nix::unistd::pipe().unwrap();
    for stderr in [
        std::process::Stdio::from(full),
        std::process::Stdio::from(unread),
    ] {
        let mut master = bin(MASTER)
            .args(["--addr", "127.0.0.1:0", "--tasks", "3"])
            .stderr_to(stderr)
            .spawn();
        let addr = master.wait_for_value("Master listening on ", "...");
        for _ in 0..70 {
            // A length prefix beyond the handshake's cap: one log line, and the end of it.
            let mut bad = TcpStream::connect(&addr).unwrap();
            let _ = bad.write_all(&[0x7f, 0xff, 0xff, 0xff]);
            let _ = bad.read(&mut [0u8; 64]);
        }
        // 1,200 more log lines (a connection the kernel refuses, its backlog full, logs
        // nothing: it is tried again), for at most 5 s: the master waits 10 s for a result.
        let (mut logged, flood_ends) = (0, Instant::now() + Duration::from_secs(5));
        while logged < 1200 && Instant::now() < flood_ends {
            match TcpStream::connect(&addr) {
                Ok(mut peer) => {
                    let _ = peer.write_all(b"GET / HTTP/1.0\r\n\r\n");
                    logged += 1;
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
        let good = worker(&addr).timeout(Duration::from_secs(60)).run();
        good.assert_success();
        assert_eq!(check_worker(&good.stdout).len(), 3, "{good}");
        let out = master.finish();
        out.assert_success();
        check_master(&out.stdout, 3);
    }
    drop(read_end);
}

/// A handshake has one deadline, 5 s, however slowly its bytes come: a peer that sends one
/// byte every 200 ms is cut off at 5 s, where a timeout per read would let it go on.
#[test]
#[ignore = "tier 2: a handshake trickled for 5 s"]
fn a_slow_handshake_is_cut_at_its_deadline() {
    let _heavy = one_at_a_time();
    let (master, addr) = start_master(&["--tasks", "1"]);
    let mut slow = TcpStream::connect(&addr).unwrap();
    slow.set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let started = Instant::now();
    let mut challenge = [0u8; 256];
    let _ = slow.read(&mut challenge); // the challenge
    // An answer announced as 200 bytes, a byte every 200 ms, until the master closes.
    let answer = [0u8, 0, 0, 200].into_iter().chain([7u8; 200]);
    let mut cut = None;
    for byte in answer.cycle().take(100) {
        let closed = slow.write_all(&[byte]).is_err() || matches!(slow.read(&mut [0u8; 64]), Ok(0));
        if closed {
            cut = Some(started.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let cut = cut.expect("the master never closed the slow handshake");
    assert!(
        cut >= Duration::from_secs(4) && cut < Duration::from_secs(8),
        "cut after {cut:?}"
    );
    let good = worker(&addr).run();
    good.assert_success();
    let out = master.finish();
    assert!(out.stderr.contains("no handshake within 5 s"), "{out}");
}

/// A manager in this process with `tasks` tasks queued: it serves until the test shuts it
/// down, however fast the first workers empty the queue.
/// Waits for every worker; each must end well. The number of tasks they ran.
fn all_served(workers: Vec<Running>) -> usize {
    workers
        .into_iter()
        .map(|w| {
            let out = w.finish();
            out.assert_success();
            check_worker(&out.stdout).len()
        })
        .sum()
}

/// 70 Python workers at once (Python's own manager serves them all): every one gets in and
/// finishes, none is refused or cut off in its handshake.
#[test]
#[ignore = "tier 2: 70 Python workers at once"]
fn seventy_python_workers_at_once_are_all_served() {
    let _heavy = one_at_a_time();
    let Some(python) = python() else { return };
    let (server, addr) = server_with_tasks(140);
    let workers = (0..70)
        .map(|_| {
            py_worker(python, &addr, "abc")
                .timeout(Duration::from_secs(120))
                .spawn()
        })
        .collect();
    assert_eq!(all_served(workers), 140);
    server.shutdown();
}

/// A flood of peers that connect and never authenticate (about a thousand a second, the
/// last 300 of them staying connected) while Rust and Python workers come and go: every
/// worker is served.
#[test]
#[ignore = "tier 2: a flood of reconnects"]
fn workers_get_in_through_a_flood_of_unauthenticated_reconnects() {
    let _heavy = one_at_a_time();
    let (server, addr) = server_with_tasks(24);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flood = {
        let (addr, stop) = (addr.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut silent = std::collections::VecDeque::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(peer) = TcpStream::connect(&addr) {
                    silent.push_back(peer); // never says a word
                }
                if silent.len() > 300 {
                    silent.pop_front();
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(500)); // the flood is on
    let py = python();
    let workers = (0..12)
        .map(|i| match (i % 2, py) {
            (0, Some(python)) => py_worker(python, &addr, "abc"),
            _ => worker(&addr),
        })
        .map(|w| w.timeout(Duration::from_secs(120)).spawn())
        .collect();
    let ran = all_served(workers);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    flood.join().unwrap();
    assert_eq!(ran, 24);
    server.shutdown();
}

/// Twice the cap of handshakes, all silent: the oldest still in its handshake make room
/// (one line each), and a worker still gets in and runs every task.
#[test]
#[ignore = "tier 2: 512 silent connections"]
fn a_flood_of_silent_connections_does_not_lock_workers_out() {
    let _heavy = one_at_a_time();
    let (master, addr) = start_master(&["--tasks", "2"]);
    let flood: Vec<TcpStream> = (0..2 * MAX_HANDSHAKES)
        .map(|_| TcpStream::connect(&addr).unwrap())
        .collect();
    // Each has been served its challenge, or closed to make room: the master has seen all.
    for mut silent in &flood {
        silent
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let _ = silent.read(&mut [0u8; 1]);
    }
    let good = worker(&addr).run();
    good.assert_success();
    assert_eq!(check_worker(&good.stdout).len(), 2);
    drop(flood);
    let out = master.finish();
    out.assert_success();
    check_master(&out.stdout, 2);
    let log: Vec<&str> = out.stderr.lines().collect();
    // One line each, but for those still in their handshake when the master shut down.
    assert!(
        (MAX_HANDSHAKES..=2 * MAX_HANDSHAKES).contains(&log.len()),
        "{}: {out:?}",
        log.len()
    );
    assert!(log.iter().all(|l| l.contains(" dropped: ")), "{out:?}");
    let made_room = log
        .iter()
        .filter(|l| l.contains("closed to make room"))
        .count();
    assert!(made_room >= MAX_HANDSHAKES, "{made_room}: {out:?}");
}

#[cfg(unix)]
#[test]
fn a_task_held_by_a_killed_worker_goes_back_into_the_queue() {
    let (master, addr) = start_master(&[]);
    // This worker takes 100 s a task: it still holds its task when it is killed.
    let mut slow = worker(&addr).env("TUTORIAL_TIME_SCALE", "100").spawn();
    let line = slow.wait_for_line(|l| l.starts_with("run task "));
    let held = numbers(&line)[0];
    slow.signal(nix::sys::signal::Signal::SIGKILL);
    let killed = slow.finish();
    assert!(!killed.status.success());

    let fast = worker(&addr).run();
    fast.assert_success();
    let ran = check_worker(&fast.stdout);
    assert!(
        ran.contains(&held),
        "task {held} was not run again: {ran:?}"
    );
    assert_eq!(ran.len(), 10, "every task exactly once");
    let out = master.finish();
    out.assert_success();
    check_master(&out.stdout, 10);
    assert_eq!(out.stderr.lines().count(), 1, "{out:?}");
    assert!(out.stderr.starts_with("master: 127.0.0.1:"), "{out:?}");
    let requeued = format!(" left holding task {held}: put back into the queue\n");
    assert!(out.stderr.ends_with(&requeued), "{out:?}");
}

/// A worker that gets two tasks, puts the second's result and leaves: the master cannot tell
/// which task that result settles, so both go back (the second may run twice), and every
/// task's result arrives at least once.
#[test]
fn a_result_out_of_order_loses_no_task() {
    let (master, addr) = start_master(&["--tasks", "3"]);
    let (task, result) = task_and_result(&addr);
    let _first = task
        .get(Duration::from_secs(5))
        .unwrap()
        .into_int()
        .unwrap();
    let second = task
        .get(Duration::from_secs(5))
        .unwrap()
        .into_int()
        .unwrap();
    result
        .put(format!("{second} * {second} = {}", second * second))
        .unwrap();
    drop((task, result));

    worker(&addr).run().assert_success();
    let out = master.finish();
    out.assert_success();
    let put: BTreeSet<u64> = lines_with(&out.stdout, "Put task ")
        .iter()
        .map(|l| numbers(l)[0])
        .collect();
    let results: BTreeSet<u64> = lines_with(&out.stdout, "Result: ")
        .iter()
        .map(|l| numbers(l)[0])
        .collect();
    assert_eq!(put, results, "every task's result at least once: {out:?}");
    let again = lines_with(&out.stdout, "Result: ");
    let again: Vec<_> = again.iter().filter(|l| l.ends_with(" (again)")).collect();
    assert_eq!(again.len(), 1, "{out:?}");
    assert_eq!(numbers(again[0])[0], second as u64, "{out:?}");
    let put_back = lines_with(&out.stderr, "master: ")
        .iter()
        .filter(|l| l.ends_with(" (2 tasks, 1 result: perhaps done): put back into the queue"))
        .count();
    assert_eq!(put_back, 2, "{out:?}");
}

/// Both handshake styles, against digests computed by Python's own `hmac`: a 3.11 client
/// (bare HMAC-MD5) and a 3.12 one (`{sha256}`), each way; then Python's captured request
/// bytes get Python's captured reply bytes (tests/wire/manager.frames).
#[test]
fn both_handshake_styles_with_pythons_hmac() {
    let Some(python) = python() else { return };
    // `dummy` (the first connection's request) as Python 3.11 sends it, and its reply.
    let frames = fixtures::frames();
    let [dummy, dummy_reply] = &frames
        .iter()
        .filter(|frame| frame.connection == 1 && frame.label == "PICKLE")
        .collect::<Vec<_>>()[..]
    else {
        panic!("connection 1 is not one request and its reply")
    };
    assert!(dummy.from_client && !dummy_reply.from_client);
    assert_eq!(
        loads(&dummy.bytes).unwrap(),
        request(Value::None, "dummy", vec![])
    );
    let py_hmac = |key: &str, message: &[u8], digest: &str| -> Vec<u8> {
        let script = "import hmac, sys; print(hmac.new(sys.argv[1].encode(), \
                      bytes.fromhex(sys.argv[2]), sys.argv[3]).hexdigest())";
        let out = Command::new(python)
            .args(["-c", script, key, &hex(message), digest])
            .output()
            .unwrap();
        unhex(String::from_utf8(out.stdout).unwrap().trim())
    };
    let (master, addr) = start_master(&["--authkey", "k3y"]);
    for modern in [false, true] {
        let mut conn = connection(&addr);
        // Our challenge is always the modern one: `{sha256}` and 40 random bytes.
        let challenge = conn.recv_bytes(256).unwrap().unwrap();
        let message = challenge.strip_prefix(b"#CHALLENGE#").unwrap().to_vec();
        assert!(message.starts_with(b"{sha256}") && message.len() == 48);
        let answer = if modern {
            [&b"{sha256}"[..], &py_hmac("k3y", &message, "sha256")].concat()
        } else {
            py_hmac("k3y", &message, "md5")
        };
        conn.send_bytes(&answer).unwrap();
        assert_eq!(conn.recv_bytes(256).unwrap().unwrap(), b"#WELCOME#");
        // Our answer to a challenge in either style.
        let ours: Vec<u8> = if modern {
            [&b"{sha256}"[..], &[7u8; 40]].concat()
        } else {
            vec![7u8; 20]
        };
        conn.send_bytes(&[&b"#CHALLENGE#"[..], &ours].concat())
            .unwrap();
        let expected = if modern {
            [&b"{sha256}"[..], &py_hmac("k3y", &ours, "sha256")].concat()
        } else {
            py_hmac("k3y", &ours, "md5")
        };
        assert_eq!(conn.recv_bytes(256).unwrap().unwrap(), expected);
        conn.send_bytes(b"#WELCOME#").unwrap();
        // Python's `dummy` gets Python's reply, byte for byte.
        conn.send_bytes(&dummy.bytes).unwrap();
        assert_eq!(
            hex(&conn.recv_bytes(MAX_FRAME).unwrap().unwrap()),
            hex(&dummy_reply.bytes)
        );
    }
    // A wrong digest: #FAILURE#, one line on the master's stderr.
    let mut conn = connection(&addr);
    let challenge = conn.recv_bytes(256).unwrap().unwrap();
    conn.send_bytes(&py_hmac("abc", &challenge[11..], "md5"))
        .unwrap();
    assert_eq!(conn.recv_bytes(256).unwrap().unwrap(), b"#FAILURE#");
    let good = worker(&addr).env("TASK_AUTHKEY", "k3y").run();
    good.assert_success();
    let out = master.finish();
    check_master(&out.stdout, 10);
    assert_eq!(out.stderr.lines().count(), 1, "{out:?}");
    assert!(out.stderr.contains("wrong authkey"), "{out:?}");
}

/// A peer cannot forge lines on the master's terminal: control characters come out escaped.
#[test]
fn results_are_printed_with_control_characters_escaped() {
    let (master, addr) = start_master(&["--tasks", "1"]);
    let (task, result) = task_and_result(&addr);
    task.get(Duration::from_secs(5)).unwrap();
    result.put("1 * 1 = 1\nmaster exit.\u{1b}[2J").unwrap();
    drop((task, result)); // gone: the master need not wait for this connection to end
    let out = master.finish();
    out.assert_success();
    assert!(
        out.stdout
            .contains("Result: 1 * 1 = 1\\nmaster exit.\\u{1b}[2J\nmaster exit.\n"),
        "{out:?}"
    );
}

/// It waits `--wait` seconds for each result (10 by default, the sample's `get(timeout=10)`).
#[test]
fn a_master_without_workers_gives_up_after_its_wait() {
    let started = Instant::now();
    let (master, _) = start_master(&["--tasks", "1", "--wait", "1"]);
    let out = master.finish();
    out.assert_code(1);
    assert_eq!(
        out.stderr,
        "error: no result within 1 s; 0 of 1 results arrived\n"
    );
    assert!(started.elapsed() >= Duration::from_secs(1));
}

/// The sample's 10 s, as a learner runs it.
#[test]
#[ignore = "tier 2: the default 10 s wait for a result"]
fn a_master_without_workers_gives_up_after_10_s() {
    let started = Instant::now();
    let (master, _) = start_master(&["--tasks", "1"]);
    let out = master.finish();
    out.assert_code(1);
    assert_eq!(
        out.stderr,
        "error: no result within 10 s; 0 of 1 results arrived\n"
    );
    assert!(started.elapsed() >= Duration::from_secs(10));
}

/// End-to-end tasks per second, one master and one worker, zero sleep: our pair, Python's
/// pair, and each mixed pair, side by side. A measurement, not a check:
/// `cargo test --release -p examples-ipc --test examples -- --ignored --nocapture tasks_per_second`
#[test]
#[ignore = "tier 2: a measurement (its figures: --release --ignored --nocapture)"]
fn tasks_per_second() {
    const TASKS: usize = 5000;
    shared::bench::warn_if_debug(
        "cargo test --release -p examples-ipc --test examples -- --ignored --nocapture tasks_per_second",
    );
    let python = python();
    let count = TASKS.to_string();
    // Each master writes its output to a file, each worker to nothing: what is measured is
    // the pair, not this test reading their lines (a Rust program writes each line at once,
    // where Python keeps a pipe's output in a buffer).
    let output = std::env::temp_dir().join(format!("tasks-per-second-{}", std::process::id()));
    let listening = |master: harness::Cmd| {
        let master = master
            .stdout_to(std::fs::File::create(&output).unwrap())
            .spawn();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = std::fs::read_to_string(&output).unwrap_or_default();
            let listening = text
                .lines()
                .find_map(|l| l.strip_prefix("Master listening on "));
            if let Some(addr) = listening.and_then(|l| l.strip_suffix("...")) {
                return (master, addr.to_string());
            }
            assert!(Instant::now() < deadline, "no master listening: {text}");
            std::thread::sleep(Duration::from_millis(5));
        }
    };
    let rust_master = || {
        let master = bin(MASTER);
        listening(master.args(["--addr", "127.0.0.1:0", "--tasks", &count]))
    };
    let python_master = || listening(bin(python.unwrap()).args(["-c", PY_BENCH_MASTER, &count]));
    let quiet = |worker: harness::Cmd| worker.stdout_to(std::process::Stdio::null()).spawn();
    let rust_worker = |addr: &str| quiet(worker(addr));
    let python_worker = |addr: &str| quiet(py_worker(python.unwrap(), addr, "abc"));
    type Start<'a> = &'a dyn Fn() -> (Running, String);
    type Work<'a> = &'a dyn Fn(&str) -> Running;
    let mut pairs: Vec<(&str, Start<'_>, Work<'_>)> =
        vec![("Rust master   + Rust worker  ", &rust_master, &rust_worker)];
    if python.is_some() {
        pairs.push((
            "Python master + Python worker",
            &python_master,
            &python_worker,
        ));
        pairs.push((
            "Rust master   + Python worker",
            &rust_master,
            &python_worker,
        ));
        pairs.push((
            "Python master + Rust worker  ",
            &python_master,
            &rust_worker,
        ));
    }
    println!("{TASKS} tasks, zero sleep, one master and one worker (1 warm-up, 5 samples):");
    let (mut rates, mut spreads) = (Vec::new(), Vec::new());
    for (name, start, work) in pairs {
        let one_run = || {
            let (master, addr) = start();
            let started = Instant::now();
            let w = work(&addr);
            let out = master.finish();
            let took = started.elapsed();
            out.assert_success();
            check_master(&std::fs::read_to_string(&output).unwrap(), TASKS);
            // Python's worker ends with EOFError when Python's master shuts down under it.
            w.finish();
            took
        };
        one_run();
        let stats = shared::bench::Stats::of((0..5).map(|_| one_run()).collect());
        let rate = |d: Duration| TASKS as f64 / d.as_secs_f64();
        println!(
            "  {name}: {:>7.0} tasks/s (from {:.0} to {:.0}; {stats})",
            rate(stats.median),
            rate(stats.max),
            rate(stats.min)
        );
        rates.push(rate(stats.median));
        spreads.push(stats.max.as_secs_f64() / stats.min.as_secs_f64());
    }
    let _ = std::fs::remove_file(&output);
    if rates.len() == 4 {
        println!("  our pair / Python's pair: {:.1}x", rates[0] / rates[1]);
        println!(
            "  a Python worker, our master / Python's master: {:.1}x",
            rates[2] / rates[1]
        );
    }
    // What issue 24 asks of a release build: our pair at least 5 times Python's, and its
    // slowest sample at most 1.5 times its fastest.
    if !cfg!(debug_assertions) {
        assert!(
            spreads[0] <= 1.5,
            "our pair's samples spread {:.2}x",
            spreads[0]
        );
        if rates.len() == 4 {
            assert!(
                rates[0] >= 5.0 * rates[1],
                "only {:.1}x",
                rates[0] / rates[1]
            );
        }
    }
}

#[test]
fn a_taken_port_and_bad_options_are_one_line_each() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = bin(MASTER).args(["--addr", &addr]).run();
    out.assert_code(1);
    assert!(
        out.stderr
            .starts_with(&format!("error: cannot listen on {addr}: ")),
        "{out:?}"
    );
    assert_eq!(out.stderr.lines().count(), 1);
    let bad_addrs = [
        "127.0.0.1:99999",
        "",
        "abc",
        "127.0.0.1:-1",
        "[::1]",
        "localhost",
    ];
    let bad_addrs = bad_addrs.map(|a| ["--addr", a]);
    let bad_others = [
        ["--tasks", "0"],
        ["--tasks", "100001"],
        ["--authkey", ""],
        ["--wait", "0"],
        ["--wait", "x"],
        ["--help=3", "--tasks=1"],
        ["-hx", "--tasks=1"],
    ];
    for bad in bad_addrs.into_iter().chain(bad_others) {
        bin(MASTER).args(bad).run().assert_usage_error();
    }
}

/// A task given back after every other task is done finds a worker that would have left: the
/// worker's `get` waits while another connection still holds a task. (The tutorial's worker
/// leaves after one empty second; before, a task given back later found no one.)
#[cfg(unix)]
#[test]
fn a_task_given_back_finds_a_worker_that_would_have_left() {
    let (master, addr) = start_master(&["--tasks", "6", "--wait", "30"]);
    // 100 s a task: it holds its first until it is killed.
    let mut slow = worker(&addr).env("TUTORIAL_TIME_SCALE", "100").spawn();
    let held = numbers(&slow.wait_for_line(|l| l.starts_with("run task ")))[0];
    let mut fast = worker(&addr).spawn();
    for _ in 0..5 {
        fast.wait_for_line(|l| l.starts_with("run task "));
    }
    std::thread::sleep(Duration::from_millis(1500)); // past its `get`'s own 1 s
    slow.signal(nix::sys::signal::Signal::SIGKILL);
    drop(slow.finish());
    let out = fast.finish();
    out.assert_success();
    let ran = check_worker(&out.stdout);
    assert!(ran.len() == 6 && ran.contains(&held), "{out}");
    let out = master.finish();
    out.assert_success();
    check_master(&out.stdout, 6);
}

/// The limit the master documents: a stopped worker (SIGSTOP: a laptop asleep, a debugger)
/// keeps its task, since its kernel still answers keepalive. The other workers wait for it, but
/// not for ever: a `get` waits at most HELD_WAIT (10 s) past its own 1 s, then the worker ends
/// as usual. The task is not given back while its worker is stopped.
#[cfg(unix)]
#[test]
#[ignore = "tier 2: the 10 s a worker waits for a stopped one"]
fn a_stopped_worker_keeps_its_task_and_the_others_wait_for_it_only_so_long() {
    use nix::sys::signal::Signal;
    use python_interop::manager::HELD_WAIT;
    let (mut master, addr) = start_master(&["--tasks", "2", "--wait", "60"]);
    let mut stopped = worker(&addr).env("TUTORIAL_TIME_SCALE", "100").spawn();
    stopped.wait_for_line(|l| l.starts_with("run task "));
    stopped.signal(Signal::SIGSTOP);
    let mut other = worker(&addr).spawn();
    other.wait_for_line(|l| l.starts_with("run task "));
    let waiting = Instant::now();
    let out = other.timeout_from_now(Duration::from_secs(60)).finish();
    let waited = waiting.elapsed();
    out.assert_success();
    assert_eq!(check_worker(&out.stdout).len(), 1, "{out}");
    assert!(
        waited >= HELD_WAIT && waited < HELD_WAIT + Duration::from_secs(10),
        "it waited {waited:?}"
    );
    master.wait_for_line(|l| l.starts_with("Result: "));
    master.signal(Signal::SIGKILL);
    let out = master.finish();
    assert!(
        !out.stderr.contains("put back"),
        "not given back while stopped: {out}"
    );
    stopped.signal(Signal::SIGKILL);
    drop(stopped.finish());
}

/// A task no worker can run (not an integer) is taken 3 times, then set aside with one log line
/// and reported by the master as failed (exit status 1); our workers live, and every other
/// result arrives. Python's worker dies of it (TypeError), as the sample does.
#[test]
fn a_poison_task_is_set_aside_and_every_other_result_arrives() {
    let (mut master, addr) = start_master(&["--tasks", "10"]);
    // The test holds the ten tasks and puts the poison: it is every worker's first task.
    let (task, result) = task_and_result(&addr);
    for _ in 0..10 {
        task.get(Duration::from_secs(5)).unwrap();
    }
    task.put("abc").unwrap();
    // Python's worker first, alone: it takes the poison and dies of it (TypeError), as the
    // sample does; the master puts it back (its first time).
    if let Some(python) = python() {
        let out = py_worker(python, &addr, "abc").run();
        assert!(out.stderr.contains("TypeError"), "{out}");
        master.wait_for_stderr_line(|l| {
            l.ends_with(" left holding task abc: put back into the queue")
        });
    }
    let ours: Vec<Running> = (0..3).map(|_| worker(&addr).spawn()).collect();
    let failed = "Result: task 'abc' failed: taken 3 times, never finished";
    master.wait_for_line(|l| l == failed);
    drop((task, result)); // the ten tasks go back, to the workers that wait for them
    let mut ran = 0;
    for w in ours {
        let out = w.finish();
        out.assert_success();
        assert!(
            out.stderr
                .lines()
                .all(|l| l == "cannot run task 'abc': not an integer; given back"),
            "{out}"
        );
        ran += check_worker(&out.stdout).len();
    }
    assert_eq!(ran, 10, "each task once");
    let out = master.finish();
    out.assert_code(1);
    assert_eq!(lines_with(&out.stdout, "Result: ").len(), 11, "{out}");
    assert_eq!(lines_with(&out.stdout, failed).len(), 1, "{out}");
    let set_aside: Vec<&str> = (out.stderr.lines())
        .filter(|l| l.contains(": set aside: "))
        .collect();
    assert_eq!(set_aside.len(), 1, "{out}");
    assert!(
        set_aside[0]
            .ends_with(" left holding task abc: set aside: taken 3 times and never finished"),
        "{out}"
    );
    assert!(
        out.stderr
            .ends_with("error: tasks set aside as failed: 1\n"),
        "{out}"
    );
}

/// A request refused with its value in the log (here a list, not a request, holding a 60 KB
/// string of control characters named 4 times: 1.4 MB of repr) is one log line of at most about
/// 1 KiB, cut with its length; the master serves on.
#[test]
fn a_refused_request_is_logged_in_one_short_line() {
    let (master, addr) = start_master(&["--tasks", "1"]);
    let (mut c, ident) = task_queue_proxy(&addr);
    let Value::Str(ident) = ident else { panic!() };
    let mut frame = memo_put(&ident, 60_000, 3, 1);
    let n = frame.len();
    frame[n - 2] = b'l'; // a LIST, not a TUPLE: not a request
    c.send_bytes(&frame).unwrap();
    let reply = loads(&c.recv_bytes(MAX_FRAME).unwrap().unwrap()).unwrap();
    assert!(matches!(&reply, Value::Tuple(r) if r[0] == Value::from("#TRACEBACK")));
    drop(c);
    let good = worker(&addr).run();
    good.assert_success();
    let out = master.finish();
    out.assert_success();
    let log: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(log.len(), 1, "{out}");
    assert!(log[0].len() <= 1100, "a log line of {} bytes", log[0].len());
    assert!(
        log[0].contains("a request that is not a tuple: [") && log[0].ends_with(" bytes)"),
        "{}",
        log[0]
    );
}

/// The master's memory stays bounded (peak RSS under 64 MiB) under the two attacks of issue 31:
/// puts of a 60 KB string named again through the pickle memo (about 1 MB each once read, and
/// 240 KB each under the cap of copies), and requests whose refusal would log megabytes each,
/// with stderr not read. Prints the figures.
#[cfg(target_os = "linux")]
#[test]
#[ignore = "tier 2: memo and log attacks on the master's memory"]
fn the_masters_memory_stays_bounded_under_the_memo_and_log_attacks() {
    let _heavy = one_at_a_time();
    const LIMIT: u64 = 64 << 20;
    let (read_end, unread) = nix::unistd::pipe().unwrap();
    let mut master = bin(MASTER)
        .args(["--addr", "127.0.0.1:0", "--tasks", "3", "--wait", "120"])
        .stderr_to(std::process::Stdio::from(unread))
        .timeout(Duration::from_secs(300))
        .spawn();
    let addr = master.wait_for_value("Master listening on ", "...");
    let (mut c, ident) = task_queue_proxy(&addr);
    let Value::Str(ident) = ident else { panic!() };
    c.set_deadline(Some(Instant::now() + Duration::from_secs(240)));
    let started = peak_rss(master.pid());
    let answers = |c: &mut python_interop::wire::Connection, frame: &[u8]| {
        c.send_bytes(frame).unwrap();
        let reply = loads(&c.recv_bytes(MAX_FRAME).unwrap().unwrap()).unwrap();
        let Value::Tuple(reply) = reply else { panic!() };
        reply[0] == Value::from("#RETURN")
    };
    // The memo attack: 1,000 puts of 17 names (refused as requests: 1 MB each once read), 300
    // of 4 (240 KB each: taken until the queue holds its 16 MiB).
    let (mut taken, mut refused) = (0, 0);
    for (again, puts) in [(16, 1000), (3, 300)] {
        for _ in 0..puts {
            match answers(&mut c, &memo_put(&ident, 60_000, again, b'x')) {
                true => taken += 1,
                false => refused += 1,
            }
        }
    }
    let after_memo = peak_rss(master.pid());
    // The log attack: 1,500 frames (more than the log's backlog of 1,024 lines) that are not
    // requests, each a list of a 60 KB string of control characters named 4 times (6 bytes each
    // once escaped: 1.4 MB of repr).
    for _ in 0..1500 {
        let mut frame = memo_put(&ident, 60_000, 3, 1);
        let n = frame.len();
        frame[n - 2] = b'l'; // a LIST, not a TUPLE: not a request, refused with its repr
        assert!(!answers(&mut c, &frame));
    }
    let after_log = peak_rss(master.pid());
    // And the master serves on: its tasks are still there for a worker.
    let (task, _) = task_and_result(&addr);
    assert!(task.get(Duration::from_secs(5)).unwrap().as_int().is_some());
    let mib = |b: u64| b as f64 / (1 << 20) as f64;
    println!(
        "peak RSS: {:.1} MiB at the start, {:.1} MiB after the memo attack ({taken} puts \
         taken, {refused} refused), {:.1} MiB after the log attack",
        mib(started),
        mib(after_memo),
        mib(after_log)
    );
    assert!(taken > 0 && refused > 1000, "{taken} {refused}");
    assert!(
        after_memo < LIMIT && after_log < LIMIT,
        "{after_memo} {after_log}"
    );
    master.signal(nix::sys::signal::Signal::SIGKILL);
    drop(master.finish());
    drop(read_end);
}

/// The tutorial's master as a learner runs it (`manager.start()` serves from a second process,
/// the master goes through proxies), written fresh: argv is the number of tasks.
const PY_BENCH_MASTER: &str = r#"
import sys, queue, random
from multiprocessing.managers import BaseManager
task_queue, result_queue = queue.Queue(), queue.Queue()
class Manager(BaseManager): pass
Manager.register('get_task_queue', callable=lambda: task_queue)
Manager.register('get_result_queue', callable=lambda: result_queue)
if __name__ == '__main__':
    manager = Manager(address=('127.0.0.1', 0), authkey=b'abc')
    manager.start()
    print('Master listening on %s:%d...' % manager.address, flush=True)
    task, result = manager.get_task_queue(), manager.get_result_queue()
    count = int(sys.argv[1])
    for _ in range(count):
        n = random.randint(0, 10000)
        print('Put task %d...' % n)
        task.put(n)
    print('Try get results...')
    for _ in range(count):
        print('Result: %s' % result.get(timeout=10))
    manager.shutdown()
    print('master exit.')
"#;

/// The outputs the two headers show are what a master and a worker print, run together (the
/// headers' 127.0.0.1:5000 stands for the free port the test takes).
#[test]
fn the_headers_outputs_are_what_a_master_and_a_worker_print() {
    let (master, addr) = start_master(&[]);
    let worker = worker(&addr).run();
    let as_shown = |out: &str| out.replace(&addr, "127.0.0.1:5000");
    let header = |name: &str, source: &str| {
        let file = format!("examples-ipc/src/bin/{name}.rs");
        harness::expected::in_header(&file, name, source)
    };
    let (master_blocks, worker_blocks) = (
        header("task_master", include_str!("../../src/bin/task_master.rs")),
        header("task_worker", include_str!("../../src/bin/task_worker.rs")),
    );
    assert_eq!((master_blocks.len(), worker_blocks.len()), (1, 1));
    worker_blocks[0].check(&as_shown(&worker.stdout));
    master_blocks[0].check(&as_shown(&master.finish().stdout));
}

/// Lesson: 分布式进程 across machines, as the tutorial runs it: the master listens on every
/// interface (`--addr 0.0.0.0:5000`), a worker on another computer connects to the master's
/// address; a host that vanishes mid-task (its link down, no goodbye) gives its task back. The
/// two computers are two network namespaces (`harness::manager::Hosts`).
#[cfg(target_os = "linux")]
mod two_hosts {
    use super::*;
    use nix::sys::signal::Signal;

    /// The master on host A, on every interface, as the tutorial's `address=('', 5000)`.
    fn master_on_a(hosts: &Hosts, tasks: &str) -> Running {
        let mut master = hosts
            .on(&hosts.a, MASTER)
            .args(["--addr", "0.0.0.0:5000", "--tasks", tasks])
            .spawn();
        master.wait_for_line(|l| l == "Master listening on 0.0.0.0:5000...");
        master
    }

    #[test]
    #[ignore = "tier 2: two hosts in network namespaces"]
    fn a_worker_on_another_host_runs_the_tasks() {
        let Some(hosts) = Hosts::make("a_worker_on_another_host_runs_the_tasks") else {
            return;
        };
        let master = master_on_a(&hosts, "3");
        let addr = format!("{A}:5000");
        let out = hosts.on(&hosts.b, WORKER).args(["--addr", &addr]).run();
        out.assert_success();
        assert_eq!(check_worker(&out.stdout).len(), 3, "{out}");
        let out = master.finish();
        out.assert_success();
        check_master(&out.stdout, 3);
        assert!(
            out.stderr.contains("is reachable from other machines"),
            "{out}"
        );
        // Python's own worker, on host B, the same.
        if let Some(python) = python() {
            let master = master_on_a(&hosts, "2");
            let py = hosts
                .on(&hosts.b, python)
                .args(["-c", PY_WORKER, &addr, "abc"])
                .run();
            py.assert_success();
            check_master(&master.finish().stdout, 2);
            // And our worker on host B against Python's own master on host A.
            let mut py_master = hosts
                .on(&hosts.a, python)
                .args(["-c", PY_MASTER, "abc", "6", "7"])
                .env("PY_MASTER_HOST", "0.0.0.0")
                .spawn();
            let port = py_master.wait_for_value("Master listening on 0.0.0.0:", "...");
            let py_addr = format!("{A}:{port}");
            let out = hosts.on(&hosts.b, WORKER).args(["--addr", &py_addr]).run();
            assert_eq!(ran_for_a_python_master(&out, &py_addr).len(), 2, "{out}");
            check_master(&py_master.finish().stdout, 2);
        }
    }

    /// Host B's link goes down while its worker holds a task, and the worker is killed there:
    /// no goodbye reaches the master. Its keepalive notices within about 5 s, the task goes
    /// back, and a worker on host A runs it: every result arrives, none is lost.
    #[test]
    #[ignore = "tier 2: two hosts, one vanishing"]
    fn a_vanished_host_gives_its_task_back() {
        let Some(hosts) = Hosts::make("a_vanished_host_gives_its_task_back") else {
            return;
        };
        let mut master = master_on_a(&hosts, "4");
        let addr = format!("{A}:5000");
        // 100 s a task: it still holds its first when its host vanishes.
        let mut slow = hosts
            .on(&hosts.b, WORKER)
            .args(["--addr", &addr])
            .env("TUTORIAL_TIME_SCALE", "100")
            .spawn();
        let held = numbers(&slow.wait_for_line(|l| l.starts_with("run task ")))[0];
        let vanished = Instant::now();
        hosts.vanish(&hosts.b);
        slow.signal(Signal::SIGKILL);
        drop(slow.finish());
        let back = format!(" left holding task {held}: put back into the queue");
        master.wait_for_stderr_line(|l| l.ends_with(&back));
        let took = vanished.elapsed();
        assert!(
            took < Duration::from_secs(9),
            "the task came back after {took:?}"
        );
        let local = hosts
            .on(&hosts.a, WORKER)
            .args(["--addr", "127.0.0.1:5000"])
            .run();
        local.assert_success();
        let ran = check_worker(&local.stdout);
        assert!(ran.contains(&held) && ran.len() == 4, "{local}");
        let out = master.finish();
        out.assert_success();
        check_master(&out.stdout, 4);
        // The header of task_master shows these two lines of such a run: the same, but for
        // the port, the task, and the system's words for the lost host.
        let header = include_str!("../../src/bin/task_master.rs").lines();
        let shown: Vec<&str> = header
            .filter_map(|l| l.strip_prefix("//! master: "))
            .collect();
        let readme = include_str!("../../../README.md").lines();
        let in_readme: Vec<&str> = readme.filter_map(|l| l.strip_prefix("master: ")).collect();
        assert_eq!(shown, in_readme, "the README shows the header's lines");
        let logged: Vec<&str> = out
            .stderr
            .lines()
            .filter_map(|l| l.strip_prefix("master: "))
            .collect();
        let redacted = |line: &str| harness::shape(line.split(" (").next().unwrap_or(line));
        assert_eq!(
            shown.iter().map(|l| redacted(l)).collect::<Vec<_>>(),
            logged.iter().map(|l| redacted(l)).collect::<Vec<_>>(),
            "{out}"
        );
        assert!(logged[0].starts_with(&format!("{B}:")), "{out}");
    }

    /// The other host vanishes while its worker holds a task, and at once a second worker starts on
    /// the master's host: it runs the tasks still queued, and then, where the tutorial's worker
    /// would leave after one empty second, it waits for the task held by the vanished host, takes
    /// it when it comes back (about 5 s later) and runs it: every result arrives.
    #[test]
    #[ignore = "tier 2: two hosts, one vanishing while the other's worker would leave"]
    fn a_task_given_back_after_a_host_vanished_finds_the_worker_that_started_at_once() {
        let Some(hosts) = Hosts::make("a_task_given_back_finds_the_worker_that_started_at_once")
        else {
            return;
        };
        let mut master = master_on_a(&hosts, "4");
        let addr = format!("{A}:5000");
        let mut slow = hosts
            .on(&hosts.b, WORKER)
            .args(["--addr", &addr])
            .env("TUTORIAL_TIME_SCALE", "100")
            .spawn();
        let held = numbers(&slow.wait_for_line(|l| l.starts_with("run task ")))[0];
        let vanished = Instant::now();
        hosts.vanish(&hosts.b);
        slow.signal(Signal::SIGKILL);
        drop(slow.finish());
        let local = hosts
            .on(&hosts.a, WORKER)
            .args(["--addr", "127.0.0.1:5000"])
            .run();
        local.assert_success();
        let ran = check_worker(&local.stdout);
        assert!(ran.contains(&held) && ran.len() == 4, "{local}");
        master.wait_for_stderr_line(|l| l.ends_with(": put back into the queue"));
        eprintln!(
            "the worker started at once ran the task given back, and ended {:.1} s after the host vanished",
            vanished.elapsed().as_secs_f64()
        );
        let out = master.finish();
        out.assert_success();
        check_master(&out.stdout, 4);
    }
}
