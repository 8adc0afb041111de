//! Runs every binary of examples-thread as a real process and checks what the lesson promises.

use harness::{assert_lines_any_order, bin, numbers};
use std::time::{Duration, Instant};

#[test]
fn multi_threading_prints_the_tutorial_lines() {
    let out = bin(env!("CARGO_BIN_EXE_multi_threading")).run();
    out.assert_success();
    assert_eq!(
        out.lines(),
        [
            "thread main is running...",
            "thread LoopThread is running...",
            "thread LoopThread >>> 1",
            "thread LoopThread >>> 2",
            "thread LoopThread >>> 3",
            "thread LoopThread >>> 4",
            "thread LoopThread >>> 5",
            "thread LoopThread ended.",
            "thread main ended.",
        ]
    );
}

#[test]
fn the_time_scale_knob_scales_the_tutorial_sleeps() {
    // Five sleeps of 1 s, scaled by 0.1: at least half a second.
    let start = Instant::now();
    bin(env!("CARGO_BIN_EXE_multi_threading"))
        .env("TUTORIAL_TIME_SCALE", "0.1")
        .run()
        .assert_success();
    assert!(start.elapsed() >= Duration::from_millis(500));
}

#[test]
fn a_bad_time_scale_is_a_usage_error() {
    for bad in ["fast", "-1", "NaN", "1e9"] {
        let out = bin(env!("CARGO_BIN_EXE_multi_threading"))
            .env("TUTORIAL_TIME_SCALE", bad)
            .run();
        out.assert_usage_error();
        assert!(out.stderr.contains("TUTORIAL_TIME_SCALE"), "{out}");
        assert!(out.stdout.is_empty(), "{out}");
    }
}

#[test]
fn lock_keeps_the_balance_at_zero() {
    let out = bin(env!("CARGO_BIN_EXE_lock")).run();
    out.assert_success();
    assert_eq!(out.stdout, "0\n");
}

/// The balance and the lost changes reported on the line that starts with `label`.
fn balance_and_lost(stdout: &str, label: &str) -> (i64, u64) {
    let line = stdout
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no line for {label:?} in:\n{stdout}"));
    let balance = line
        .split("balance = ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .and_then(|b| b.parse().ok())
        .unwrap_or_else(|| panic!("no balance in {line:?}"));
    let lost = numbers(line.split("lost = ").nth(1).expect("lost count"))[0];
    (balance, lost)
}

#[test]
fn lost_update_only_the_correct_versions_promise_zero() {
    let out = bin(env!("CARGO_BIN_EXE_lost_update"))
        .args(["--times", "200000"])
        .run();
    out.assert_success();
    assert_eq!(
        out.lines()[0],
        "Two threads run change_it(5) and change_it(8), 200000 times each."
    );
    assert_eq!(balance_and_lost(&out.stdout, "fetch_add (atomic)"), (0, 0));
    assert_eq!(balance_and_lost(&out.stdout, "Mutex (lock)"), (0, 0));
    // The racy version may come out right on one core: only its line is certain.
    let (_, lost) = balance_and_lost(&out.stdout, "read, then write (racy)");
    assert!(lost <= 400_000);
}

#[test]
fn lost_update_rejects_bad_options() {
    for args in [&["--times", "many"][..], &["--frobnicate"], &["extra"]] {
        bin(env!("CARGO_BIN_EXE_lost_update"))
            .args(args)
            .run()
            .assert_usage_error();
    }
    let help = bin(env!("CARGO_BIN_EXE_lost_update")).arg("--help").run();
    help.assert_success();
    assert!(help.stdout.starts_with("usage: lost_update"), "{help}");
}

/// The compiler error that `lost_update`'s header and the README quote.
const UNSYNCHRONISED_ERROR: &str =
    "error[E0499]: cannot borrow `balance` as mutable more than once at a time";

#[test]
fn the_unsynchronised_tutorial_code_does_not_compile() {
    let source = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/compile_fail/lost_update.rs"
    );
    // The rustc beside the cargo that builds these tests, so that rustup picks the same toolchain.
    let rustc = std::path::Path::new(env!("CARGO")).with_file_name("rustc");
    let rustc = if rustc.exists() {
        rustc
    } else {
        "rustc".into()
    };
    let target = std::env::temp_dir().join(format!("lost_update_{}", std::process::id()));
    let out = bin(rustc)
        .args([
            "--edition",
            "2024",
            "--crate-type",
            "bin",
            "--emit",
            "metadata",
        ])
        .arg("--out-dir")
        .arg(&target)
        .arg(source)
        .timeout(Duration::from_secs(120))
        .run();
    let _ = std::fs::remove_dir_all(&target);
    assert!(!out.status.success(), "it compiled:\n{out}");
    assert!(out.stderr.contains(UNSYNCHRONISED_ERROR), "{out}");
    let readme = include_str!("../../README.md");
    assert!(
        readme.contains(UNSYNCHRONISED_ERROR),
        "the README must quote the compiler's error"
    );
    let header = include_str!("../src/bin/lost_update.rs");
    assert!(header.contains(UNSYNCHRONISED_ERROR));
}

