//! pooled_processing: Pool(4) is four worker processes (none of them the parent) that run the
//! five tasks, never more than four at once; task 4 waits for a free worker and runs in its
//! process; join() returns after every task has ended; no worker outlives the parent.

use crate::common::*;
use std::collections::{BTreeMap, BTreeSet};

const POOL: &str = env!("CARGO_BIN_EXE_pooled_processing");

/// An argument that is not text (a byte that is not UTF-8) is a usage error, not a panic.
#[cfg(unix)]
#[test]
fn an_argument_that_is_not_text_is_a_usage_error() {
    use std::os::unix::ffi::OsStrExt;
    let not_text = std::ffi::OsStr::from_bytes(b"\xff");
    for args in [
        vec![not_text],
        vec![std::ffi::OsStr::new("--child"), not_text],
    ] {
        bin(POOL).args(args).run().assert_usage_error();
    }
}

/// Checks a run with 4 workers and 5 tasks; returns the worker PIDs.
fn check_pool_run(stdout: &str) -> BTreeSet<u64> {
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(shape(lines[0]), "Parent process #.", "{stdout}");
    let parent = numbers(lines[0])[0];
    assert_eq!(lines[1], "Waiting for all subprocesses done...");
    assert_eq!(lines.last(), Some(&"All subprocesses done."), "{stdout}");
    let mut pid_of = BTreeMap::new(); // task -> worker PID
    let mut running = BTreeMap::new(); // worker PID -> task it runs now
    let mut ended = BTreeSet::new();
    let mut freed = BTreeSet::new(); // PIDs of workers whose task has ended
    for line in &lines[2..lines.len() - 1] {
        match (shape(line).as_str(), &numbers(line)[..]) {
            ("Run task # (#)...", &[task, pid]) => {
                assert_ne!(pid, parent, "a task ran in the parent:\n{stdout}");
                assert!(running.len() < 4, "five at once at {line:?}:\n{stdout}");
                assert_eq!(running.insert(pid, task), None, "{pid} runs two:\n{stdout}");
                assert_eq!(pid_of.insert(task, pid), None, "{task} twice:\n{stdout}");
                if task == 4 {
                    assert!(
                        freed.contains(&pid),
                        "task 4 not in a freed worker:\n{stdout}"
                    );
                }
            }
            ("Task # runs # seconds.", &[task, _, _]) => {
                let pid = pid_of.get(&task).copied();
                let pid = pid.unwrap_or_else(|| panic!("{task} ended unstarted:\n{stdout}"));
                assert_eq!(running.remove(&pid), Some(task), "{stdout}");
                assert!(ended.insert(task), "{stdout}");
                freed.insert(pid);
            }
            _ => panic!("unexpected line {line:?}:\n{stdout}"),
        }
    }
    let all: BTreeSet<u64> = (0..5).collect();
    assert_eq!(
        ended, all,
        "every task ends before join() returns:\n{stdout}"
    );
    let pids: BTreeSet<u64> = pid_of.values().copied().collect();
    assert_eq!(pids.len(), 4, "Pool(4) means 4 worker processes:\n{stdout}");
    pids
}

#[test]
fn five_tasks_on_four_worker_processes() {
    // The tutorial's sleeps shortened a hundredfold, so that tasks overlap as in the tutorial.
    let mut said = Vec::new(); // how long each task said it ran, in seconds
    for _ in 0..8 {
        let out = bin(POOL).env("TUTORIAL_TIME_SCALE", "0.01").run();
        out.assert_success();
        let _pids = check_pool_run(&out.stdout);
        #[cfg(unix)]
        harness::assert_all_gone(&_pids.iter().map(|&p| p as u32).collect::<Vec<_>>());
        for line in out.lines().iter().filter(|l| l.starts_with("Task ")) {
            said.push(line.split(' ').nth(3).unwrap().parse::<f64>().unwrap());
        }
    }
    // The sleeps go through the time scale: random 0 to 3 s, times 0.01, is 0 to 0.03 s.
    // 40 draws: unscaled, some exceed 1 s (all but surely); scaled once, the longest prints
    // 0.02 or more (unless all 40 fall under 0.015 s: a chance of 2^-40); a load only
    // lengthens them.
    let longest = said.iter().copied().fold(0.0, f64::max);
    assert!(
        longest < 1.0,
        "the sleeps ignore TUTORIAL_TIME_SCALE: {said:?}"
    );
    assert!(longest >= 0.015, "the sleeps are scaled twice: {said:?}");
}

