//! Lesson: ten thousand waits fit on one thread as tasks, at a fraction of the memory of one OS
//! thread each.

use harness::timeline::parse_listing;
use harness::{bin, seconds, shape};

#[test]
fn io_bound_runs_the_waits_as_tasks_and_as_threads() {
    let out = bin(env!("CARGO_BIN_EXE_io_bound"))
        .args(["--count", "2000", "--max-threads", "500", "--samples", "2"])
        .env("TUTORIAL_TIME_SCALE", "0.1")
        .run();
    out.assert_success();
    let lines = out.lines();
    assert_eq!(
        lines[0],
        "2000 waits of 0.1 s each, all at once; median wall time of 2 runs, memory of the first:"
    );
    assert_eq!(lines[2], "  (threads capped at 500 by --max-threads)");
    let memory = if cfg!(target_os = "linux") {
        "# MiB (# KiB each)"
    } else {
        "not measurable on this system"
    };
    for (row, label) in [
        (1, "  tasks on one thread:  "),
        (3, "  one OS thread each:   "),
    ] {
        let rest = lines[row]
            .strip_prefix(label)
            .unwrap_or_else(|| panic!("{out}"));
        let (wall, measured) = rest.split_once(" (min ").expect("median, then spread");
        assert!(
            shape(measured).ends_with(&format!(", # samples); memory while all wait: {memory}")),
            "{out}"
        );
        assert!(
            measured.contains(", 2 samples); "),
            "--samples 2 ran 2 times\n{out}"
        );
        // Every wait takes 0.1 s and they all overlap: nowhere near 2000 × 0.1 s.
        assert!((0.1..10.0).contains(&seconds(wall)), "{out}");
    }
    // The lesson in memory: a waiting task costs a fraction of a waiting thread.
    if cfg!(target_os = "linux") {
        let kib_each = |row: usize| {
            let each = lines[row].rsplit_once(" (").unwrap().1;
            each.split(' ').next().unwrap().parse::<f64>().unwrap()
        };
        assert!(kib_each(1) * 4.0 < kib_each(3), "{out}");
    }
    bin(env!("CARGO_BIN_EXE_io_bound"))
        .args(["--count", "0"])
        .run()
        .assert_usage_error();
}

#[test]
fn io_bound_waits_follow_the_time_scale() {
    // 50 waits of 0.1 s: each row takes at least 0.1 s, and far less than the unscaled 1 s.
    let out = bin(env!("CARGO_BIN_EXE_io_bound"))
        .args(["--count", "50", "--samples", "1"])
        .env("TUTORIAL_TIME_SCALE", "0.1")
        .run();
    out.assert_success();
    for row in &out.lines()[1..3] {
        let wall = row.split(":  ").nth(1).unwrap().split(" (").next().unwrap();
        assert!((0.1..0.8).contains(&seconds(wall)), "{out}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn io_bound_tasks_wait_on_one_thread() {
    // While the tasks wait (2 s each), the process has one thread: the event loop's.
    let mut run = bin(env!("CARGO_BIN_EXE_io_bound"))
        .args(["--count", "10", "--max-threads", "1", "--samples", "1"])
        .env("TUTORIAL_TIME_SCALE", "2")
        .spawn();
    run.wait_for_line(|l| l.starts_with("10 waits of 2 s each"));
    let tasks = format!("/proc/{}/task", run.pid());
    for _ in 0..10 {
        std::thread::sleep(std::time::Duration::from_millis(50));
        let threads = std::fs::read_dir(&tasks).unwrap().count();
        assert_eq!(threads, 1, "threads while the tasks wait");
    }
    run.finish().assert_success();
}

#[cfg(target_os = "linux")]
#[test]
fn io_bound_measures_the_threads_it_got_when_the_system_refuses() {
    // 1.6 GB of address space: room for a few thousand threads, not 20,000.
    let out = bin("sh")
        .args([
            "-c",
            "ulimit -v 1600000 && exec \"$0\" --count 20000 --max-threads 20000 --samples 1",
        ])
        .arg(env!("CARGO_BIN_EXE_io_bound"))
        .env("TUTORIAL_TIME_SCALE", "0.1")
        .run();
    out.assert_success();
    let lines = out.lines();
    assert!(
        lines[2].starts_with("  the system would refuse thread number ")
            && lines[2].ends_with(" threads it allows"),
        "{out}"
    );
    assert!(lines[3].starts_with("  one OS thread each:   "), "{out}");
}

#[test]
fn io_bound_refuses_meaningless_counts() {
    for bad in [
        &["--count", "0"][..],
        &["--max-threads", "0"],
        &["--samples", "0"],
        &["--count", "99999999999"],
        &["--count", "1000001"],
    ] {
        bin(env!("CARGO_BIN_EXE_io_bound"))
            .args(bad)
            .run()
            .assert_usage_error();
    }
}

#[test]
fn io_bound_timeline_has_every_wait_in_flight_at_once() {
    let out = bin(env!("CARGO_BIN_EXE_io_bound"))
        .args([
            "--count",
            "600",
            "--max-threads",
            "300",
            "--samples",
            "1",
            "--timeline",
        ])
        .env("TUTORIAL_TIME_SCALE", "0.2")
        .run();
    out.assert_success();
    let listing = parse_listing(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{out}"));
    let mut counters = listing.counters.clone();
    counters.sort();
    assert_eq!(
        counters,
        [
            // Every wait ends: the count is back at 0.
            ("waits as tasks".to_string(), 600, 0),
            ("waits as threads".to_string(), 300, 0)
        ],
        "{out}"
    );
}

#[test]
fn io_bound_vs_python_prints_both_sides() {
    if !harness::python3_present("io_bound::io_bound_vs_python_prints_both_sides") {
        return;
    }
    let out = bin(env!("CARGO_BIN_EXE_io_bound"))
        .args([
            "--count",
            "500",
            "--max-threads",
            "100",
            "--samples",
            "1",
            "--vs-python",
        ])
        .env("TUTORIAL_TIME_SCALE", "0.1")
        .run();
    out.assert_success();
    let lines = out.lines();
    assert!(
        lines[4].starts_with("Python on the same machine, Python 3."),
        "{out}"
    );
    assert!(lines[5].starts_with("  wall time          Rust "), "{out}");
    assert!(lines[5].contains(" Python/Rust "), "{out}");
    // Without python3: one line, the Rust side alone, exit 0.
    let out = bin(env!("CARGO_BIN_EXE_io_bound"))
        .args(["--count", "10", "--samples", "1", "--vs-python"])
        .env("PATH", "")
        .run();
    out.assert_success();
    assert_eq!(
        out.lines().last().copied(),
        Some(shared::python::NOT_FOUND),
        "{out}"
    );
}
