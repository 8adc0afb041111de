//! Lesson of task_worker: a worker knows only the master's address and authkey; it takes tasks
//! until the queue stays empty and puts each result back, with any master that speaks Python's
//! protocol; and its exit status tells the truth: 0 when the queue is empty, 1 with one line
//! when the master went away, was killed or is full.
//!
//! The Python side is written fresh in the harness (`harness::manager`), with the standard
//! library only. Without python3 on PATH those tests say so on stderr and pass, unless
//! TUTORIAL_REQUIRE_PYTHON=1 (CI).

use harness::manager::*;
use harness::{Running, bin};
use python_interop::pickle::Value;
use python_interop::wire::MAX_FRAME;
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

/// A task too large for a frame is named as such, not taken for a master that went away.
#[test]
fn a_frame_over_the_limit_is_named() {
    let (server, addr) = empty_server();
    let huge = "7".repeat(MAX_FRAME + 1);
    queue_of(&server, "get_task_queue").put(Value::Str(huge));
    let out = worker(&addr).run();
    out.assert_code(1);
    let said = format!("error: the master at {addr} sent a frame of ");
    assert!(out.stderr.starts_with(&said), "{out:?}");
    assert!(
        out.stderr
            .ends_with(&format!(" bytes, more than the {MAX_FRAME} accepted\n")),
        "{out:?}"
    );
    assert_eq!(out.stderr.lines().count(), 1, "{out:?}");
    server.shutdown();
}

#[test]
fn our_worker_runs_every_task_of_a_python_master() {
    let Some(python) = python() else { return };
    let tasks = ["3899", "9639", "50", "0", "10000", "3899"];
    let (master, addr) = py_master(python, "abc", &tasks);
    let out = worker(&addr).run();
    let mut ran = ran_for_a_python_master(&out, &addr);
    let out = master.finish();
    out.assert_success();
    let mut put = check_master(&out.stdout, tasks.len());
    ran.sort();
    put.sort();
    assert_eq!(ran, put);
}

/// A Python 3.12+ master challenges with `{sha256}`: we answer in kind, and it accepts.
#[test]
fn our_worker_speaks_the_sha256_handshake_with_a_modern_python_master() {
    for python in modern_pythons() {
        let (master, addr) = py_master(&python, "abc", &["12", "34"]);
        let out = worker(&addr).run();
        assert_eq!(ran_for_a_python_master(&out, &addr).len(), 2, "{python}");
        check_master(&master.finish().stdout, 2);
    }
}

#[test]
fn a_python_master_refuses_a_wrong_key_in_one_line() {
    let Some(python) = python() else { return };
    let (master, addr) = py_master(python, "secret", &["1"]);
    let out = worker(&addr).args(["--authkey", "guess"]).run();
    out.assert_code(1);
    assert_eq!(
        out.stderr,
        "error: the master refused the authkey (is it the same as the master's?)\n"
    );
    let out = worker(&addr).args(["--authkey", "secret"]).run();
    assert_eq!(ran_for_a_python_master(&out, &addr), [1]);
    master.finish().assert_success();
}

