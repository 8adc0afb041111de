//! Runs every binary of examples-process as a real process and checks what its lesson promises.
//! `cargo test -p examples-process pooled_processing::` runs one binary's tests.

use harness::{bin, numbers, shape};

/// Unix: runs `path` with its stdout a pipe that the test closes, as `| head -N` does, once
/// `enough` says so of the lines read so far. Returns those lines, how the program ended, and
/// which of the PIDs `watch` picks out of the lines were still alive the moment it ended.
#[cfg(unix)]
mod closed_stdout {
    use std::io::{BufRead, BufReader, Read};
    use std::os::unix::process::CommandExt;
    use std::process::{Child, Command, ExitStatus, Stdio};
    use std::time::{Duration, Instant};

    pub struct Ended {
        pub lines: Vec<String>,
        pub status: ExitStatus,
        pub stderr: String,
        /// PIDs from `watch` that were still running when the program had exited.
        pub left_behind: Vec<u32>,
    }

    /// Kills the whole process group on the way out, whatever happens in the test.
    struct Group(Child);
    impl Drop for Group {
        fn drop(&mut self) {
            let group = nix::unistd::Pid::from_raw(self.0.id() as i32);
            let _ = nix::sys::signal::killpg(group, nix::sys::signal::SIGKILL);
            let _ = self.0.wait();
        }
    }

    pub fn run(
        path: &str,
        time_scale: &str,
        enough: impl Fn(&[String]) -> bool,
        watch: impl Fn(&str) -> Option<u32>,
    ) -> Ended {
        let child = Command::new(path)
            .env(harness::TIME_SCALE_VAR, time_scale)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .expect("start the program");
        let mut group = Group(child);
        let mut stdout = BufReader::new(group.0.stdout.take().expect("piped"));
        let mut lines = Vec::new();
        while !enough(&lines) {
            let mut line = String::new();
            let read = stdout.read_line(&mut line).expect("read stdout");
            assert!(read > 0, "stdout ended early: {lines:?}");
            lines.push(line.trim_end().to_string());
        }
        drop(stdout); // the reader has gone: the program's next write fails
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = group.0.try_wait().expect("wait") {
                break status;
            }
            assert!(Instant::now() < deadline, "did not end: {lines:?}");
            std::thread::sleep(Duration::from_millis(5));
        };
        // At once, without the grace that harness::assert_all_gone gives.
        let left_behind = lines
            .iter()
            .filter_map(|l| watch(l))
            .filter(|&pid| harness::process_alive(pid))
            .collect();
        let mut stderr_pipe = group.0.stderr.take().expect("piped");
        drop(group); // kills what is left, so that stderr ends
        let mut stderr = String::new();
        let _ = stderr_pipe.read_to_string(&mut stderr);
        Ended {
            lines,
            status,
            stderr,
            left_behind,
        }
    }
}

/// fork returns twice: the parent and its child are two processes that know each other's PID,
/// and the parent waits for (reaps) its child.
#[cfg(unix)]
mod fork {
    use super::*;

    fn run_once() {
        let out = bin(env!("CARGO_BIN_EXE_fork")).run();
        out.assert_success();
        let lines = out.lines();
        assert_eq!(lines.len(), 4, "{out}");
        assert_eq!(shape(lines[0]), "Process (#) start...");
        let parent = numbers(lines[0])[0];
        let said_by_parent = lines[1..3]
            .iter()
            .find(|l| l.starts_with("I ("))
            .expect("the parent's line");
        let child = numbers(said_by_parent)[1];
        assert_eq!(
            *said_by_parent,
            format!("I ({parent}) just created a child process ({child}).")
        );
        let said_by_child = format!("I am child process ({child}) and my parent is {parent}.");
        assert!(lines[1..3].contains(&said_by_child.as_str()), "{out}");
        assert_ne!(parent, child);
        // Only a parent that waited knows how its child ended, and only after the child's line.
        assert_eq!(
            lines[3],
            format!("Child process ({child}) exited with status 0."),
            "the parent must wait for its child\n{out}"
        );
    }

    #[test]
    fn parent_and_child_know_each_other_and_the_parent_waits() {
        for _ in 0..3 {
            run_once();
        }
    }

    #[test]
    fn a_closed_stdout_ends_quietly() {
        let ended = closed_stdout::run(
            env!("CARGO_BIN_EXE_fork"),
            "0",
            |lines| !lines.is_empty(),
            |_| None,
        );
        // 141, or 0 if it finished before the test closed the pipe: never an `error:`.
        assert!(
            matches!(ended.status.code(), Some(0 | 141)),
            "{:?}",
            ended.status
        );
        assert_eq!(ended.stderr, "");
    }
}