#[cfg(unix)]
#[test]
fn multicore_reports_cpu_over_wall_time() {
    let out = bin(env!("CARGO_BIN_EXE_multicore"))
        .args(["--seconds", "0.3", "--threads", "2"])
        .run();
    out.assert_success();
    let lines = out.lines();
    assert!(
        lines[0].ends_with("running 2 busy threads for 0.3 s..."),
        "{out}"
    );
    let percent = lines[1]
        .split(" = ")
        .nth(1)
        .and_then(|rest| rest.split(" %").next())
        .and_then(|p| p.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("no percentage in {:?}", lines[1]));
    // Two busy threads get at least a quarter of a core even on a loaded machine, and never
    // more than two cores' worth.
    assert!((25.0..=215.0).contains(&percent), "{out}");
}

#[cfg(unix)]
#[test]
fn multicore_rejects_a_bad_duration() {
    for seconds in ["-1", "0", "soon", "inf"] {
        bin(env!("CARGO_BIN_EXE_multicore"))
            .args(["--seconds", seconds])
            .run()
            .assert_usage_error();
    }
}

#[test]
fn threadlocal_binds_each_student_to_its_thread() {
    let out = bin(env!("CARGO_BIN_EXE_threadlocal")).run();
    out.assert_success();
    assert_lines_any_order(
        out.lines(),
        &["Hello, Alice (in Thread-A)", "Hello, Bob (in Thread-B)"],
    );
}

#[test]
fn deadlock_is_detected_then_fixed() {
    for scale in ["0", "0.1"] {
        let out = bin(env!("CARGO_BIN_EXE_deadlock"))
            .env("TUTORIAL_TIME_SCALE", scale)
            .timeout(Duration::from_secs(20))
            .run();
        out.assert_success();
        let lines = out.lines();
        let (deadlock, fix) = lines.split_at(6);
        assert_lines_any_order(
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
        assert_lines_any_order(
            fix[1..3].iter().copied(),
            &[
                "Thread-1 took lock A and lock B 10000 times",
                "Thread-2 took lock A and lock B 10000 times",
            ],
        );
        assert_eq!(fix[3..], ["Both threads finished: no deadlock."]);
    }
}

#[test]
fn master_worker_accounts_for_every_task_once() {
    let out = bin(env!("CARGO_BIN_EXE_master_worker"))
        .args(["--workers", "3", "--tasks", "20"])
        .run();
    out.assert_success();
    let lines = out.lines();
    let mut seen = [0; 21];
    for line in lines.iter().filter(|l| l.starts_with("Result: ")) {
        // Result: task <id> by worker-<w>: <n> * <n> = <n²>
        let [id, worker, n, n2, square] = numbers(line)[..] else {
            panic!("unexpected result line {line:?}");
        };
        assert!((1..=3).contains(&worker), "{line}");
        assert_eq!((n, n * n), (n2, square), "{line}");
        seen[id as usize] += 1;
    }
    assert_eq!(seen[1..], [1; 20], "each task exactly once:\n{out}");
    let ran: u64 = numbers(lines[lines.len() - 2])
        .chunks(2)
        .map(|c| c[1])
        .sum();
    assert_eq!(ran, 20, "{out}");
    assert_eq!(lines.last(), Some(&"master exit."));
    bin(env!("CARGO_BIN_EXE_master_worker"))
        .args(["--workers", "0"])
        .run()
        .assert_usage_error();
}

#[test]
fn cpu_bound_counts_the_same_primes_with_every_thread_count() {
    let out = bin(env!("CARGO_BIN_EXE_cpu_bound"))
        .args(["--limit", "20000", "--samples", "1", "--many", "8"])
        .run();
    out.assert_success();
    let rows: Vec<&str> = out
        .lines()
        .into_iter()
        .filter(|l| l.contains(" primes in "))
        .collect();
    assert_eq!(rows.len(), 3, "{out}");
    for (row, threads) in rows
        .iter()
        .zip(["1 thread", " threads (= cores)", "8 threads"])
    {
        assert!(row.contains(threads), "{row}");
        // There are 2262 primes below 20000.
        assert!(row.contains(": 2262 primes in "), "{row}");
        assert!(row.contains(", speedup "), "{row}");
    }
    let debug = cfg!(debug_assertions);
    assert_eq!(out.stderr.contains("debug build"), debug, "{out}");
}

#[test]
fn every_binary_takes_help_and_refuses_what_it_does_not_know() {
    for path in [
        env!("CARGO_BIN_EXE_multi_threading"),
        env!("CARGO_BIN_EXE_lock"),
        env!("CARGO_BIN_EXE_lost_update"),
        env!("CARGO_BIN_EXE_multicore"),
        env!("CARGO_BIN_EXE_threadlocal"),
        env!("CARGO_BIN_EXE_deadlock"),
        env!("CARGO_BIN_EXE_master_worker"),
        env!("CARGO_BIN_EXE_cpu_bound"),
    ] {
        harness::assert_takes_help_and_refuses_unknown_options(path);
    }
}

#[cfg(unix)]
#[test]
fn a_closed_stdout_ends_a_program_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    // Like `master_worker --tasks 100000 | head -1`.
    let mut child = Command::new(env!("CARGO_BIN_EXE_master_worker"))
        .args(["--tasks", "100000"])
        .env("TUTORIAL_TIME_SCALE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start master_worker");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("Put task 1: "));
    // The reading end is closed here: every later println! hits a broken pipe.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(out.status.code(), Some(141));
}