/// `n * n` in 128 bits: no overflow whatever the master sends. A task that is not an integer
/// is one clear line, and given back: the worker stays and runs the next (our master sets the
/// task aside once it has been taken 3 times). What does not fit 64 bits is one clear line too.
#[test]
fn big_and_odd_tasks_are_handled_without_overflow_or_panic() {
    let (server, addr) = empty_server();
    let (task, result) = (
        queue_of(&server, "get_task_queue"),
        queue_of(&server, "get_result_queue"),
    );
    task.put("abc");
    task.put(i64::MIN);
    task.put(3_037_000_500i64);
    let running = worker(&addr).spawn();
    let got: Vec<Value> = (0..2)
        .map(|_| result.get(Duration::from_secs(5)).unwrap())
        .collect();
    server.shutdown(); // its results are in: the worker's last `get` hears `queue.Empty` at once
    let out = running.finish();
    out.assert_success();
    assert_eq!(
        out.stderr,
        "cannot run task 'abc': not an integer; given back\n".repeat(3),
        "the task comes back at the front twice, then is set aside"
    );
    assert_eq!(out.stdout.matches("run task ").count(), 2, "{out}");
    assert!(
        out.stdout.ends_with("task queue is empty.\nworker exit.\n"),
        "{out}"
    );
    assert_eq!(task.take_set_aside(), [Value::from("abc")]);
    assert_eq!(
        got,
        [
            Value::from(
                "-9223372036854775808 * -9223372036854775808 = 85070591730234615865843651857942052864"
            ),
            Value::from("3037000500 * 3037000500 = 9223372037000250000"),
        ]
    );
    if let Some(python) = python() {
        let (master, addr) = py_master(python, "abc", &["7", "18446744073709551616"]);
        let out = worker(&addr).run();
        out.assert_code(1);
        assert!(out.stdout.contains("run task 7 * 7...\n"), "{out:?}");
        assert!(out.stderr.contains("beyond 64 bits"), "{out:?}");
        assert_eq!(out.stderr.lines().count(), 1, "{out:?}");
        drop(master);
    }
}

#[cfg(unix)]
#[test]
fn a_worker_says_so_when_the_master_goes_away_mid_task() {
    let (master, addr) = start_master(&[]);
    // 0.5 s a task: the master is killed during the first, and the worker's `put` fails.
    let mut slow = worker(&addr).env("TUTORIAL_TIME_SCALE", "0.5").spawn();
    slow.wait_for_line(|l| l.starts_with("run task "));
    master.signal(nix::sys::signal::Signal::SIGKILL);
    drop(master);
    let out = slow.finish();
    out.assert_code(1);
    assert_eq!(
        out.stderr,
        format!("error: the master at {addr} went away\n")
    );
}

/// The pretend work is one second a task, scaled by TUTORIAL_TIME_SCALE: 3 tasks at a scale
/// of 0.1 take at least 0.3 s; 10 tasks at a scale of 0 take well under the 10 s of real ones.
#[test]
fn its_work_is_one_scaled_second_a_task() {
    for (tasks, scale, at_least, under) in [("3", "0.1", 0.3, 30.0), ("10", "0", 0.0, 5.0)] {
        let (master, addr) = start_master(&["--tasks", tasks]);
        let started = Instant::now();
        let out = worker(&addr).env("TUTORIAL_TIME_SCALE", scale).run();
        let took = started.elapsed().as_secs_f64();
        out.assert_success();
        assert_eq!(
            check_worker(&out.stdout).len(),
            tasks.parse::<usize>().unwrap()
        );
        assert!(
            took >= at_least && took < under,
            "{tasks} tasks at {scale}: {took} s"
        );
        master.finish().assert_success();
    }
}

/// A `get` waits 1 s for a task before the worker calls the queue empty, as the sample's
/// `task.get(timeout=1)`: against a master that stays up with nothing to give.
#[test]
fn an_empty_queue_is_waited_for_1_s() {
    let (server, addr) = empty_server();
    let started = Instant::now();
    let out = worker(&addr).run();
    let took = started.elapsed();
    out.assert_success();
    assert!(check_worker(&out.stdout).is_empty(), "{out:?}");
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(8),
        "{took:?}"
    );
    server.shutdown();
}

#[test]
fn nothing_to_connect_to_and_bad_options_are_one_line_each() {
    // Nothing listens on port 1.
    let out = worker("127.0.0.1:1").run();
    out.assert_code(1);
    assert!(
        out.stderr
            .starts_with("error: cannot connect to 127.0.0.1:1: "),
        "{out:?}"
    );
    assert_eq!(out.stderr.lines().count(), 1);
    worker("127.0.0.1:5000")
        .args(["--authkey", ""])
        .run()
        .assert_usage_error();
    for bad in [
        "127.0.0.1:99999",
        "",
        "abc",
        "127.0.0.1:-1",
        "[::1]",
        ":5000",
        "::1:5000",
    ] {
        worker(bad).run().assert_usage_error();
    }
    // Help with a value is a mistake, not a request for help.
    for bad in ["--help=3", "-hx"] {
        let out = bin(WORKER).arg(bad).run();
        out.assert_usage_error();
        assert_eq!(out.stdout, "", "{out}");
    }
}

