//! fork returns twice: the parent and its child are two processes that know each other's PID,
//! and the parent waits for (reaps) its child.

use crate::common::*;

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

/// The parent reaps its child on every run, whether the child ends before or after its parent
/// gets to `waitpid`. This test process is a child subreaper (Linux): a process whose parent
/// ends without having reaped it, running or a zombie, becomes this process's child, and
/// `waitpid` here finds it; a child that its parent reaped is no one's child any more (ECHILD).
/// So a parent that prints a status without waiting fails this test every time, not only when
/// its child happens to be slow.
#[cfg(target_os = "linux")]
#[test]
fn the_parent_reaps_its_child_on_every_run() {
    use nix::errno::Errno;
    use nix::sys::wait::{WaitPidFlag, waitpid};
    nix::sys::prctl::set_child_subreaper(true).expect("become a child subreaper");
    for _ in 0..3 {
        let out = bin(env!("CARGO_BIN_EXE_fork")).run();
        out.assert_success();
        let lines = out.lines();
        let said_by_parent = lines
            .iter()
            .find(|l| l.starts_with("I ("))
            .unwrap_or_else(|| panic!("no line of the parent\n{out}"));
        let child = nix::unistd::Pid::from_raw(numbers(said_by_parent)[1] as i32);
        match waitpid(child, Some(WaitPidFlag::WNOHANG)) {
            Err(Errno::ECHILD) => {}
            other => panic!(
                "the parent ended without reaping its child {child}, which was left to \
                 this test ({other:?})\n{out}"
            ),
        }
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

/// When the system refuses a new process (`ulimit -u`): one `error:` line, never a panic.
#[cfg(target_os = "linux")]
#[test]
fn no_new_process_at_all() {
    refused_a_process(env!("CARGO_BIN_EXE_fork"), &[], "fork failed: ");
}
