//! A thread-local is one name with its own value in every thread: each thread greets the
//! student it bound, and no other.

use crate::common::*;

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

/// When the system refuses a thread (`ulimit -u`): one `error:` line, never a panic or a hang.
#[cfg(target_os = "linux")]
#[test]
fn a_thread_the_system_refuses_is_one_error_line() {
    a_refused_thread_is_one_error_line(env!("CARGO_BIN_EXE_threadlocal"), &[], 2);
}
