//! Lesson: one duplex pipe carries messages both ways in lock step between a parent and a
//! child process, and closing one end (or the death of its process) ends the other side.

use crate::common::*;

const PIPE: &str = env!("CARGO_BIN_EXE_pipe");

#[test]
fn carries_messages_both_ways_and_closes_cleanly() {
    let running = bin(PIPE)
        .timeout(std::time::Duration::from_secs(30))
        .spawn();
    let pid = u64::from(running.pid());
    let out = running.finish();
    out.assert_success();
    let lines = out.lines();
    let (parent, child) = (numbers(lines[0])[0], numbers(lines[0])[1]);
    assert_eq!(
        lines[0],
        format!("Parent process {parent} and child process {child} share a duplex pipe.")
    );
    assert!(parent == pid && child != pid, "{out}");
    let mut expected = Vec::new();
    for n in 1..=3 {
        expected.push(format!("parent sends: ping {n}"));
        expected.push(format!("child got: ping {n}, answers: pong {n}"));
        expected.push(format!("parent got: pong {n}"));
    }
    expected.push("parent closes its end.".into());
    expected.push("child: the parent closed its end, so the child ends.".into());
    expected.push("parent: the child exited with status 0.".into());
    assert_eq!(lines[1..], expected);
    #[cfg(unix)]
    harness::assert_all_gone(&[child as u32]);
}

/// The parent's half-second pauses go through TUTORIAL_TIME_SCALE: at 0.4, three pauses
/// take at least 0.6 s; at 0, two runs take well under the 3 s of real ones.
#[test]
fn its_pauses_are_half_a_second_scaled() {
    let timed = |scale: &str| {
        let started = std::time::Instant::now();
        bin(PIPE)
            .env("TUTORIAL_TIME_SCALE", scale)
            .run()
            .assert_success();
        started.elapsed().as_secs_f64()
    };
    let slow = timed("0.4");
    assert!(slow >= 0.6, "{slow} s");
    let fast = timed("0") + timed("0");
    assert!(fast < 2.5, "{fast} s");
}

#[cfg(unix)]
#[test]
fn a_killed_parent_takes_its_child_along() {
    // The parent pauses 50 s before each message.
    let mut running = bin(PIPE).env("TUTORIAL_TIME_SCALE", "100").spawn();
    let first = running.wait_for_line(|l| l.starts_with("Parent process "));
    running.signal(nix::sys::signal::SIGKILL);
    harness::assert_all_gone(&[numbers(&first)[1] as u32]);
}

#[cfg(unix)]
#[test]
fn a_killed_child_is_named_in_words() {
    // The parent pauses 2 s before each message: time to kill the child first.
    let mut running = bin(PIPE).env("TUTORIAL_TIME_SCALE", "4").spawn();
    let first = running.wait_for_line(|l| l.starts_with("Parent process "));
    let child = nix::unistd::Pid::from_raw(numbers(&first)[1] as i32);
    nix::sys::signal::kill(child, nix::sys::signal::SIGKILL).expect("kill the child");
    let out = running.finish();
    out.assert_code(1);
    assert_eq!(
        out.stderr, "error: the child was killed by signal 9 (SIGKILL)\n",
        "{out}"
    );
}

/// When the system refuses a process (RLIMIT_NPROC) or a thread: one `error:` line, never a
/// panic, never a hang.
#[cfg(target_os = "linux")]
#[test]
fn no_process_or_thread_is_one_error_line() {
    refused_a_process(env!("CARGO_BIN_EXE_pipe"), &[1]);
}

/// When the system refuses a file descriptor for a pipe (RLIMIT_NOFILE): one `error:` line.
#[cfg(target_os = "linux")]
#[test]
fn no_descriptor_for_a_pipe_is_one_error_line() {
    for room in [4, 5, 6] {
        let out = bin(env!("CARGO_BIN_EXE_pipe"))
            .limit(harness::limits::Resource::RLIMIT_NOFILE, room)
            .run();
        out.assert_one_error_line("cannot ");
    }
}