/// `--timeline` (issue 11): the same run, drawn; the exact listing under the chart is read.
#[test]
fn the_timeline_shows_four_worker_lanes_and_task_4_in_a_freed_one() {
    use harness::timeline::{max_concurrent, overlap_in_lane, parse_listing};
    use shared::timeline::lanes;
    for _ in 0..3 {
        let out = bin(POOL)
            .env("TUTORIAL_TIME_SCALE", "0.02")
            .arg("--timeline")
            .run();
        out.assert_success();
        let (lesson, chart) = out
            .stdout
            .split_once("\n\n")
            .expect("a chart after a blank line");
        let pids = check_pool_run(lesson);
        assert!(chart.starts_with("timeline: "), "{out}");
        let spans = parse_listing(chart)
            .unwrap_or_else(|e| panic!("{e}\n{out}"))
            .spans;
        let want: BTreeSet<String> = pids.iter().map(|p| format!("PID {p}")).collect();
        let got: BTreeSet<String> = lanes(&spans).iter().map(|l| l.to_string()).collect();
        assert_eq!(got, want, "one lane per worker process\n{out}");
        let mut labels: Vec<&str> = spans.iter().map(|s| s.label.as_str()).collect();
        labels.sort();
        assert_eq!(
            labels,
            ["task 0", "task 1", "task 2", "task 3", "task 4"],
            "{out}"
        );
        assert!(
            max_concurrent(&spans) <= 4,
            "more than 4 bars at once\n{out}"
        );
        assert_eq!(overlap_in_lane(&spans), None, "{out}");
        for span in &spans {
            // Each bar lasts as long as its task says it ran (to the 1/100 s it prints).
            let task = numbers(&span.label)[0];
            let said = lesson
                .lines()
                .find(|l| l.starts_with(&format!("Task {task} runs ")));
            let said = said.map(|l| l.split(' ').nth(3).unwrap().parse::<f64>().unwrap());
            let lasted = (span.end_us - span.start_us) as f64 / 1e6;
            assert!(
                (lasted - said.unwrap()).abs() < 0.02,
                "{span:?} lasted {lasted}\n{out}"
            );
        }
        let task4 = spans.iter().find(|s| s.label == "task 4").expect("task 4");
        let freed_it = spans
            .iter()
            .filter(|s| s.label != "task 4" && s.lane == task4.lane)
            .any(|s| s.end_us <= task4.start_us);
        assert!(
            freed_it,
            "task 4 starts in a worker whose task has ended\n{out}"
        );
    }
}

#[test]
fn a_worker_only_runs_the_function_it_serves() {
    let out = bin(POOL)
        .args(["--child", "pool-worker"])
        .stdin("main 3\n")
        .run();
    out.assert_code(1);
    assert!(
        out.stderr.starts_with(
            "error: worker: \"main 3\" is not a task for pooled_processing::long_time_task"
        ),
        "{out}"
    );
}

#[cfg(unix)]
mod no_worker_left_behind {
    use super::*;
    use harness::assert_all_gone;
    use nix::sys::signal::Signal;
    use std::time::Duration;

    /// Starts the pool with tasks of up to 300 s and returns it with its 4 worker PIDs.
    fn start_long_tasks() -> (harness::Running, Vec<u32>) {
        let mut running = bin(POOL).env("TUTORIAL_TIME_SCALE", "100").spawn();
        let mut pids = Vec::new();
        while pids.len() < 4 {
            let line = running.wait_for_line(|l| l.starts_with("Run task "));
            pids.push(numbers(&line)[1] as u32);
        }
        (running, pids)
    }

    #[test]
    fn when_a_worker_dies() {
        let (running, pids) = start_long_tasks();
        let pid = nix::unistd::Pid::from_raw(pids[2] as i32);
        nix::sys::signal::kill(pid, Signal::SIGKILL).expect("kill a worker");
        let out = running.timeout_from_now(Duration::from_secs(10)).finish();
        out.assert_code(1);
        let said = format!(
            "error: worker process {} was killed by signal 9 (SIGKILL) while running pooled_processing::long_time_task(",
            pids[2]
        );
        assert!(out.stderr.starts_with(&said), "{out}");
        assert_eq!(out.stderr.lines().count(), 1, "{out}");
        assert!(!out.stdout.contains("All subprocesses done."), "{out}");
        assert_all_gone(&pids);
    }

