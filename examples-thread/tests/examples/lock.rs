//! A lock held around the whole change keeps two threads from losing each other's updates:
//! the balance is 0 on every run.

use crate::common::*;

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

/// When the system refuses a thread (`ulimit -u`): one `error:` line, never a panic or a hang.
#[cfg(target_os = "linux")]
#[test]
fn a_thread_the_system_refuses_is_one_error_line() {
    a_refused_thread_is_one_error_line(env!("CARGO_BIN_EXE_lock"), &[], 2);
}
