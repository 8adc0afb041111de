//! What the lesson files of examples-thread share: the imports they all use, a lock for the
//! tests that measure CPU time, and readers of the figures the binaries print.

pub use harness::{Output, bin, numbers, seconds};
pub use std::time::{Duration, Instant};

/// Tests that measure CPU time or need two threads to really run at once take this lock, so
/// that they do not load the machine for each other.
pub fn cpu_to_myself() -> std::sync::MutexGuard<'static, ()> {
    harness::one_at_a_time()
}

pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The spans of the `--timeline` listing after the lesson's output, which is returned too.
pub fn timeline_of(out: &Output) -> (&str, Vec<shared::timeline::Span>) {
    out.assert_success();
    let (lesson, chart) = out
        .stdout
        .split_once("\n\ntimeline: ")
        .unwrap_or_else(|| panic!("no chart after a blank line\n{out}"));
    let listing = harness::timeline::parse_listing(chart).unwrap_or_else(|e| panic!("{e}\n{out}"));
    assert_eq!(
        harness::timeline::overlap_in_lane(&listing.spans),
        None,
        "two bars of one lane overlap\n{out}"
    );
    (lesson, listing.spans)
}

/// Fails unless every argument list is refused with a usage error.
pub fn assert_refused(path: &str, bad: &[&[&str]]) {
    for args in bad {
        let out = bin(path).args(*args).run();
        out.assert_usage_error();
        assert!(out.stdout.is_empty(), "{args:?}\n{out}");
    }
}

/// The number after `before` in `line`, up to the next space: `value_after("x = 1.5 s", "x = ")`.
pub fn value_after(line: &str, before: &str) -> f64 {
    line.split(before)
        .nth(1)
        .and_then(|rest| rest.split([' ', ',']).next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no number after {before:?} in {line:?}"))
}

/// When the system refuses a thread (RLIMIT_NPROC, what `ulimit -u` sets, here `threads`), the
/// example at `path` says so in one `error:` line and ends, never a panic, and never a hang: the
/// threads already waiting at a barrier for the one that could not start end with it.
#[cfg(target_os = "linux")]
pub fn a_refused_thread_is_one_error_line(path: &str, args: &[&str], threads: u64) {
    let out = bin(path)
        .args(args)
        .limit(harness::limits::Resource::RLIMIT_NPROC, threads)
        .timeout(Duration::from_secs(20))
        .run();
    out.assert_one_error_line("cannot start ");
    assert!(
        out.stderr.contains("Resource temporarily unavailable"),
        "{out}"
    );
}
