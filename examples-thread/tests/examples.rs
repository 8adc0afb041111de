//! Runs every binary of examples-thread as a real process and checks what its lesson promises.
//! One module per binary (`cargo test -p examples-thread lock::`); each module's doc comment
//! names the lesson that its tests guard.

use harness::{Output, bin, numbers};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Tests that measure CPU time or need two threads to really run at once take this lock, so
/// that they do not load the machine for each other.
fn cpu_to_myself() -> MutexGuard<'static, ()> {
    static CPU: Mutex<()> = Mutex::new(());
    CPU.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// What two busy threads of this test get from the machine right now: % CPU, as `multicore`
/// measures it (200 when two cores are free, 100 or less when they must take turns).
fn two_threads_here() -> f64 {
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let mut x = 0u64;
                while examples_thread::thread_cpu_time() < Duration::from_millis(200) {
                    for _ in 0..10_000 {
                        x = std::hint::black_box(x ^ 1);
                    }
                }
            });
        }
    });
    100.0 * 0.4 / start.elapsed().as_secs_f64()
}

/// Runs `attempt` up to five times; it says whether the lesson showed, and its figure. Other
/// programs holding the cores can hide a lesson of threads running side by side, so a run where
/// it did not show counts against it only if two threads of this test get two free cores right
/// after: two such runs fail the test (`failed` says what went wrong); fewer say on stderr that
/// the machine was too busy.
fn shows_on_free_cores(failed: &str, mut attempt: impl FnMut() -> (bool, f64)) {
    let mut runs = Vec::new();
    for _ in 0..5 {
        let (shows, figure) = attempt();
        if shows {
            return;
        }
        runs.push((figure, two_threads_here()));
    }
    let free = runs.iter().filter(|(_, here)| *here >= 160.0).count();
    assert!(
        free < 2,
        "{failed}, though the machine had 2 free cores: (figure, this test's 2 threads %) {runs:?}"
    );
    eprintln!("skipped: the machine is too busy to run two threads side by side: {runs:?}");
}

/// The spans of the `--timeline` listing after the lesson's output, which is returned too.
fn timeline_of(out: &Output) -> (&str, Vec<shared::timeline::Span>) {
    out.assert_success();
    let (lesson, chart) = out
        .stdout
        .split_once("\n\ntimeline: ")
        .unwrap_or_else(|| panic!("no chart after a blank line\n{out}"));
    let listing = harness::timeline::parse_listing(chart).unwrap_or_else(|e| panic!("{e}\n{out}"));
    assert_eq!(
        harness::timeline::overlap_in_lane(&listing.spans),
        None,
        "two bars of one lane overlap\n{out}"
    );
    (lesson, listing.spans)
}

/// Fails unless every argument list is refused with a usage error.
fn assert_refused(path: &str, bad: &[&[&str]]) {
    for args in bad {
        let out = bin(path).args(*args).run();
        out.assert_usage_error();
        assert!(out.stdout.is_empty(), "{args:?}\n{out}");
    }
}

/// The number after `before` in `line`, up to the next space: `value_after("x = 1.5 s", "x = ")`.
fn value_after(line: &str, before: &str) -> f64 {
    line.split(before)
        .nth(1)
        .and_then(|rest| rest.split([' ', ',']).next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no number after {before:?} in {line:?}"))
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
        env!("CARGO_BIN_EXE_context_switch"),
    ] {
        harness::assert_takes_help_and_refuses_unknown_options(path);
        bin(path).arg("extra").run().assert_usage_error();
    }
}

/// The main thread starts a named thread and waits for it in `join`, so `thread main ended.`
/// comes last; the tutorial's one-second sleeps follow `TUTORIAL_TIME_SCALE`.
mod multi_threading {
    use super::*;

    const PATH: &str = env!("CARGO_BIN_EXE_multi_threading");