/// multi_processing runs run_proc("test") in another process (this program started again), and
/// the parent waits for it before it says "Child process end.".
mod multi_processing {
    use super::*;

    #[test]
    fn run_proc_runs_in_another_process_and_the_parent_waits() {
        for _ in 0..3 {
            let out = bin(env!("CARGO_BIN_EXE_multi_processing")).run();
            out.assert_success();
            let lines = out.lines();
            let shapes: Vec<String> = lines.iter().map(|l| shape(l)).collect();
            assert_eq!(
                shapes,
                [
                    "Parent process #.",
                    "Child process will start.",
                    "Run child process test (#)...",
                    "Child process end.",
                ],
                "{out}"
            );
            let (parent, child) = (numbers(lines[0])[0], numbers(lines[2])[0]);
            assert_ne!(parent, child, "the child must be another process");
        }
    }

    #[test]
    fn the_child_flag_takes_one_name_and_nothing_more() {
        let path = env!("CARGO_BIN_EXE_multi_processing");
        bin(path)
            .args(["--child", "x", "y"])
            .run()
            .assert_usage_error();
        bin(path).arg("--child").run().assert_usage_error();
    }

    #[cfg(unix)]
    #[test]
    fn a_closed_stdout_ends_quietly_not_as_a_failed_child() {
        // Closed after two lines: the next write is the child's, unless the program has
        // finished before the test closes the pipe (then it exits 0).
        let mut closed_on_the_child = 0;
        for _ in 0..5 {
            let ended = closed_stdout::run(
                env!("CARGO_BIN_EXE_multi_processing"),
                "0",
                |lines| lines.len() == 2,
                |_| None,
            );
            assert_eq!(ended.stderr, "", "{:?}", ended.status);
            match ended.status.code() {
                Some(141) => closed_on_the_child += 1,
                Some(0) => {}
                other => panic!("exit status {other:?}"),
            }
        }
        assert!(closed_on_the_child > 0, "the program always finished first");
    }
}

/// pooled_processing: Pool(4) is four worker processes (none of them the parent) that run the
/// five tasks, never more than four at once; task 4 waits for a free worker and runs in its
/// process; join() returns after every task has ended; no worker outlives the parent.
mod pooled_processing {
    use super::*;
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
}

/// subprocess: call() runs a child that shares our stdout and gives back its exit code;
/// Popen + communicate() sends the child input through a pipe and collects its stdout, stderr
/// and exit code.
mod subprocess {
    use super::*;

    const SUBPROCESS: &str = env!("CARGO_BIN_EXE_subprocess");

    #[test]
    fn calls_then_communicates() {
        let out = bin(SUBPROCESS).run();
        out.assert_success();
        assert_eq!(
            out.lines(),
            [
                "$ subprocess calc 1 + 2",
                "1 + 2 = 3",
                "Exit code: 0",
                "$ subprocess calc",
                "6 * 7 = 42",
                "1 / 0: cannot divide by zero",
                "Exit code: 1",
            ],
            "{out}"
        );
        assert_eq!(out.stderr, "", "the child's stderr is a pipe to the parent");
    }

    #[test]
    fn the_calculator_answers_and_says_what_it_cannot() {
        let out = bin(SUBPROCESS).args(["calc", "2", "*", "21"]).run();
        out.assert_success();
        assert_eq!(out.stdout, "2 * 21 = 42\n");
        let out = bin(SUBPROCESS)
            .arg("calc")
            .stdin("5 - 7\n1 / 0\n2 ^ 10\nexit\n9 + 9\n")
            .run();
        out.assert_code(1);
        assert_eq!(out.stdout, "5 - 7 = -2\n", "nothing after `exit`");
        assert_eq!(
            out.stderr,
            "1 / 0: cannot divide by zero\n2 ^ 10: \"^\" is not an operator: use + - * /\n"
        );
    }

    #[test]
    fn refuses_what_it_does_not_take() {
        for args in [&["foo"][..], &["calc", "--x"], &["--call", "ls"]] {
            bin(SUBPROCESS).args(args).run().assert_usage_error();
        }
    }
}

/// crash_isolation: a crashing child process leaves its parent alive; a panicking thread comes
/// back as an error from join(); an aborting thread takes its whole process down.
mod crash_isolation {
    use super::*;

