//! Rust threads have no GIL: N busy threads each get their CPU time, and on N free cores they
//! run side by side, so the process uses about N x 100 % CPU.

use crate::common::*;

const PATH: &str = env!("CARGO_BIN_EXE_multicore");

/// Runs `threads` busy threads for `seconds` of CPU each: (CPU seconds, wall seconds, % CPU).
fn run(threads: usize, seconds: &str) -> (f64, f64, f64) {
    let out = bin(PATH)
        .args(["--threads", &threads.to_string(), "--seconds", seconds])
        .run();
    assert_eq!(out.lines().len(), 2, "{out}");
    figures(&out)
}

/// (CPU seconds, wall seconds, % CPU) from the first two lines, checked.
fn figures(out: &Output) -> (f64, f64, f64) {
    out.assert_success();
    let lines = out.lines();
    assert!(lines.len() >= 2, "{out}");
    let threads = value_after(lines[0], "running ") as usize;
    let seconds = lines[0]
        .split(" for ")
        .nth(1)
        .and_then(|r| r.split(' ').next());
    let seconds = seconds.unwrap_or_else(|| panic!("no seconds\n{out}"));
    let (busy, each, on) = match threads {
        1 => ("1 busy thread".to_string(), "", "1 thread".to_string()),
        n => (format!("{n} busy threads"), " each", format!("{n} threads")),
    };
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

/// Runs 2 busy threads for 0.2 s of CPU each (with `more` arguments), watching whether they
/// run side by side while they are busy; fails the test if they take turns.
fn watched(more: &[&str]) -> Output {
    let mut running = bin(PATH)
        .args(["--threads", "2", "--seconds", "0.2"])
        .args(more)
        .spawn();
    let watch = harness::side_by_side::watch(running.pid());
    let from = Instant::now();
    running.wait_for_line(|l| l.starts_with("CPU time "));
    let to = Instant::now();
    let out = running.finish();
    let looks = watch.stop();
    out.assert_success();
    harness::side_by_side::assert_side_by_side(&looks, from, to, &format!("2 busy threads\n{out}"));
    out
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
    // Threads that take turns (a GIL) wait asleep for each other, and stay at 100 % CPU.
    // Threads side by side are runnable at once, even while other programs hold the cores.
    let out = watched(&[]);
    assert_eq!(out.lines().len(), 2, "{out}");
    let (cpu, _, _) = figures(&out);
    assert!(
        cpu >= 0.39,
        "2 threads x 0.2 s used only {cpu} s of CPU\n{out}"
    );
}

/// `--vs-python` (issue 13): Python's threads, under the GIL, stay near one core; ours run
/// side by side.
#[test]
fn vs_python_shows_the_gil() {
    if !harness::python3_present("multicore::vs_python_shows_the_gil") {
        return;
    }
    let _cpu = cpu_to_myself();
    let out = watched(&["--vs-python"]);
    let lines = out.lines();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[2].starts_with("Python 3."), "{out}");
    assert!(lines[2].contains(", 2 threads for "), "{out}");
    assert!(lines[3].starts_with("  CPU over wall time Rust "), "{out}");
    let python = value_after(lines[3], "Python ");
    if lines[2].contains("GIL on") {
        assert!(
            python < 150.0,
            "Python threads above 150 % CPU with the GIL on\n{out}"
        );
    }
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

/// When the system refuses a thread (`ulimit -u`): one `error:` line, never a panic or a hang.
#[cfg(target_os = "linux")]
#[test]
fn a_thread_the_system_refuses_is_one_error_line() {
    a_refused_thread_is_one_error_line(env!("CARGO_BIN_EXE_multicore"), &["--seconds", "0.1"], 2);
}