    #[test]
    fn prints_the_tutorial_lines_in_order() {
        let out = bin(PATH).run();
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
        // Five sleeps of 1 s: 0.5 s at a scale of 0.1, and 5 s if the scale were ignored.
        let start = Instant::now();
        bin(PATH)
            .env("TUTORIAL_TIME_SCALE", "0.1")
            .run()
            .assert_success();
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(500), "took {took:?}");
        assert!(took < Duration::from_millis(3000), "took {took:?}");
    }

    #[test]
    fn a_bad_time_scale_is_a_usage_error() {
        for bad in ["fast", "-1", "NaN", "1e9", ""] {
            let out = bin(PATH).env("TUTORIAL_TIME_SCALE", bad).run();
            out.assert_usage_error();
            assert!(out.stderr.contains("TUTORIAL_TIME_SCALE"), "{out}");
            assert!(out.stdout.is_empty(), "{out}");
        }
    }
}

/// A lock held around the whole change keeps two threads from losing each other's updates:
/// the balance is 0 on every run.
mod lock {
    use super::*;

    const PATH: &str = env!("CARGO_BIN_EXE_lock");

    #[test]
    fn keeps_the_balance_at_zero() {
        let _cpu = cpu_to_myself();
        // Its threads start together at a barrier; a few runs make a racy version fail surely.
        for _ in 0..5 {
            let out = bin(PATH).run();
            out.assert_success();
            assert_eq!(out.stdout, "0\n");
        }
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

    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_disk_is_an_error_not_a_closed_pipe() {
        let full = std::fs::File::create("/dev/full").expect("open /dev/full");
        let out = std::process::Command::new(PATH)
            .stdout(full)
            .output()
            .expect("run lock");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.starts_with("error: cannot write to stdout") && stderr.lines().count() == 1,
            "{stderr}"
        );
    }
}

/// Two threads that read, then write, one shared balance lose each other's changes; an atomic
/// read-modify-write (`fetch_add`) or a lock loses none. Safe Rust refuses the tutorial's code.
mod lost_update {
    use super::*;

    const PATH: &str = env!("CARGO_BIN_EXE_lost_update");

    /// The balance and the lost changes on the line that starts with `label`, checked against
    /// the number of changes made.
    fn balance_and_lost(out: &Output, label: &str, times: u64) -> (i64, u64) {
        let line = out
            .lines()
            .into_iter()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("no line for {label:?}\n{out}"));
        let balance = value_after(line, "balance = ") as i64;
        let [lost, of] = numbers(line.split("lost = ").nth(1).expect("lost count"))[..] else {
            panic!("no `lost = X of Y` in {line:?}");
        };
        assert_eq!(of, 2 * times, "{line}");
        assert!(lost <= of, "{line}");
        (balance, lost)
    }

    fn run(times: u64) -> Output {
        let out = bin(PATH).args(["--times", &times.to_string()]).run();
        out.assert_success();
        assert_eq!(
            out.lines()[0],
            format!("Two threads run change_it(5) and change_it(8), {times} times each.")
        );
        out
    }

    #[test]
    fn the_atomic_and_the_locked_versions_lose_nothing() {
        let out = run(200_000);
        assert_eq!(
            balance_and_lost(&out, "fetch_add (atomic)", 200_000),
            (0, 0)
        );
        assert_eq!(balance_and_lost(&out, "Mutex (lock)", 200_000), (0, 0));
    }

    /// On every run, on one core as on all of them, the racy row reports lost changes. (The
    /// change counter only goes up, so its lost updates cannot cancel out, as a balance's can.)
    #[test]
    fn the_racy_version_loses_changes_on_every_run() {
        let times = 200_000;
        for one_core in [false, true] {
            for _ in 0..5 {
                let cmd = bin(PATH).args(["--times", &times.to_string()]);
                #[cfg(target_os = "linux")]
                let cmd = if one_core { cmd.on_one_core() } else { cmd };
                let out = cmd.run();
                out.assert_success();
                let (_, lost) = balance_and_lost(&out, "read, then write (racy)", times);
                assert!(lost > 0, "no change lost (one core: {one_core})\n{out}");
            }
        }
    }

    #[test]
    fn refuses_bad_counts() {
        assert_refused(
            PATH,
            &[
                &["--times", "0"],
                &["--times", "10000001"],
                &["--times", "99999999999"],
                &["--times", "18446744073709551615"],
                &["--times", "many"],
                &["--times"],
            ],
        );
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
}