    #[test]
    fn shows_what_survives_what() {
        let out = bin(env!("CARGO_BIN_EXE_crash_isolation")).run();
        out.assert_success();
        let lines = out.lines();
        let shapes: Vec<String> = lines.iter().map(|l| shape(l)).collect();
        let crashed = if cfg!(unix) {
            "child process # was killed by signal # (SIGABRT)"
        } else {
            "child process # crashed with status #xC#" // 0xC0000409
        };
        assert_eq!(
            shapes,
            [
                "#. A child process crashes.",
                crashed,
                "the parent process # lives on.",
                "#. A thread panics.",
                "the thread panicked: \"something went wrong in the worker thread\"",
                "join() returned the panic as an error; process # lives on.",
                "#. A thread aborts, inside a child process.",
                "process #: the main thread waits for its worker thread...",
                crashed,
                "the abort of one thread took its whole process down, main thread and all.",
            ],
            "{out}"
        );
        let parent = numbers(lines[2])[0];
        assert_eq!(
            numbers(lines[5])[0],
            parent,
            "the panic left the process alive"
        );
        let child = numbers(lines[7])[0];
        assert_eq!(numbers(lines[8])[0], child);
        assert_ne!(child, parent);
        assert_ne!(numbers(lines[1])[0], parent);
        #[cfg(unix)]
        harness::assert_all_gone(&[numbers(lines[1])[0] as u32, child as u32]);
    }
}

/// spawn_cost: creating a thread, a forked process (Unix) and a new program, each timed; then N
/// processes (Unix) and N threads alive at once, with their memory.
mod spawn_cost {
    use super::*;

    const SPAWN_COST: &str = env!("CARGO_BIN_EXE_spawn_cost");

    #[test]
    fn measures_threads_processes_and_programs() {
        let out = bin(SPAWN_COST)
            .args(["--samples", "5", "--count", "20"])
            .run();
        out.assert_success();
        let lines = out.lines();
        let shapes: Vec<String> = lines.iter().map(|l| shape(l)).collect();
        assert_eq!(
            shapes[0],
            "Creating one and waiting for it to end, # samples each after a warm-up:"
        );
        let rows: &[&str] = if cfg!(unix) {
            &["thread", "process", "new program"]
        } else {
            &["thread", "new program"]
        };
        let n = rows.len();
        for (line, label) in shapes[1..=n].iter().zip(rows) {
            assert!(line.trim_start().starts_with(label), "{out}");
            assert!(line.ends_with(", # samples)"), "{out}");
        }
        for line in &lines[1..=n] {
            assert_eq!(numbers(line).last(), Some(&5), "5 samples: {line}");
        }
        let ratios = if cfg!(unix) {
            "a process costs #x a thread; a new program #x."
        } else {
            "no fork on this system; a new program #x."
        };
        assert_eq!(shapes[n + 1].trim(), ratios, "{out}");
        assert_eq!(lines[n + 2], "20 at once:");
        let at_once: &[&str] = if cfg!(unix) {
            &["20 processes forked in ", "20 threads started in "]
        } else {
            &["20 threads started in "]
        };
        assert_eq!(lines.len(), n + 3 + at_once.len(), "{out}");
        for (line, start) in lines[n + 3..].iter().zip(at_once) {
            assert!(line.trim().starts_with(start), "{out}");
            if cfg!(target_os = "linux") {
                assert!(shape(line).contains("MiB (# KiB each)"), "{out}");
            }
        }
    }

    /// Seconds in a duration as `shared::bench::human` prints it: `37.2 µs`, `1.52 ms`.
    fn seconds(value: &str, unit: &str) -> f64 {
        let scale = match unit.trim_end_matches([',', ')']) {
            "ns" => 1e-9,
            "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            other => panic!("unit {other:?}"),
        };
        value.parse::<f64>().unwrap() * scale
    }

    /// The lesson's order: a thread < a forked process < a new program, each at least twice the one
    /// before. Compared by the fastest
    /// of 50 samples each, which a loaded machine barely moves (measured under two busy loops on
    /// 2 cores, debug build: 37-57 µs, 175-229 µs, 0.77-2.7 ms); medians of a few samples swap.
    #[test]
    fn a_process_costs_more_than_a_thread_and_a_program_more_again() {
        let out = bin(SPAWN_COST)
            .args(["--samples", "50", "--count", "1"])
            .run();
        out.assert_success();
        let fastest: Vec<f64> = out.lines()[1..]
            .iter()
            .filter_map(|l| l.split_once("(min ").map(|(_, rest)| rest))
            .map(|rest| {
                let words: Vec<&str> = rest.split_whitespace().collect();
                seconds(words[0], words[1])
            })
            .collect();
        let rows = if cfg!(unix) { 3 } else { 2 };
        assert_eq!(fastest.len(), rows, "{out}");
        for pair in fastest.windows(2) {
            // Each costs several times the one before (3x and more in those runs); the same
            // thing timed twice gives two minima within 2x of each other.
            assert!(
                2.0 * pair[0] < pair[1],
                "thread < process < new program, each 2x:\n{out}"
            );
        }
    }

