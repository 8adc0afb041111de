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
