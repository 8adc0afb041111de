//! Lesson: handing control to another thread or process costs a system switch, microseconds;
//! to another async task on the same thread, a function's return; and many more runnable
//! threads than cores make the system switch far more often, for no more work done.

use crate::common::*;

const CONTEXT_SWITCH: &str = env!("CARGO_BIN_EXE_context_switch");

/// The figure of a row: `  two threads (...):  20.58µs a switch (...)`, in seconds.
fn seconds_of_row(row: &str) -> f64 {
    let figure = row
        .split(':')
        .nth(1)
        .and_then(|r| r.split_whitespace().next());
    let figure = figure
        .unwrap_or_else(|| panic!("no figure in {row:?}"))
        .trim();
    harness::seconds(figure)
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
    let (thread, task) = (seconds_of_row(lines[1]), seconds_of_row(lines[3]));
    assert!(
        thread > 0.0 && seconds_of_row(lines[2]) > 0.0 && task > 0.0,
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