/// A worker waiting in `get` when its master is killed (a task still held elsewhere keeps the
/// `get` waiting) says the master went away, and exits 1: not "task queue is empty." and 0.
#[cfg(unix)]
#[test]
fn a_worker_waiting_in_get_when_its_master_is_killed_exits_1() {
    let (master, addr) = start_master(&["--tasks", "2"]);
    let (task, _result) = task_and_result(&addr);
    task.get(Duration::from_secs(5)).unwrap(); // held here: the worker's last `get` waits for it
    let mut waiting = worker(&addr).spawn();
    waiting.wait_for_line(|l| l.starts_with("run task "));
    std::thread::sleep(Duration::from_millis(300)); // its one task done, it waits in `get`
    master.signal(nix::sys::signal::Signal::SIGKILL);
    drop(master);
    let out = waiting.finish();
    out.assert_code(1);
    assert_eq!(
        out.stderr,
        format!("error: the master at {addr} went away while we waited for a task\n")
    );
    assert!(!out.stdout.contains("task queue is empty."), "{out}");
}

/// A worker turned away at the master's cap of connections is told that the master is full,
/// not that it went away.
#[cfg(unix)]
#[test]
#[ignore = "tier 2: 512 connections at the cap"]
fn a_worker_turned_away_at_the_cap_is_told_the_master_is_full() {
    use nix::sys::resource::{Resource::RLIMIT_NOFILE, getrlimit, setrlimit};
    use python_interop::manager::MAX_CONNECTIONS;
    let _heavy = one_at_a_time();
    let (soft, hard) = getrlimit(RLIMIT_NOFILE).unwrap();
    setrlimit(RLIMIT_NOFILE, soft.max(4096).min(hard), hard).unwrap();
    let (server, addr) = server_with_tasks(1);
    let full: Vec<_> = (0..MAX_CONNECTIONS)
        .map(|_| proxy_connection(&addr))
        .collect();
    let out = worker(&addr).run();
    out.assert_code(1);
    assert_eq!(
        out.stderr,
        format!(
            "error: the master at {addr} is full (already {MAX_CONNECTIONS} connections): try again later\n"
        )
    );
    drop(full);
    let out = worker(&addr).run();
    out.assert_success();
    assert_eq!(check_worker(&out.stdout).len(), 1);
    server.shutdown();
}

/// Lesson: 分布式进程 across machines (see `harness::manager::Hosts`): a master whose host
/// vanishes ends its worker on the other host with one line.
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

    /// Host A, the master's, vanishes while the worker on host B works: the worker ends with one
    /// line and a non-zero status instead of waiting for ever.
    #[test]
    #[ignore = "tier 2: two hosts, the master's vanishing"]
    fn a_vanished_master_ends_the_worker() {
        let Some(hosts) = Hosts::make("a_vanished_master_ends_the_worker") else {
            return;
        };
        let master = master_on_a(&hosts, "3");
        let addr = format!("{A}:5000");
        let mut worker = hosts
            .on(&hosts.b, WORKER)
            .args(["--addr", &addr])
            .env("TUTORIAL_TIME_SCALE", "2")
            .spawn();
        worker.wait_for_line(|l| l.starts_with("run task "));
        let vanished = Instant::now();
        hosts.vanish(&hosts.a);
        let out = worker.timeout_from_now(Duration::from_secs(30)).finish();
        let took = vanished.elapsed();
        out.assert_code(1);
        let said = format!("error: the master at {addr} stopped answering: its host is gone (");
        assert!(out.stderr.starts_with(&said), "{out}");
        assert_eq!(out.stderr.lines().count(), 1, "{out}");
        assert!(
            took < Duration::from_secs(15),
            "the worker ended after {took:?}"
        );
        master.signal(Signal::SIGKILL);
        drop(master.finish());
    }
}