/// Rust threads have no GIL: N busy threads each get their CPU time, and on N free cores they
/// run side by side, so the process uses about N x 100 % CPU.
mod multicore {
    use super::*;

    const PATH: &str = env!("CARGO_BIN_EXE_multicore");

    /// Runs `threads` busy threads for `seconds` of CPU each: (CPU seconds, wall seconds, % CPU).
    fn run(threads: usize, seconds: &str) -> (f64, f64, f64) {
        let out = bin(PATH)
            .args(["--threads", &threads.to_string(), "--seconds", seconds])
            .run();
        out.assert_success();
        let lines = out.lines();
        let (busy, each, on) = match threads {
            1 => ("1 busy thread".to_string(), "", "1 thread".to_string()),
            n => (format!("{n} busy threads"), " each", format!("{n} threads")),
        };
        assert_eq!(lines.len(), 2, "{out}");
        assert!(
            lines[0].ends_with(&format!(
                "available; running {busy} for {seconds} s of CPU time{each}..."
            )),
            "{out}"
        );
        assert!(lines[1].contains(&format!(" % CPU ({on} on ")), "{out}");
        let line = lines[1];
        (
            value_after(line, "CPU time "),
            value_after(line, "wall time "),
            value_after(line, " = "),
        )
    }

    #[test]
    fn by_default_one_busy_thread_per_core() {
        let out = bin(PATH).args(["--seconds", "0.01"]).run();
        out.assert_success();
        let n = cores();
        let (cores_, threads, each) = match n {
            1 => ("1 core".to_string(), "1 busy thread".to_string(), ""),
            n => (format!("{n} cores"), format!("{n} busy threads"), " each"),
        };
        assert_eq!(
            out.lines()[0],
            format!("{cores_} available; running {threads} for 0.01 s of CPU time{each}...")
        );
    }

    #[test]
    fn every_busy_thread_uses_its_cpu_time() {
        let _cpu = cpu_to_myself();
        // Each thread spins until its own CPU clock reads 0.2 s, however busy the machine:
        // two threads add up to 0.4 s, one busy thread to 0.2 s.
        let (cpu, wall, _) = run(2, "0.2");
        assert!(cpu >= 0.39, "2 threads x 0.2 s used only {cpu} s of CPU");
        assert!(wall >= 0.19, "wall time {wall}");
        let (cpu, _, percent) = run(1, "0.1");
        assert!(cpu >= 0.09, "1 thread x 0.1 s used only {cpu} s of CPU");
        assert!(
            percent <= 110.0,
            "one thread cannot use more than one core: {percent} %"
        );
    }

    #[test]
    fn busy_threads_run_side_by_side() {
        if cores() < 2 {
            eprintln!("skipped: one core, where threads can only take turns");
            return;
        }
        let _cpu = cpu_to_myself();
        // Threads that take turns (a GIL) stay at 100 %. Other programs may hold the cores for
        // a while, so each run is compared with what two threads of this test get right after.
        shows_on_free_cores("2 busy threads never above 130 % CPU", || {
            let percent = run(2, "0.2").2;
            (percent >= 130.0, percent)
        });
    }

