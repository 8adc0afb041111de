//! Lesson: how many messages a second go through the queue's pipe between two processes, every
//! message counted.

use crate::common::*;

const QUEUE_BENCH: &str = env!("CARGO_BIN_EXE_queue_bench");

#[test]
fn measures_the_rate_of_counted_messages() {
    let out = bin(QUEUE_BENCH).args(["--count", "1000"]).run();
    out.assert_success();
    let shapes: Vec<String> = out.lines().iter().map(|l| shape(l)).collect();
    assert_eq!(
        shapes,
        [
            "# messages through the queue: # ms (min # ms, max # ms, # samples)",
            "median rate: # messages/s"
        ],
        "{out}"
    );
    assert_eq!(numbers(out.lines()[0])[0], 1000);
    // Honest figures: five samples after a warm-up, and the rate is that of the median.
    let figures: Vec<f64> = out
        .stdout
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|n| n.parse().ok())
        .collect();
    let [_, median, min, max, samples, rate] = figures[..] else {
        panic!("{out}")
    };
    assert_eq!(samples, 5.0, "{out}");
    assert!(min <= median && median <= max, "{out}");
    let implied = 1000.0 / (median / 1000.0);
    assert!((rate - implied).abs() / implied < 0.01, "{out}");
}

#[test]
fn a_lost_message_fails_the_run() {
    let out = bin(QUEUE_BENCH)
        .args(["--child", "read=3"])
        .stdin(framed(&["m", "m", "end"], ""))
        .run();
    out.assert_code(1);
    assert_eq!(out.stderr, "error: the reader got 2 of 3 messages\n");
}

/// Python's `multiprocessing.Queue` in the same run, beside ours; a release build moves
/// at least 20 times as many messages a second (issue 17; CI runs the release tests).
#[test]
fn vs_python_beside_multiprocessing_queue() {
    if !harness::python3_present("queue_bench::vs_python_beside_multiprocessing_queue") {
        return;
    }
    let count = if cfg!(debug_assertions) {
        "20000"
    } else {
        "2000000"
    };
    let out = bin(QUEUE_BENCH)
        .args(["--count", count, "--vs-python"])
        .timeout(std::time::Duration::from_secs(300))
        .run();
    out.assert_success();
    let lines = out.lines();
    let row = lines
        .iter()
        .find(|l| l.starts_with("  a message "))
        .unwrap_or_else(|| panic!("no row for a message\n{out}"));
    assert!(
        lines.iter().any(|l| l.contains("multiprocessing.Queue")),
        "{out}"
    );
    let ratio: f64 = row
        .rsplit("Python/Rust ")
        .next()
        .and_then(|r| r.trim_end_matches('x').parse().ok())
        .unwrap_or_else(|| panic!("no ratio in {row:?}"));
    if !cfg!(debug_assertions) {
        assert!(ratio >= 20.0, "only {ratio}x Python's mp.Queue\n{out}");
    }
}

/// The PIDs of `parent`'s children whose command line contains `arg`.
#[cfg(target_os = "linux")]
fn children_with(parent: u32, arg: &str) -> Vec<u32> {
    let dirs = std::fs::read_dir("/proc").unwrap().filter_map(Result::ok);
    let pids = dirs.filter_map(|d| d.file_name().to_str()?.parse::<u32>().ok());
    pids.filter(|pid| {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // After the name in parentheses: state, then the parent's PID.
        let ppid = stat.rsplit(") ").next().and_then(|r| r.split(' ').nth(1));
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        ppid == Some(&parent.to_string()) && String::from_utf8_lossy(&cmdline).contains(arg)
    })
    .collect()
}

/// A writer killed mid-run is named, as `queue` names it; the reader, which found its queue
/// cut short, is not blamed.
#[cfg(target_os = "linux")]
#[test]
fn a_killed_writer_is_named() {
    let running = bin(QUEUE_BENCH).args(["--count", "10000000"]).spawn();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let writer = loop {
        if let Some(&pid) = children_with(running.pid(), "write=").first() {
            break pid;
        }
        assert!(std::time::Instant::now() < deadline, "no writer started");
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let writer = nix::unistd::Pid::from_raw(writer as i32);
    nix::sys::signal::kill(writer, nix::sys::signal::SIGKILL).expect("kill the writer");
    let out = running.finish();
    out.assert_code(1);
    let debug_note = "note: this is a debug build";
    let said: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| !l.starts_with(debug_note))
        .collect();
    assert_eq!(
        said,
        ["error: the writer was killed by signal 9 (SIGKILL)"],
        "{out}"
    );
}

/// The writer holds a bounded amount: with nobody reading its queue, a `put` waits once
/// `MAX_WAITING` bytes wait to be written, where an unbounded feeder would hold every one of
/// ten million messages (about 150 MB).
#[cfg(target_os = "linux")]
#[test]
#[ignore = "tier 2: a full pipe, a writer nobody reads"]
fn a_writer_nobody_reads_holds_a_bounded_amount() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let mut writer = Command::new(QUEUE_BENCH)
        .args(["--child", "write=10000000"])
        .stdin(Stdio::piped()) // its lifeline: closing it ends the writer
        .stdout(Stdio::null())
        .stderr(Stdio::piped()) // the queue, which nobody reads
        .spawn()
        .unwrap();
    let proc = |file: &str| std::fs::read_to_string(format!("/proc/{}/{file}", writer.id()));
    let cpu_ticks = || -> u64 {
        let stat = proc("stat").unwrap();
        let fields: Vec<&str> = stat.rsplit(") ").next().unwrap().split(' ').collect();
        fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
    };
    // Until it has used no CPU for a second: waiting in `put`, or (unbounded) done putting.
    let (deadline, mut last, mut still) = (Instant::now() + Duration::from_secs(120), 0, 0);
    while still < 5 {
        assert!(Instant::now() < deadline, "the writer never stopped");
        std::thread::sleep(Duration::from_millis(200));
        let now = cpu_ticks();
        still = if now == last { still + 1 } else { 0 };
        last = now;
    }
    let status = proc("status").unwrap();
    let peak_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap();
    drop(writer.stdin.take());
    assert!(!writer.wait().unwrap().success(), "ended by its lifeline");
    assert!(peak_kib < 16 * 1024, "the writer grew to {peak_kib} KiB");
}

#[test]
fn counts_have_a_ceiling() {
    for count in ["0", "10000001"] {
        bin(QUEUE_BENCH)
            .args(["--count", count])
            .run()
            .assert_usage_error();
    }
}

/// When the system refuses a process (RLIMIT_NPROC) or a thread: one `error:` line, never a
/// panic, never a hang.
#[cfg(target_os = "linux")]
#[test]
fn no_process_or_thread_is_one_error_line() {
    refused_a_process(env!("CARGO_BIN_EXE_queue_bench"), &[1, 2, 3, 4]);
}

/// When the system refuses a file descriptor for a pipe (RLIMIT_NOFILE): one `error:` line.
#[cfg(target_os = "linux")]
#[test]
fn no_descriptor_for_a_pipe_is_one_error_line() {
    for room in [4, 5, 6] {
        let out = bin(env!("CARGO_BIN_EXE_queue_bench"))
            .limit(harness::limits::Resource::RLIMIT_NOFILE, room)
            .run();
        out.assert_one_error_line("cannot ");
    }
}
