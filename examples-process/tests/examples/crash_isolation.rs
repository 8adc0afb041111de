//! crash_isolation: a crashing child process leaves its parent alive; a panicking thread comes
//! back as an error from join(); an aborting thread takes its whole process down.

use crate::common::*;

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

/// When the system refuses a new process (`ulimit -u`): one `error:` line, never a panic.
#[cfg(target_os = "linux")]
#[test]
fn no_new_process_at_all() {
    refused_a_process(
        env!("CARGO_BIN_EXE_crash_isolation"),
        &[],
        "cannot start a child process: ",
    );
}