    #[test]
    fn on_sigint_or_sigterm_to_the_parent_alone() {
        for (signal, code) in [(Signal::SIGINT, 130), (Signal::SIGTERM, 143)] {
            let (running, pids) = start_long_tasks();
            running.signal(signal); // the parent only, not its group
            // The pool's own handler reaps the workers, then exits 128 + the signal.
            let out = running.timeout_from_now(Duration::from_secs(10)).finish();
            out.assert_code(code);
            assert_eq!(out.stderr, "", "{out}");
            assert_all_gone(&pids);
        }
    }

    /// Ctrl-C in a terminal goes to the whole foreground process group. The workers are in
    /// a group of their own, so it reaches the parent only, which puts them away and exits
    /// 130 quietly: never a worker's death by the same signal reported as a failure.
    #[test]
    fn on_ctrl_c_to_the_whole_group_every_time() {
        for _ in 0..50 {
            let (running, pids) = start_long_tasks();
            let group = nix::unistd::Pid::from_raw(running.pid() as i32);
            nix::sys::signal::killpg(group, Signal::SIGINT).expect("Ctrl-C");
            let out = running.timeout_from_now(Duration::from_secs(10)).finish();
            out.assert_code(130);
            assert_eq!(out.stderr, "", "{out}");
            assert_all_gone(&pids);
        }
    }

    /// A shell starts a background job (`pooled_processing &`) with SIGINT ignored, and the
    /// job must keep ignoring it: the pool runs to its end.
    #[test]
    fn an_ignored_sigint_stays_ignored() {
        let mut running = bin("/bin/sh")
            .args(["-c", "trap '' INT; exec \"$0\"", POOL])
            .env("TUTORIAL_TIME_SCALE", "1")
            .spawn();
        for _ in 0..4 {
            running.wait_for_line(|l| l.starts_with("Run task "));
        }
        running.signal(Signal::SIGINT);
        let out = running.finish();
        out.assert_success();
        assert!(out.stdout.ends_with("All subprocesses done.\n"), "{out}");
    }

    /// Linux's PR_SET_PDEATHSIG: nothing of the parent runs after `kill -9`, yet the
    /// workers (which hold the run's stderr) must end at once, not after their tasks.
    #[cfg(target_os = "linux")]
    #[test]
    fn when_the_parent_is_killed() {
        let (running, pids) = start_long_tasks();
        running.signal(Signal::SIGKILL);
        running.timeout_from_now(Duration::from_secs(10)).finish();
        assert_all_gone(&pids);
    }

    #[test]
    fn when_stdout_closes() {
        // `| head`: the pipe closes once all four workers have said their PID; the next
        // write, when a task of up to 1.5 s ends, fails while the others still run.
        let ended = closed_stdout::run(
            POOL,
            "0.5",
            |lines| lines.iter().filter(|l| l.starts_with("Run task ")).count() >= 4,
            |l| l.starts_with("Run task ").then(|| numbers(l)[1] as u32),
        );
        assert_eq!(ended.status.code(), Some(141), "{}", ended.stderr);
        assert_eq!(ended.stderr, "");
        assert_eq!(ended.left_behind, Vec::<u32>::new(), "{:?}", ended.lines);
    }
}

/// When the system refuses a new process (`ulimit -u`): one `error:` line, never a panic.
#[cfg(target_os = "linux")]
#[test]
fn no_new_process_at_all() {
    refused_a_process(
        env!("CARGO_BIN_EXE_pooled_processing"),
        &[],
        "cannot start a worker process: ",
    );
}

/// Room for the four workers, not for the pool's threads; 10 MB of address space; two
/// file descriptors besides the standard three: one line each.
#[cfg(target_os = "linux")]
#[test]
fn no_thread_memory_or_pipe_for_the_pool() {
    use harness::limits::Resource::{RLIMIT_AS, RLIMIT_NOFILE, RLIMIT_NPROC};
    let out = bin(POOL).limit(RLIMIT_NPROC, 6).run();
    out.assert_one_error_line("cannot start ");
    let out = bin(POOL).limit(RLIMIT_AS, 10_000_000).run();
    out.assert_one_error_line("cannot start ");
    let out = bin(POOL).limit(RLIMIT_NOFILE, 4).run();
    out.assert_one_error_line("cannot ");
}