    /// `--vs-python` (issue 13): Python's threads, under the GIL, stay near one core.
    #[test]
    fn vs_python_shows_the_gil() {
        if !harness::python3_present("multicore::vs_python_shows_the_gil") {
            return;
        }
        let _cpu = cpu_to_myself();
        shows_on_free_cores("our 2 threads never above 150 % CPU", || {
            let out = bin(PATH)
                .args(["--threads", "2", "--seconds", "0.2", "--vs-python"])
                .run();
            out.assert_success();
            let lines = out.lines();
            assert_eq!(lines.len(), 4, "{out}");
            assert!(lines[2].starts_with("Python 3."), "{out}");
            assert!(lines[2].contains(", 2 threads for "), "{out}");
            assert!(lines[3].starts_with("  CPU over wall time Rust "), "{out}");
            let rust = value_after(lines[3], "Rust ");
            let python = value_after(lines[3], "Python ");
            if lines[2].contains("GIL on") {
                assert!(
                    python < 150.0,
                    "Python threads above 150 % CPU with the GIL on\n{out}"
                );
            }
            // Ours exceed 150 % on two free cores.
            (cores() < 2 || rust > 150.0, rust)
        });
    }

    #[test]
    fn vs_python_without_python_shows_the_rust_side() {
        let out = bin(PATH)
            .args(["--threads", "1", "--seconds", "0.01", "--vs-python"])
            .env("PATH", "")
            .run();
        out.assert_success();
        assert_eq!(out.lines().len(), 3, "{out}");
        assert_eq!(
            out.lines()[2],
            "python3 not found on PATH: showing the Rust side only"
        );
    }

    /// A `python3` that fails: its error in one line, and exit 1 (issue 13).
    #[cfg(unix)]
    #[test]
    fn vs_python_with_a_failing_python_is_one_error_line() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("failing-python-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let python = dir.join("python3");
        std::fs::write(&python, "#!/bin/sh\necho 'Traceback: boom' >&2\nexit 3\n").unwrap();
        std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
        let out = bin(PATH)
            .args(["--threads", "1", "--seconds", "0.01", "--vs-python"])
            .env("PATH", &dir)
            .run();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(out.status.code(), Some(1), "{out}");
        assert_eq!(out.lines().len(), 2, "the Rust side, then nothing\n{out}");
        let stderr: Vec<&str> = out.stderr.lines().collect();
        assert_eq!(stderr.len(), 1, "{out}");
        assert!(
            stderr[0].starts_with("error: ") && stderr[0].contains("boom"),
            "{out}"
        );
    }

    #[test]
    fn refuses_meaningless_values() {
        assert_refused(
            PATH,
            &[
                &["--seconds", "-1"],
                &["--seconds", "0"],
                &["--seconds", "soon"],
                &["--seconds", "inf"],
                &["--seconds", "NaN"],
                &["--seconds", "61"],
                &["--threads", "0"],
                &["--threads", "100000"],
            ],
        );
    }
}

/// A thread-local is one name with its own value in every thread: each thread greets the
/// student it bound, and no other.
mod threadlocal {
    use super::*;

    #[test]
    fn binds_each_student_to_its_thread() {
        for _ in 0..3 {
            let out = bin(env!("CARGO_BIN_EXE_threadlocal")).run();
            out.assert_success();
            harness::assert_lines_any_order(
                out.lines(),
                &["Hello, Alice (in Thread-A)", "Hello, Bob (in Thread-B)"],
            );
        }
    }
}

/// Two threads that take two locks in opposite order deadlock (here: on every run, detected
/// after a scaled wait); one global lock order fixes it.
mod deadlock {
    use super::*;

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
}

/// The master puts tasks into one channel and any free worker takes the next: the work spreads
/// over all workers, and every task comes back exactly once.
mod master_worker {
    use super::*;

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
}

/// Compute-bound work wants one thread per core: the job split over that many threads, each
/// doing an equal share, gives the same answer; rayon does the same with less code.
mod cpu_bound {
    use super::*;

    const PATH: &str = env!("CARGO_BIN_EXE_cpu_bound");

    /// `850 ns`, `12.3 µs`, `4.56 ms`, `1.23 s` in seconds.
    fn seconds(human: &str) -> f64 {
        let (value, unit) = human.trim().split_once(' ').expect("a value and a unit");
        let value: f64 = value.parse().expect("a number");
        let scale = match unit {
            "ns" => 1e-9,
            "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            other => panic!("unit {other:?}"),
        };
        value * scale
    }

