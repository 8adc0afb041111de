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

/// What two busy threads of this test get from the machine right now: % CPU, as `multicore`
/// measures it (200 when two cores are free, 100 or less when they must take turns).
pub fn two_threads_here() -> f64 {
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let mut x = 0u64;
                while examples_thread::thread_cpu_time() < Duration::from_millis(200) {
                    for _ in 0..10_000 {
                        x = std::hint::black_box(x ^ 1);
                    }
                }
            });
        }
    });
    100.0 * 0.4 / start.elapsed().as_secs_f64()
}

/// Runs `attempt` up to five times; it says whether the lesson showed, and its figure. Other
/// programs holding the cores can hide a lesson of threads running side by side, so a run where
/// it did not show counts against it only if two threads of this test get two free cores right
/// after: two such runs fail the test (`failed` says what went wrong); fewer say on stderr that
/// the machine was too busy.
pub fn shows_on_free_cores(failed: &str, mut attempt: impl FnMut() -> (bool, f64)) {
    let mut runs = Vec::new();
    for _ in 0..5 {
        let (shows, figure) = attempt();
        if shows {
            return;
        }
        runs.push((figure, two_threads_here()));
    }
    let free = runs.iter().filter(|(_, here)| *here >= 160.0).count();
    assert!(
        free < 2,
        "{failed}, though the machine had 2 free cores: (figure, this test's 2 threads %) {runs:?}"
    );
    eprintln!("skipped: the machine is too busy to run two threads side by side: {runs:?}");
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
