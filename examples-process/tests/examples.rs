//! Runs every binary of examples-process as a real process and checks what the lesson promises.

use harness::{bin, numbers, shape};
use std::collections::BTreeSet;

#[cfg(unix)]
use harness::assert_all_gone;

#[cfg(unix)]
#[test]
fn fork_parent_and_child_know_each_other_and_the_child_is_reaped() {
    let out = bin(env!("CARGO_BIN_EXE_fork")).run();
    out.assert_success();
    let lines = out.lines();
    assert_eq!(lines.len(), 3, "{out}");
    let parent = numbers(lines[0]);
    assert_eq!(shape(lines[0]), "Process (#) start...");
    let parent = parent[0];
    let said_by_parent = lines[1..]
        .iter()
        .find(|l| l.starts_with("I ("))
        .expect("the parent's line");
    let child = numbers(said_by_parent)[1];
    assert_eq!(
        *said_by_parent,
        format!("I ({parent}) just created a child process ({child}).")
    );
    assert!(
        lines[1..]
            .contains(&format!("I am child process ({child}) and my parent is {parent}.").as_str()),
        "{out}"
    );
    assert_ne!(parent, child);
    assert_all_gone(&[child as u32]);
}

#[test]
fn multi_processing_runs_run_proc_in_another_process() {
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
        ]
    );
    let (parent, child) = (numbers(lines[0])[0], numbers(lines[2])[0]);
    assert_ne!(parent, child, "the child must be another process");
    #[cfg(unix)]
    assert_all_gone(&[child as u32]);
}

/// Checks a run of `pooled_processing` with `processes` workers and `tasks` tasks; returns the
/// worker PIDs.
fn check_pool_run(stdout: &str, processes: usize, tasks: u64) -> BTreeSet<u64> {
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(shape(lines[0]), "Parent process #.", "{stdout}");
    assert_eq!(lines[1], "Waiting for all subprocesses done...");
    assert_eq!(lines.last(), Some(&"All subprocesses done."));
    let mut running = BTreeSet::new(); // tasks started and not yet ended
    let mut busy_pids = BTreeSet::new();
    let mut pids = BTreeSet::new();
    let mut started = BTreeSet::new();
    let mut ended = BTreeSet::new();
    let mut pid_of = std::collections::BTreeMap::new();
    for line in &lines[2..lines.len() - 1] {
        match (shape(line).as_str(), &numbers(line)[..]) {
            ("Run task # (#)...", &[task, pid]) => {
                // A task starts in a worker that is not busy, and only when fewer than
                // `processes` tasks run: the later tasks wait for an earlier one to end.
                assert!(
                    running.len() < processes,
                    "too many at once at {line:?}:\n{stdout}"
                );
                assert!(
                    busy_pids.insert(pid),
                    "{pid} runs two tasks at once:\n{stdout}"
                );
                assert!(started.insert(task), "task {task} started twice:\n{stdout}");
                running.insert(task);
                pids.insert(pid);
                pid_of.insert(task, pid);
            }
            ("Task # runs # seconds.", &[task, _, _]) => {
                assert!(
                    running.remove(&task),
                    "task {task} ended before it started:\n{stdout}"
                );
                busy_pids.remove(&pid_of[&task]);
                ended.insert(task);
            }
            _ => panic!("unexpected line {line:?}:\n{stdout}"),
        }
    }
    let all: BTreeSet<u64> = (0..tasks).collect();
    assert_eq!(started, all, "{stdout}");
    assert_eq!(ended, all, "{stdout}");
    assert_eq!(
        pids.len(),
        processes.min(tasks as usize),
        "worker PIDs:\n{stdout}"
    );
    pids
}

#[test]
fn pooled_processing_runs_five_tasks_on_four_worker_processes() {
    // The tutorial's sleeps shortened a hundredfold, so that tasks overlap as in the tutorial.
    for _ in 0..20 {
        let out = bin(env!("CARGO_BIN_EXE_pooled_processing"))
            .env("TUTORIAL_TIME_SCALE", "0.01")
            .run();
        out.assert_success();
        let pids = check_pool_run(&out.stdout, 4, 5);
        // Task 4 reuses one of the four workers.
        let task4 = out
            .lines()
            .into_iter()
            .find(|l| l.starts_with("Run task 4 "))
            .unwrap();
        assert!(pids.contains(&numbers(task4)[1]), "{out}");
        #[cfg(unix)]
        assert_all_gone(&pids.iter().map(|&p| p as u32).collect::<Vec<_>>());
    }
}

#[test]
fn pooled_processing_pool_size_is_an_option() {
    let out = bin(env!("CARGO_BIN_EXE_pooled_processing"))
        .args(["--processes", "5"])
        .run();
    out.assert_success();
    check_pool_run(&out.stdout, 5, 5);
    let out = bin(env!("CARGO_BIN_EXE_pooled_processing"))
        .args(["--processes", "2", "--tasks", "9"])
        .run();
    out.assert_success();
    check_pool_run(&out.stdout, 2, 9);
    for bad in ["0", "many", "1000"] {
        bin(env!("CARGO_BIN_EXE_pooled_processing"))
            .args(["--processes", bad])
            .run()
            .assert_usage_error();
    }
}