    /// `--vs-python` (issue 13): the same rows in python3, beside ours.
    #[test]
    fn compares_with_python() {
        if !harness::python3_present("spawn_cost::compares_with_python") {
            return;
        }
        let out = bin(SPAWN_COST)
            .args(["--samples", "3", "--count", "5", "--vs-python"])
            .run();
        out.assert_success();
        let lines = out.lines();
        let at = lines
            .iter()
            .position(|l| l.starts_with("Python on the same machine, Python 3."));
        let at = at.unwrap_or_else(|| panic!("no Python heading\n{out}"));
        let rows: &[&str] = if cfg!(unix) {
            &["thread", "fork", "program / spawn"]
        } else {
            &["thread", "program / spawn"]
        };
        for (line, label) in lines[at + 1..].iter().zip(rows) {
            let rest = line
                .trim_start()
                .strip_prefix(label)
                .unwrap_or_else(|| panic!("{out}"));
            let words: Vec<&str> = rest.split_whitespace().collect();
            assert_eq!(words[0], "Rust", "{out}");
            assert!(
                words.contains(&"Python") && words.contains(&"Python/Rust"),
                "{out}"
            );
        }
        assert_eq!(lines[at + 1 + rows.len()], "5 at once:", "{out}");
    }

    #[test]
    fn without_python_shows_the_rust_side_alone() {
        let out = bin(SPAWN_COST)
            .args(["--samples", "2", "--count", "3", "--vs-python"])
            .env("PATH", "")
            .run();
        out.assert_success();
        let lines = out.lines();
        let missing = lines.iter().filter(|l| l.starts_with("python3")).count();
        assert_eq!(missing, 1, "{out}");
        assert!(lines.contains(&"3 at once:"), "{out}");
    }

    /// The header's Try: `--count 10000` gets (or says it was refused) 10000 of each, a process
    /// costing more memory than a thread.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_try_ten_thousand_of_each() {
        let out = bin(SPAWN_COST)
            .args(["--samples", "5", "--count", "10000"])
            .timeout(std::time::Duration::from_secs(300))
            .run();
        out.assert_success();
        let lines = out.lines();
        let each = |what: &str| -> u64 {
            let line = lines
                .iter()
                .find(|l| l.contains(what))
                .unwrap_or_else(|| panic!("no line with {what:?}\n{out}"));
            if !out.stdout.contains("the system refused") {
                assert!(line.starts_with("  10000 "), "{out}");
            }
            numbers(line.rsplit('(').next().unwrap_or(""))[0]
        };
        let (process, thread) = (each(" processes forked in "), each(" threads started in "));
        assert!(
            process > thread,
            "a process {process} KiB, a thread {thread} KiB\n{out}"
        );
    }

    #[test]
    fn every_count_has_a_ceiling() {
        for args in [
            ["--count", "0"],
            ["--count", "20001"],
            ["--samples", "100001"],
        ] {
            bin(SPAWN_COST).args(args).run().assert_usage_error();
        }
    }
}

/// When the system refuses a new process or thread (RLIMIT_NPROC, as `ulimit -u` sets it),
/// memory (RLIMIT_AS, `ulimit -v`) or a file descriptor (RLIMIT_NOFILE, `ulimit -n`): one
/// `error:` line and exit 1, or, for spawn_cost's `--count`, a measurement of what it got;
/// never a panic, never a hang.
#[cfg(target_os = "linux")]
mod refused {
    use harness::bin;
    use harness::limits::Resource::{RLIMIT_AS, RLIMIT_NOFILE, RLIMIT_NPROC};