    #[test]
    fn every_row_counts_the_same_primes_and_every_thread_does_its_share() {
        let _cpu = cpu_to_myself();
        // Threads run one after another would wait at the program's start barrier for ever.
        let out = bin(PATH)
            .args(["--limit", "200000", "--samples", "1", "--many", "8"])
            .timeout(Duration::from_secs(30))
            .run();
        out.assert_success();
        let lines = out.lines();
        let cores = cores();
        assert_eq!(lines.len(), 8, "{out}");
        assert_eq!(
            lines[0],
            "Counting primes below 200000, 1 sample per row after a warm-up:"
        );
        let rows = [
            "1 thread".to_string(),
            format!("{cores} threads (= cores)"),
            "8 threads".to_string(),
        ];
        for (i, label) in rows.iter().enumerate() {
            let row = lines[1 + 2 * i];
            // There are 17984 primes below 200000.
            assert!(
                row.starts_with(&format!("{label}: 17984 primes in ")),
                "{out}"
            );
            assert!(row.contains(", speedup "), "{row}");
        }
        assert!(
            lines[7].starts_with("rayon (") && lines[7].contains(" threads): 17984 primes in "),
            "{out}"
        );

        // The CPU time of each thread that did the work (from its own CPU clock): as many
        // distinct threads as the row says, each with about the same share.
        assert!(
            lines[2].starts_with("    CPU time of the thread: "),
            "{out}"
        );
        for (line, threads) in [(lines[4], cores), (lines[6], 8)] {
            if threads == 1 {
                assert!(line.starts_with("    CPU time of the thread: "), "{out}");
                continue;
            }
            let prefix = format!("    CPU time of each of the {threads} threads: ");
            let range = line
                .strip_prefix(&prefix)
                .unwrap_or_else(|| panic!("expected {prefix:?}...\n{out}"));
            let (min, max) = range.split_once(" to ").expect("min to max");
            let (min, max) = (seconds(min), seconds(max));
            assert!(
                min > 0.0 && min >= max / 4.0,
                "one thread did far more than another:\n{out}"
            );
        }
        let debug = cfg!(debug_assertions);
        assert_eq!(out.stderr.contains("debug build"), debug, "{out}");
    }

    /// One thread per core counts side by side: a run takes about as long as the CPU time of
    /// one of its threads. Threads that take turns (under one lock, as a GIL would make them)
    /// take the sum of their CPU times, about `cores` times as long.
    #[test]
    fn the_threads_of_one_per_core_run_side_by_side() {
        let cores = cores();
        if cores < 2 {
            eprintln!("skipped: one core, where threads can only take turns");
            return;
        }
        let _cpu = cpu_to_myself();
        // Side by side, wall time / one thread's CPU time is near 1; taking turns, near `cores`.
        let limit = (1.0 + cores as f64) / 2.0;
        let median = |row: &str| {
            let median = row
                .split(" primes in ")
                .nth(1)
                .and_then(|r| r.split(" (").next());
            seconds(median.unwrap_or_else(|| panic!("no median in {row:?}")))
        };
        let failed =
            format!("threads took turns: wall time / one thread's CPU time never below {limit}");
        shows_on_free_cores(&failed, || {
            let out = bin(PATH)
                .args(["--limit", "400000", "--samples", "3", "--many", "2"])
                .timeout(Duration::from_secs(60))
                .run();
            out.assert_success();
            let lines = out.lines();
            // `2 threads (= cores): 33860 primes in 85.00 ms (min ...`, then each one's CPU time.
            let prefix = format!("    CPU time of each of the {cores} threads: ");
            let range = lines[4]
                .strip_prefix(&prefix)
                .unwrap_or_else(|| panic!("expected {prefix:?}\n{out}"));
            let (_, max) = range.split_once(" to ").expect("min to max");
            // The slowest thread's CPU time: a virtual machine's stolen time counts as CPU time.
            let turns = median(lines[3]) / seconds(max);
            (turns < limit, turns)
        });
    }

