//! subprocess: call() runs a child that shares our stdout and gives back its exit code;
//! Popen + communicate() sends the child input through a pipe and collects its stdout, stderr
//! and exit code.

use crate::common::*;

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

/// When the system refuses a new process (`ulimit -u`): one `error:` line, never a panic.
#[cfg(target_os = "linux")]
#[test]
fn no_new_process_at_all() {
    refused_a_process(
        env!("CARGO_BIN_EXE_subprocess"),
        &[],
        "cannot start the child: ",
    );
}
