//! Runs task_master and task_worker as a real process and checks what the lesson promises.
//! The master always listens on 127.0.0.1 port 0; the tests start it and its workers themselves.

use harness::{Running, bin, numbers};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// The lines of `stdout` that start with `prefix`, in order.
fn lines_with<'a>(stdout: &'a str, prefix: &str) -> Vec<&'a str> {
    stdout.lines().filter(|l| l.starts_with(prefix)).collect()
}

/// Starts `task_master` on a free loopback port; returns it and its address.
fn start_master(args: &[&str]) -> (Running, String) {
    let mut master = bin(env!("CARGO_BIN_EXE_task_master"))
        .args(["--addr", "127.0.0.1:0"])
        .args(args)
        .spawn();
    let addr = master.wait_for_value("Master listening on ", "...");
    (master, addr)
}

fn worker(addr: &str) -> harness::Cmd {
    bin(env!("CARGO_BIN_EXE_task_worker")).args(["--addr", addr])
}

/// Checks the master's output: every task put comes back once as `n * n = n²`.
fn check_master(stdout: &str) -> Vec<u64> {
    let lines: Vec<&str> = stdout.lines().collect();
    let mut put: Vec<u64> = lines_with(stdout, "Put task ")
        .iter()
        .map(|l| numbers(l)[0])
        .collect();
    assert_eq!(put.len(), 10, "{stdout}");
    let mut results: Vec<u64> = lines_with(stdout, "Result: ")
        .iter()
        .map(|l| {
            let [n, n2, square] = numbers(l)[..] else {
                panic!("bad result line {l:?}")
            };
            assert_eq!((n2, square), (n, n * n), "{l}");
            n
        })
        .collect();
    put.sort();
    results.sort();
    assert_eq!(put, results, "every task's result exactly once:\n{stdout}");
    assert_eq!(lines[11], "Try get results...");
    assert_eq!(lines.last(), Some(&"master exit."));
    put
}

/// The tasks a worker ran, after checking the shape of its output.
fn check_worker(stdout: &str, addr: &str) -> Vec<u64> {
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], format!("Connect to server {addr}..."));
    assert_eq!(
        lines[lines.len() - 2..],
        ["task queue is empty.", "worker exit."],
        "{stdout}"
    );
    lines[1..lines.len() - 2]
        .iter()
        .map(|l| {
            let [n, n2] = numbers(l)[..] else {
                panic!("bad line {l:?}")
            };
            assert_eq!(*l, format!("run task {n} * {n2}..."));
            n
        })
        .collect()
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
        ran.extend(check_worker(&out.stdout, &addr));
    }
    let out = master.finish();
    out.assert_success();
    assert_eq!(out.stderr, "", "{out}");
    let mut put = check_master(&out.stdout);
    put.sort();
    ran.sort();
    assert_eq!(ran, put, "each task ran once");
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
    // The key from the environment works like the option.
    let good = worker(&addr)
        .env("TASK_AUTHKEY", "secret")
        .args(["--batch", "4"])
        .run();
    good.assert_success();
    assert_eq!(check_worker(&good.stdout, &addr).len(), 10);
    let out = master.finish();
    out.assert_success();
    check_master(&out.stdout);
    assert_eq!(out.stderr.lines().count(), 1, "{out}");
    assert!(
        out.stderr
            .contains(": dropped: wrong authkey, connection refused"),
        "{out}"
    );
}

