//! The master puts tasks into one channel and any free worker takes the next: the work spreads
//! over all workers, and every task comes back exactly once.

use crate::common::*;

const PATH: &str = env!("CARGO_BIN_EXE_master_worker");

/// How many tasks each worker ran, after checking that each of `tasks` came back once.
fn check(out: &Output, workers: usize, tasks: usize) -> Vec<u64> {
    out.assert_success();
    let lines = out.lines();
    let puts = lines.iter().filter(|l| l.starts_with("Put task ")).count();
    assert_eq!(puts, tasks, "{out}");
    let mut seen = vec![0; tasks + 1];
    let mut ran = vec![0; workers + 1];
    for line in lines.iter().filter(|l| l.starts_with("Result: ")) {
        // Result: task <id> by worker-<w>: <n> * <n> = <n²>
        let [id, worker, n, n2, square] = numbers(line)[..] else {
            panic!("unexpected result line {line:?}");
        };
        assert!((1..=workers as u64).contains(&worker), "{line}");
        assert_eq!((n, n * n), (n2, square), "{line}");
        seen[id as usize] += 1;
        ran[worker as usize] += 1;
    }
    assert_eq!(seen[1..], vec![1; tasks], "each task exactly once:\n{out}");
    let summary: Vec<u64> = numbers(lines[lines.len() - 2])
        .chunks(2)
        .map(|c| c[1])
        .collect();
    assert_eq!(summary, ran[1..], "{out}");
    assert_eq!(lines.last(), Some(&"master exit."));
    summary
}

#[test]
fn accounts_for_every_task_once() {
    let out = bin(PATH).args(["--workers", "3", "--tasks", "20"]).run();
    check(&out, 3, 20);
}

#[test]
fn the_work_spreads_over_the_workers() {
    // Each task takes 20 ms here: while one worker holds a task, the other takes the next.
    let out = bin(PATH)
        .args(["--workers", "2", "--tasks", "10"])
        .env("TUTORIAL_TIME_SCALE", "0.2")
        .run();
    let ran = check(&out, 2, 10);
    assert!(ran.iter().all(|&n| n > 0), "a worker ran no task:\n{out}");
}

/// The header's Try: one worker runs the ten tasks one after another (1 s), ten workers
/// run them side by side (0.1 s).
#[test]
fn the_try_one_worker_takes_ten_times_as_long_as_ten() {
    let took = |workers: &str| {
        let started = Instant::now();
        let out = bin(PATH)
            .args(["--workers", workers])
            .env("TUTORIAL_TIME_SCALE", "1")
            .run();
        check(&out, workers.parse().unwrap(), 10);
        started.elapsed()
    };
    let (one, ten) = (took("1"), took("10"));
    assert!(
        one >= Duration::from_millis(1000),
        "one worker took {one:?}"
    );
    assert!(ten < Duration::from_millis(600), "ten workers took {ten:?}");
}

#[test]
fn the_timeline_shows_a_lane_per_worker_and_every_task_once() {
    use harness::timeline::max_concurrent;
    use shared::timeline::lanes;
    // Each task's 0.1 s of work takes 5 ms at this scale.
    let out = bin(PATH)
        .args(["--workers", "3", "--tasks", "9", "--timeline"])
        .env("TUTORIAL_TIME_SCALE", "0.05")
        .run();
    let (lesson, spans) = timeline_of(&out);
    let ran = check(
        &Output {
            stdout: format!("{lesson}\n"),
            stderr: out.stderr.clone(),
            status: out.status,
        },
        3,
        9,
    );
    // Each worker's lane holds the tasks its result lines name.
    for (i, &n) in ran.iter().enumerate() {
        let lane = format!("worker-{}", i + 1);
        let bars = spans.iter().filter(|s| s.lane == lane).count();
        assert_eq!(bars as u64, n, "{lane}\n{out}");
    }
    assert_eq!(lanes(&spans).len(), 3, "{out}");
    let mut labels: Vec<u64> = spans.iter().map(|s| numbers(&s.label)[0]).collect();
    labels.sort();
    assert_eq!(labels, (1..=9).collect::<Vec<_>>(), "{out}");
    assert!(max_concurrent(&spans) <= 3, "{out}");
    // A bar covers the task's work: never shorter than its scaled 5 ms (a bar recorded
    // before or after the work is ~0), and typically far below an unscaled 100 ms.
    let mut lengths: Vec<i64> = spans.iter().map(|s| s.end_us - s.start_us).collect();
    lengths.sort();
    assert!(
        lengths[0] >= 4_500,
        "a bar shorter than its task's work\n{out}"
    );
    assert!(lengths[4] < 50_000, "bars ignore the time scale\n{out}");
}

#[test]
fn refuses_counts_without_a_ceiling() {
    assert_refused(
        PATH,
        &[
            &["--workers", "0"],
            &["--workers", "1001"],
            &["--tasks", "0"],
            &["--tasks", "100001"],
            &["--tasks", "99999999999"],
        ],
    );
}

#[cfg(unix)]
#[test]
fn a_closed_stdout_ends_it_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    // Like `master_worker --tasks 100000 | head -1`.
    let mut child = Command::new(PATH)
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

/// When the system refuses a thread (`ulimit -u`): one `error:` line, never a panic or a hang.
#[cfg(target_os = "linux")]
#[test]
fn a_thread_the_system_refuses_is_one_error_line() {
    a_refused_thread_is_one_error_line(
        env!("CARGO_BIN_EXE_master_worker"),
        &["--workers", "20"],
        5,
    );
}
