//! Lesson: two tasks wait at the same time on one thread, so two 1 s waits take 1 s, not 2.

use harness::timeline::{max_concurrent, parse_listing};
use harness::{bin, shape};
use shared::timeline::{Kind, lanes};

#[test]
fn async_hello_waits_twice_at_once_on_one_thread() {
    // Each wait is 0.5 s: one after the other would take 1 s.
    let out = bin(env!("CARGO_BIN_EXE_async_hello"))
        .env("TUTORIAL_TIME_SCALE", "0.5")
        .run();
    out.assert_success();
    let lines = out.lines();
    assert_eq!(lines.len(), 5, "{out}");
    let thread = lines[0].strip_prefix("Hello world! ").expect("hello first");
    assert!(thread.starts_with("(thread main, ThreadId("), "{out}");
    assert_eq!(
        lines[..4],
        [
            format!("Hello world! {thread}"),
            format!("Hello world! {thread}"),
            format!("Hello again! {thread}"),
            format!("Hello again! {thread}"),
        ],
        "both tasks on the same thread"
    );
    assert_eq!(shape(lines[4]), "Elapsed: # s for two waits of # s each.");
    let elapsed: f64 = lines[4].split(' ').nth(1).unwrap().parse().unwrap();
    assert!((0.5..0.9).contains(&elapsed), "{out}");
}

/// The chart shows two task lanes whose waits overlap, both on the same thread.
#[test]
fn async_hello_timeline_shows_two_overlapping_waits_on_one_thread() {
    let out = bin(env!("CARGO_BIN_EXE_async_hello"))
        .arg("--timeline")
        .env("TUTORIAL_TIME_SCALE", "0.2")
        .run();
    out.assert_success();
    assert!(out.lines()[4].starts_with("Elapsed: "), "{out}");
    let listing = parse_listing(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{out}"));
    let spans = &listing.spans;
    assert_eq!(lanes(spans), ["task 1", "task 2"], "{out}");
    assert!(
        spans.iter().all(|s| s.kind == Kind::Wait && !s.unfinished),
        "{out}"
    );
    assert_eq!(max_concurrent(spans), 2, "the waits should overlap\n{out}");
    assert_eq!(spans[0].label, spans[1].label, "one thread\n{out}");
}
