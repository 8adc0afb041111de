//! The main thread starts a named thread and waits for it in `join`, so `thread main ended.`
//! comes last; the tutorial's one-second sleeps follow `TUTORIAL_TIME_SCALE`.

use crate::common::*;

const PATH: &str = env!("CARGO_BIN_EXE_multi_threading");

#[test]
fn prints_the_tutorial_lines_in_order() {
    let out = bin(PATH).run();
    out.assert_success();
    assert_eq!(
        out.lines(),
        [
            "thread main is running...",
            "thread LoopThread is running...",
            "thread LoopThread >>> 1",
            "thread LoopThread >>> 2",
            "thread LoopThread >>> 3",
            "thread LoopThread >>> 4",
            "thread LoopThread >>> 5",
            "thread LoopThread ended.",
            "thread main ended.",
        ]
    );
}

#[test]
fn the_time_scale_knob_scales_the_tutorial_sleeps() {
    // Five sleeps of 1 s: 0.5 s at a scale of 0.1, and 5 s if the scale were ignored.
    let start = Instant::now();
    bin(PATH)
        .env("TUTORIAL_TIME_SCALE", "0.1")
        .run()
        .assert_success();
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(500), "took {took:?}");
    assert!(took < Duration::from_millis(3000), "took {took:?}");
}

/// When the system refuses a thread (`ulimit -u`): one `error:` line, never a panic or a hang.
#[cfg(target_os = "linux")]
#[test]
fn a_thread_the_system_refuses_is_one_error_line() {
    a_refused_thread_is_one_error_line(env!("CARGO_BIN_EXE_multi_threading"), &[], 1);
}