#[test]
fn garbage_oversized_and_cut_frames_are_dropped_with_one_line_each() {
    let (master, addr) = start_master(&[]);
    let connect = || {
        let mut stream = TcpStream::connect(&addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        // The master speaks first: its challenge.
        let mut length = [0u8; 4];
        stream.read_exact(&mut length).unwrap();
        let mut challenge = vec![0u8; u32::from_be_bytes(length) as usize];
        stream.read_exact(&mut challenge).unwrap();
        assert!(String::from_utf8_lossy(&challenge).starts_with(r#"{"type":"Challenge""#));
        stream
    };
    let wait_closed = |mut stream: TcpStream| {
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest); // the master closes the connection
    };
    // Bytes that are a frame but not a message.
    let mut garbage = connect();
    garbage.write_all(&[0, 0, 0, 7]).unwrap();
    garbage.write_all(b"garbage").unwrap();
    wait_closed(garbage);
    // A frame announced as 10 MiB.
    let mut huge = connect();
    huge.write_all(&(10u32 << 20).to_be_bytes()).unwrap();
    huge.write_all(&[b'x'; 100]).unwrap();
    wait_closed(huge);
    // A frame cut short: the client vanishes half way.
    let mut cut = connect();
    cut.write_all(&[0, 0, 0, 100]).unwrap();
    cut.write_all(b"{\"type\":").unwrap();
    drop(cut);

    let good = worker(&addr).run();
    good.assert_success();
    let out = master.finish();
    out.assert_success();
    check_master(&out.stdout);
    let log: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(log.len(), 3, "{out}");
    assert!(
        log.iter()
            .all(|l| l.starts_with("master: 127.0.0.1:") && l.contains(": dropped: ")),
        "{out}"
    );
    assert!(log.iter().any(|l| l.contains("not a message")), "{out}");
    assert!(
        log.iter().any(|l| l.contains("frame size too big")),
        "{out}"
    );
    assert!(
        log.iter().any(|l| l.contains("bytes remaining on stream")),
        "{out}"
    );
}

#[cfg(unix)]
#[test]
fn a_task_held_by_a_killed_worker_goes_back_into_the_queue() {
    let (master, addr) = start_master(&[]);
    // This worker takes 100 s a task and asks for three at a time: it still holds all three
    // when it is killed.
    let mut slow = worker(&addr)
        .args(["--batch", "3"])
        .env("TUTORIAL_TIME_SCALE", "100")
        .spawn();
    let line = slow.wait_for_line(|l| l.starts_with("run task "));
    let held = numbers(&line)[0];
    slow.signal(nix::sys::signal::Signal::SIGKILL);
    let killed = slow.finish();
    assert!(!killed.status.success());

    let fast = worker(&addr).run();
    fast.assert_success();
    let ran = check_worker(&fast.stdout, &addr);
    assert!(
        ran.contains(&held),
        "the killed worker's task {held} was run again: {ran:?}"
    );
    assert_eq!(ran.len(), 10);
    let out = master.finish();
    out.assert_success();
    check_master(&out.stdout);
    assert!(
        out.stderr.contains(&format!(
            "left holding task {held}: put back into the queue"
        )),
        "{out}"
    );
    assert_eq!(
        out.stderr.matches(" left holding task ").count(),
        3,
        "{out}"
    );
}

#[cfg(unix)]
#[test]
fn a_worker_says_so_when_the_master_goes_away() {
    let (master, addr) = start_master(&[]);
    let mut slow = worker(&addr).env("TUTORIAL_TIME_SCALE", "100").spawn();
    slow.wait_for_line(|l| l.starts_with("run task "));
    master.signal(nix::sys::signal::Signal::SIGKILL);
    drop(master);
    let out = slow.timeout_from_now(Duration::from_secs(10)).finish();
    out.assert_code(1);
    assert_eq!(
        out.stderr,
        format!("error: the master at {addr} went away\n")
    );
}

#[test]
fn a_master_without_workers_gives_up_after_its_timeout() {
    let (master, _) = start_master(&["--timeout", "0.3"]);
    let out = master.finish();
    out.assert_code(1);
    assert_eq!(
        out.stderr,
        "error: no result within 0.3 s; 0 of 10 results arrived\n"
    );
    assert!(!out.stdout.contains("master exit."));
}

#[test]
fn nothing_to_connect_to_and_a_taken_port_are_one_line_each() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = bin(env!("CARGO_BIN_EXE_task_master"))
        .args(["--addr", &addr])
        .run();
    out.assert_code(1);
    assert!(
        out.stderr
            .starts_with(&format!("error: cannot listen on {addr}: ")),
        "{out}"
    );
    assert_eq!(out.stderr.lines().count(), 1);
    drop(taken);
    // Nothing listens on port 1.
    let out = worker("127.0.0.1:1").run();
    out.assert_code(1);
    assert!(
        out.stderr
            .starts_with("error: cannot connect to 127.0.0.1:1: "),
        "{out}"
    );
    assert_eq!(out.stderr.lines().count(), 1);
    for bad in [["--authkey", ""], ["--batch", "0"]] {
        worker("127.0.0.1:5000")
            .args(bad)
            .run()
            .assert_usage_error();
    }
}
#[test]
fn master_and_worker_take_help_and_refuse_what_they_do_not_know() {
    for path in [
        env!("CARGO_BIN_EXE_task_master"),
        env!("CARGO_BIN_EXE_task_worker"),
    ] {
        harness::assert_takes_help_and_refuses_unknown_options(path);
    }
}