    #[test]
    fn the_timeline_shows_one_busy_lane_per_thread() {
        use harness::timeline::max_concurrent;
        use shared::timeline::lanes;
        let _cpu = cpu_to_myself();
        let out = bin(PATH)
            .args([
                "--limit",
                "20000",
                "--samples",
                "2",
                "--many",
                "4",
                "--timeline",
            ])
            .timeout(Duration::from_secs(30))
            .run();
        let (_, spans) = timeline_of(&out);
        let cores = cores();
        // The 1-thread row (3 runs: a warm-up and 2 samples), then the row of one per core.
        let alone: Vec<_> = spans.iter().filter(|s| s.label == "1 at once").collect();
        assert_eq!(alone.len(), 3, "{out}");
        let label = format!("{cores} at once");
        let side_by_side: Vec<_> = spans.iter().filter(|s| s.label == label).collect();
        if cores > 1 {
            assert_eq!(side_by_side.len(), 3 * cores, "{out}");
        }
        let want: Vec<String> = (1..=cores).map(|i| format!("thread {i}")).collect();
        assert_eq!(lanes(&spans), want, "{out}");
        // The threads of a run wait for each other at the start: all busy at once.
        assert_eq!(max_concurrent(side_by_side.iter().copied()), cores, "{out}");
    }

    /// `--vs-python` (issue 13): the same primes, and Python's serial count is slower.
    #[test]
    fn vs_python_counts_the_same_primes_more_slowly() {
        if !harness::python3_present("cpu_bound::vs_python_counts_the_same_primes_more_slowly") {
            return;
        }
        let _cpu = cpu_to_myself();
        let out = bin(PATH)
            .args([
                "--limit",
                "20000",
                "--samples",
                "3",
                "--many",
                "2",
                "--vs-python",
            ])
            .timeout(Duration::from_secs(120))
            .run();
        out.assert_success();
        let lines = out.lines();
        assert_eq!(lines.len(), 11, "{out}");
        assert!(lines[8].starts_with("Python 3."), "{out}");
        assert!(lines[8].ends_with(", the same 2262 primes:"), "{out}");
        assert!(lines[9].starts_with("  serial "), "{out}");
        assert!(lines[10].starts_with("  one per core "), "{out}");
        // Our side of each row is the 1-thread row's median, then the one-per-core row's.
        for (rust_row, python_row) in [(lines[1], lines[9]), (lines[3], lines[10])] {
            let median = rust_row
                .split(" primes in ")
                .nth(1)
                .and_then(|r| r.split(" (").next());
            let median = median.unwrap_or_else(|| panic!("no median in {rust_row:?}"));
            assert!(python_row.contains(&format!(" Rust {median} ")), "{out}");
        }
        let ratio = lines[9].rsplit("Python/Rust ").next().unwrap_or_default();
        let ratio: f64 = ratio.trim_end_matches('x').parse().unwrap_or(0.0);
        assert!(
            ratio > 1.0,
            "Python's serial count not slower than Rust's\n{out}"
        );
    }

    #[test]
    fn vs_python_without_python_shows_the_rust_side() {
        let out = bin(PATH)
            .args([
                "--limit",
                "1000",
                "--samples",
                "1",
                "--many",
                "2",
                "--vs-python",
            ])
            .env("PATH", "")
            .run();
        out.assert_success();
        assert_eq!(out.lines().len(), 9, "{out}");
        assert_eq!(
            out.lines()[8],
            "python3 not found on PATH: showing the Rust side only"
        );
    }