    #[test]
    fn no_new_process_at_all() {
        for (name, path, wanted) in [
            ("fork", env!("CARGO_BIN_EXE_fork"), "fork failed: "),
            (
                "multi_processing",
                env!("CARGO_BIN_EXE_multi_processing"),
                "cannot start the child process: ",
            ),
            (
                "pooled_processing",
                env!("CARGO_BIN_EXE_pooled_processing"),
                "cannot start a worker process: ",
            ),
            (
                "subprocess",
                env!("CARGO_BIN_EXE_subprocess"),
                "cannot start the child: ",
            ),
            (
                "crash_isolation",
                env!("CARGO_BIN_EXE_crash_isolation"),
                "cannot start a child process: ",
            ),
            (
                "spawn_cost",
                env!("CARGO_BIN_EXE_spawn_cost"),
                "the system refused a thread: ",
            ),
        ] {
            let args: &[&str] = if name == "spawn_cost" {
                &["--samples", "2", "--count", "5"]
            } else {
                &[]
            };
            let out = bin(path).args(args).limit(RLIMIT_NPROC, 1).run();
            out.assert_one_error_line(wanted);
            assert!(
                out.stderr.contains("Resource temporarily unavailable"),
                "{out}"
            );
        }
    }

    /// Room for the four workers, not for the pool's threads; 10 MB of address space; two
    /// file descriptors besides the standard three: one line each.
    #[test]
    fn no_thread_memory_or_pipe_for_the_pool() {
        let pool = env!("CARGO_BIN_EXE_pooled_processing");
        let out = bin(pool).limit(RLIMIT_NPROC, 6).run();
        out.assert_one_error_line("cannot start ");
        let out = bin(pool).limit(RLIMIT_AS, 10_000_000).run();
        out.assert_one_error_line("cannot start ");
        for path in [pool, env!("CARGO_BIN_EXE_spawn_cost")] {
            let out = bin(path).limit(RLIMIT_NOFILE, 4).run();
            out.assert_one_error_line("cannot ");
        }
    }

    /// Room for the timed samples (one child or thread at a time, and one more that may still
    /// be on its way out: a joined thread is not gone from the kernel's count at once), not for
    /// `--count 50`: the program measures the two processes and the two threads it got, and says
    /// the rest was refused.
    #[test]
    fn spawn_cost_count_measures_what_it_got() {
        if !harness::limits::is_root() {
            // Every process of this user counts, so the room cannot be set to exactly one more.
            println!("skipped: needs root, to run the program as a user of its own");
            return;
        }
        let args = ["--samples", "2", "--count", "50"];
        let out = bin(env!("CARGO_BIN_EXE_spawn_cost"))
            .args(args)
            .limit(RLIMIT_NPROC, 3)
            .run();
        out.assert_success();
        let refused = "  (the system refused number 3 of 50: Resource temporarily unavailable (os error 11); measured the 2 it gave)";
        let lines = out.lines();
        let at = lines
            .iter()
            .position(|l| *l == "50 at once:")
            .unwrap_or_else(|| panic!("{out}"));
        let what = ["processes forked in ", "threads started in "];
        assert_eq!(lines.len(), at + 1 + 2 * what.len(), "{out}");
        for (pair, what) in lines[at + 1..].chunks(2).zip(what) {
            assert!(pair[0].starts_with(&format!("  2 {what}")), "{out}");
            assert_eq!(pair[1], refused, "{out}");
        }
    }
}

#[test]
fn every_binary_takes_help_and_refuses_what_it_does_not_know() {
    #[cfg(unix)]
    harness::assert_takes_help_and_refuses_unknown_options(env!("CARGO_BIN_EXE_fork"));
    for path in [
        env!("CARGO_BIN_EXE_multi_processing"),
        env!("CARGO_BIN_EXE_pooled_processing"),
        env!("CARGO_BIN_EXE_subprocess"),
        env!("CARGO_BIN_EXE_crash_isolation"),
        env!("CARGO_BIN_EXE_spawn_cost"),
    ] {
        harness::assert_takes_help_and_refuses_unknown_options(path);
    }
}

#[cfg(not(unix))]
#[test]
fn fork_says_it_is_unix_only() {
    let out = bin(env!("CARGO_BIN_EXE_fork")).run();
    out.assert_code(1);
    assert!(
        out.stderr
            .starts_with("error: this example runs only on Unix"),
        "{out}"
    );
}

/// Every output a header shows is what a real run prints (what varies, redacted).
#[test]
fn every_header_output_is_what_a_run_prints() {
    #[cfg(unix)]
    harness::check_headers!(fork);
    harness::check_headers!(
        multi_processing,
        pooled_processing,
        subprocess,
        crash_isolation,
        spawn_cost
    );
    let readme = include_str!("../../README.md");
    harness::expected::check_readme(
        readme,
        "pooled_processing",
        env!("CARGO_BIN_EXE_pooled_processing"),
    );
}
