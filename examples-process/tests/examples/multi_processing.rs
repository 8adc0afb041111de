//! multi_processing runs run_proc("test") in another process (this program started again), and
//! the parent waits for it before it says "Child process end.".

use crate::common::*;

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

/// When the system refuses a new process (`ulimit -u`): one `error:` line, never a panic.
#[cfg(target_os = "linux")]
#[test]
fn no_new_process_at_all() {
    refused_a_process(
        env!("CARGO_BIN_EXE_multi_processing"),
        &[],
        "cannot start the child process: ",
    );
}