    /// The header's Try: 4096 threads for 100 blocks of work cost far more than the counting,
    /// so that row is slower than one thread (0.01x or less in a release build).
    #[test]
    fn the_try_far_more_threads_than_work_is_slower_than_one() {
        let _cpu = cpu_to_myself();
        let out = bin(PATH)
            .args(["--many", "4096", "--limit", "100000", "--samples", "3"])
            .timeout(Duration::from_secs(120))
            .run();
        out.assert_success();
        let row = out
            .lines()
            .into_iter()
            .find(|l| l.starts_with("4096 threads: "))
            .unwrap_or_else(|| panic!("no row for 4096 threads\n{out}"));
        let speedup: f64 = row
            .rsplit("speedup ")
            .next()
            .and_then(|x| x.trim_end_matches('x').parse().ok())
            .unwrap_or_else(|| panic!("no speedup in {row:?}"));
        let most = if cfg!(debug_assertions) { 0.5 } else { 0.05 };
        assert!(speedup < most, "4096 threads: speedup {speedup}\n{out}");
    }

    #[test]
    fn refuses_meaningless_values() {
        assert_refused(
            PATH,
            &[
                &["--limit", "0"],
                &["--limit", "999"],
                &["--limit", "100000001"],
                &["--samples", "0"],
                &["--samples", "1001"],
                &["--many", "0"],
                &["--many", "4097"],
            ],
        );
    }
}

/// Lesson: handing control to another thread or process costs a system switch, microseconds;
/// to another async task on the same thread, a function's return; and many more runnable
/// threads than cores make the system switch far more often, for no more work done.
mod context_switch {
    use super::*;

    const CONTEXT_SWITCH: &str = env!("CARGO_BIN_EXE_context_switch");

    /// The figure of a row: `  two threads (...):  20.58µs a switch (...)`, in seconds.
    fn seconds(row: &str) -> f64 {
        let figure = row
            .split(':')
            .nth(1)
            .and_then(|r| r.split_whitespace().next());
        let figure = figure
            .unwrap_or_else(|| panic!("no figure in {row:?}"))
            .trim();
        let (number, unit) = figure.split_at(figure.find(|c: char| c.is_alphabetic()).unwrap());
        let scale = match unit {
            "ns" => 1e-9,
            "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            other => panic!("unit {other:?} in {row:?}"),
        };
        number.parse::<f64>().unwrap() * scale
    }

    fn run(args: &[&str]) -> Output {
        let out = bin(CONTEXT_SWITCH)
            .args(args)
            .timeout(Duration::from_secs(120))
            .run();
        out.assert_success();
        out
    }

    #[test]
    fn three_switches_and_three_crowds() {
        let out = run(&["--rounds", "300", "--samples", "2", "--work", "20"]);
        let lines = out.lines();
        assert_eq!(lines.len(), 8, "{out}");
        assert!(lines[0].starts_with("One switch: a token handed back and forth 300 times"));
        let (thread, task) = (seconds(lines[1]), seconds(lines[3]));
        assert!(
            thread > 0.0 && seconds(lines[2]) > 0.0 && task > 0.0,
            "{out}"
        );
        // A debug build is slow at everything but the system's switch: only a release build
        // shows the task switch far cheaper (CI runs this test in release too).
        if !cfg!(debug_assertions) {
            assert!(
                task * 5.0 < thread,
                "an async task switch is not far cheaper: {out}"
            );
        }
        let cores = std::thread::available_parallelism().unwrap().get();
        let crowds: Vec<Vec<u64>> = lines[5..].iter().map(|l| numbers(l)).collect();
        let threads: Vec<u64> = crowds.iter().map(|n| n[0]).collect();
        assert_eq!(
            threads,
            [cores, 16 * cores, 256 * cores].map(|n| n as u64),
            "{out}"
        );
        // Every thread of a crowd but the last sleeps at the barrier that lets them go together:
        // the big crowd costs at least a switch a thread, hundreds, however busy the machine.
        if cfg!(unix) {
            let switches = *crowds[2].last().unwrap();
            assert!(switches >= 256 * cores as u64 - 1, "{out}");
        }
    }

