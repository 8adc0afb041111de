//! Two threads that take two locks in opposite order deadlock (here: on every run, detected
//! after a scaled wait); one global lock order fixes it.

use crate::common::*;

#[test]
fn is_detected_then_fixed() {
    // The barriers make the deadlock and its report the same on every run, not by luck:
    // several quick runs show it (a thread that let go of its lock early shows up in most).
    for scale in ["0"; 8].into_iter().chain(["0.1"]) {
        let start = Instant::now();
        let out = bin(env!("CARGO_BIN_EXE_deadlock"))
            .env("TUTORIAL_TIME_SCALE", scale)
            .timeout(Duration::from_secs(20))
            .run();
        let took = start.elapsed();
        out.assert_success();
        let lines = out.lines();
        let (deadlock, fix) = lines.split_at(6);
        harness::assert_lines_any_order(
            deadlock.iter().copied(),
            &[
                "Thread-1 holds lock A",
                "Thread-2 holds lock B",
                "Thread-1 waits for lock B...",
                "Thread-2 waits for lock A...",
                "deadlock: Thread-1 holds lock A and waits for lock B, held by Thread-2",
                "deadlock: Thread-2 holds lock B and waits for lock A, held by Thread-1",
            ],
        );
        assert_eq!(fix[0], "Fix: every thread takes lock A before lock B.");
        harness::assert_lines_any_order(
            fix[1..3].iter().copied(),
            &[
                "Thread-1 took lock A and lock B 1000000 times",
                "Thread-2 took lock A and lock B 1000000 times",
            ],
        );
        assert_eq!(fix[3..], ["Both threads finished: no deadlock."]);
        // The 1 s wait follows the time scale: 0.1 s here, 1 s if the scale were ignored.
        if scale == "0.1" {
            assert!(took >= Duration::from_millis(100), "took {took:?}");
            assert!(took < Duration::from_millis(900), "took {took:?}");
        }
    }
}

#[test]
fn the_timeline_shows_both_threads_waiting_at_once() {
    use harness::timeline::max_concurrent;
    use shared::timeline::{Kind, lanes};
    let out = bin(env!("CARGO_BIN_EXE_deadlock"))
        .env("TUTORIAL_TIME_SCALE", "0.05")
        .arg("--timeline")
        .run();
    let (lesson, spans) = timeline_of(&out);
    assert_eq!(
        lesson.lines().count(),
        10,
        "the lesson's lines as without --timeline\n{out}"
    );
    let mut got = lanes(&spans);
    got.sort();
    assert_eq!(got, ["Thread-1", "Thread-2"], "{out}");
    let waits: Vec<_> = spans.iter().filter(|s| s.kind == Kind::Wait).collect();
    let mut labels: Vec<&str> = waits.iter().map(|s| s.label.as_str()).collect();
    labels.sort();
    assert_eq!(labels, ["holds A, waits B", "holds B, waits A"], "{out}");
    // The deadlock itself: each holds one lock and waits for the other, at the same time.
    assert_eq!(max_concurrent(waits.iter().copied()), 2, "{out}");
}

/// `--trace FILE` writes Chrome trace JSON after the run; a file that cannot be written is
/// one `error:` line at the start, before any of the lesson.
#[test]
fn the_trace_is_written_after_the_run_or_refused_at_the_start() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let file = dir.join("deadlock-trace.json");
    let out = bin(env!("CARGO_BIN_EXE_deadlock"))
        .env("TUTORIAL_TIME_SCALE", "0.05")
        .arg("--trace")
        .arg(&file)
        .run();
    out.assert_success();
    let trace = std::fs::read_to_string(&file).unwrap();
    assert!(
        trace.starts_with("{\"displayTimeUnit\":\"ms\",\"traceEvents\":["),
        "{trace}"
    );
    assert!(trace.contains("\"name\":\"holds A, waits B\""), "{trace}");

    let nowhere = dir.join("no such directory").join("trace.json");
    let out = bin(env!("CARGO_BIN_EXE_deadlock"))
        .arg("--trace")
        .arg(&nowhere)
        .run();
    out.assert_code(1);
    assert_eq!(out.stdout, "", "{out}");
    let expected = format!("error: cannot write {}: ", nowhere.display());
    assert!(out.stderr.starts_with(&expected), "{out}");
    assert_eq!(out.stderr.lines().count(), 1, "{out}");
}

/// When the system refuses a thread (`ulimit -u`): one `error:` line, never a panic or a hang.
#[cfg(target_os = "linux")]
#[test]
fn a_thread_the_system_refuses_is_one_error_line() {
    // Thread-1 waits at the barrier for Thread-2, which never starts.
    a_refused_thread_is_one_error_line(env!("CARGO_BIN_EXE_deadlock"), &[], 2);
}

/// Two threads that both find stdout full (`> /dev/full`): the error is said once, not by
/// each of them (deadlock's threads print at the same moment).
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_said_once_when_two_threads_meet_it() {
    for _ in 0..10 {
        let full = std::fs::File::create("/dev/full").expect("open /dev/full");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_deadlock"))
            .env(harness::TIME_SCALE_VAR, "0")
            .stdout(full)
            .output()
            .expect("run deadlock");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with("error: cannot write to stdout"),
            "{stderr}"
        );
    }
}