#[cfg(unix)]
#[test]
fn pooled_processing_leaves_no_worker_behind_when_one_is_killed() {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    // Tasks now sleep up to 300 s: they are all still running when one worker is killed.
    let mut running = bin(env!("CARGO_BIN_EXE_pooled_processing"))
        .env("TUTORIAL_TIME_SCALE", "100")
        .spawn();
    let mut pids = Vec::new();
    while pids.len() < 4 {
        let line = running.wait_for_line(|l| l.starts_with("Run task "));
        pids.push(numbers(&line)[1] as u32);
    }
    kill(Pid::from_raw(pids[2] as i32), Signal::SIGKILL).expect("kill a worker");
    let out = running.finish();
    out.assert_code(1);
    assert!(out.stderr.starts_with("error: a worker"), "{out}");
    assert!(!out.stdout.contains("All subprocesses done."), "{out}");
    assert_all_gone(&pids);
}

#[test]
fn subprocess_calls_then_communicates() {
    let out = bin(env!("CARGO_BIN_EXE_subprocess")).run();
    out.assert_success();
    let lines = out.lines();
    assert_eq!(lines[0], "$ cargo --version");
    assert!(lines[1].starts_with("cargo "), "{out}");
    assert_eq!(
        lines[2..],
        [
            "Exit code: 0",
            "$ subprocess --calculator",
            "1 + 2 = 3",
            "6 * 7 = 42",
            "[stderr] cannot compute \"2 ^ 10\": use + - * /",
            "Exit code: 1",
        ]
    );
}

#[cfg(unix)]
#[test]
fn subprocess_runs_the_readers_own_commands() {
    let out = bin(env!("CARGO_BIN_EXE_subprocess"))
        .args([
            "--call",
            "false",
            "--communicate",
            "sort",
            "--input",
            "b\\na\\n",
        ])
        .run();
    out.assert_success();
    assert_eq!(
        out.lines(),
        [
            "$ false",
            "Exit code: 1",
            "$ sort",
            "a",
            "b",
            "Exit code: 0"
        ]
    );
}

#[test]
fn subprocess_reports_a_missing_command_in_one_line() {
    for args in [
        ["--call", "no-such-command-for-this-test"],
        ["--communicate", "no-such-command-for-this-test"],
    ] {
        let out = bin(env!("CARGO_BIN_EXE_subprocess")).args(args).run();
        out.assert_code(1);
        assert_eq!(out.stderr.lines().count(), 1, "{out}");
        assert!(
            out.stderr
                .starts_with("error: cannot run `no-such-command-for-this-test`"),
            "{out}"
        );
    }
    bin(env!("CARGO_BIN_EXE_subprocess"))
        .args(["--call", " "])
        .run()
        .assert_usage_error();
}

#[test]
fn crash_isolation_shows_what_survives_what() {
    let out = bin(env!("CARGO_BIN_EXE_crash_isolation")).run();
    out.assert_success();
    let lines = out.lines();
    let shapes: Vec<String> = lines.iter().map(|l| shape(l)).collect();
    let crashed = if cfg!(unix) {
        "child process # crashed: killed by signal # (SIGABRT)"
    } else {
        "child process # crashed: exit code: #"
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
        ]
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
    #[cfg(unix)]
    assert_all_gone(&[numbers(lines[1])[0] as u32, child as u32]);
}

#[cfg(unix)]
#[test]
fn spawn_cost_measures_threads_processes_and_programs() {
    let out = bin(env!("CARGO_BIN_EXE_spawn_cost"))
        .args(["--samples", "5", "--count", "20"])
        .run();
    out.assert_success();
    let shapes: Vec<String> = out.lines().iter().map(|l| shape(l)).collect();
    assert_eq!(
        shapes[0],
        "Creating one and waiting for it to end, # samples each after a warm-up:"
    );
    for (line, label) in shapes[1..4]
        .iter()
        .zip(["thread", "process", "new program"])
    {
        assert!(line.trim_start().starts_with(label), "{out}");
        assert!(line.ends_with(", # samples)"), "{out}");
    }
    assert_eq!(
        shapes[4].trim(),
        "a process costs #x a thread; a new program #x."
    );
    assert_eq!(shapes[5], "# at once:");
    assert!(
        shapes[6].trim().starts_with("# processes forked in "),
        "{out}"
    );
    assert!(
        shapes[7].trim().starts_with("# threads started in "),
        "{out}"
    );
    for line in &shapes[6..8] {
        assert!(line.contains("MiB (# KiB each)"), "{out}");
    }
    assert_eq!(numbers(out.lines()[6])[0], 20);
}

#[test]
fn every_binary_takes_help_and_refuses_what_it_does_not_know() {
    for path in [
        env!("CARGO_BIN_EXE_fork"),
        env!("CARGO_BIN_EXE_multi_processing"),
        env!("CARGO_BIN_EXE_pooled_processing"),
        env!("CARGO_BIN_EXE_subprocess"),
        env!("CARGO_BIN_EXE_crash_isolation"),
        env!("CARGO_BIN_EXE_spawn_cost"),
    ] {
        harness::assert_takes_help_and_refuses_unknown_options(path);
    }
}