    #[test]
    fn counts_have_a_ceiling() {
        assert_refused(
            CONTEXT_SWITCH,
            &[
                &["--rounds", "0"],
                &["--rounds", "1000001"],
                &["--samples", "101"],
                &["--work", "100001"],
            ],
        );
    }

    #[test]
    fn vs_python_switches_beside_ours() {
        if !harness::python3_present("context_switch::vs_python_switches_beside_ours") {
            return;
        }
        let out = run(&[
            "--rounds",
            "200",
            "--samples",
            "1",
            "--work",
            "10",
            "--vs-python",
        ]);
        let rows: Vec<&str> = out
            .lines()
            .into_iter()
            .filter(|l| l.contains("Python/Rust"))
            .collect();
        let labels: Vec<&str> = rows
            .iter()
            .map(|r| r.split_whitespace().take(2).collect::<Vec<_>>()[0])
            .collect();
        assert_eq!(labels, ["thread", "process", "task"], "{out}");
    }
}

/// When the system refuses a thread (RLIMIT_NPROC, what `ulimit -u` sets; RLIMIT_AS, `ulimit
/// -v`), every example says so in one `error:` line and ends, never a panic, and never a hang:
/// the threads already waiting at a barrier for the one that could not start end with it.
#[cfg(target_os = "linux")]
mod refused {
    use harness::bin;
    use harness::limits::Resource::{RLIMIT_AS, RLIMIT_NPROC};
    use std::time::Duration;

    #[test]
    fn a_thread_the_system_refuses_is_one_error_line() {
        let cases: [(&str, &[&str], u64); 8] = [
            (env!("CARGO_BIN_EXE_lock"), &[], 2),
            (env!("CARGO_BIN_EXE_threadlocal"), &[], 2),
            (env!("CARGO_BIN_EXE_multi_threading"), &[], 1),
            (env!("CARGO_BIN_EXE_multicore"), &["--seconds", "0.1"], 2),
            (env!("CARGO_BIN_EXE_master_worker"), &["--workers", "20"], 5),
            // Thread-1 waits at the barrier for Thread-2, which never starts.
            (env!("CARGO_BIN_EXE_deadlock"), &[], 2),
            (env!("CARGO_BIN_EXE_lost_update"), &["--times", "10"], 2),
            (
                env!("CARGO_BIN_EXE_cpu_bound"),
                &["--limit", "1000", "--samples", "1"],
                2,
            ),
        ];
        for (path, args, threads) in cases {
            let out = bin(path)
                .args(args)
                .limit(RLIMIT_NPROC, threads)
                .timeout(Duration::from_secs(20))
                .run();
            out.assert_one_error_line("cannot start ");
            assert!(
                out.stderr.contains("Resource temporarily unavailable"),
                "{out}"
            );
        }
    }

    /// 200 MB of address space: room for the program, not for 64 threads' stacks.
    #[test]
    fn too_little_memory_for_the_threads_is_one_error_line() {
        let out = bin(env!("CARGO_BIN_EXE_cpu_bound"))
            .args(["--limit", "200000", "--samples", "2"])
            .limit(RLIMIT_AS, 200_000_000)
            .timeout(Duration::from_secs(60))
            .run();
        out.assert_one_error_line("cannot start a thread: ");
    }
}

/// Every output a header shows is what a real run prints (what varies, redacted).
#[test]
fn every_header_output_is_what_a_run_prints() {
    let _cpu = cpu_to_myself();
    harness::check_headers!(
        multi_threading,
        lock,
        lost_update,
        multicore,
        threadlocal,
        deadlock,
        master_worker,
        cpu_bound,
        context_switch
    );
    let readme = include_str!("../../README.md");
    for (bin, exe) in [
        ("deadlock", env!("CARGO_BIN_EXE_deadlock")),
        ("master_worker", env!("CARGO_BIN_EXE_master_worker")),
        ("cpu_bound", env!("CARGO_BIN_EXE_cpu_bound")),
    ] {
        harness::expected::check_readme(readme, bin, exe);
    }
}
