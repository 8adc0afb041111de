//! Compute-bound work wants one thread per core: the job split over that many threads, each
//! doing an equal share, gives the same answer; rayon does the same with less code.

use crate::common::*;

const PATH: &str = env!("CARGO_BIN_EXE_cpu_bound");

#[test]
fn every_row_counts_the_same_primes_and_every_thread_does_its_share() {
    let _cpu = cpu_to_myself();
    // Threads run one after another would wait at the program's start barrier for ever.
    let out = bin(PATH)
        .args(["--limit", "200000", "--samples", "1", "--many", "8"])
        .timeout(Duration::from_secs(30))
        .run();
    out.assert_success();
    let lines = out.lines();
    let cores = cores();
    assert_eq!(lines.len(), 8, "{out}");
    assert_eq!(
        lines[0],
        "Counting primes below 200000, 1 sample per row after a warm-up:"
    );
    let rows = [
        "1 thread".to_string(),
        format!("{cores} threads (= cores)"),
        "8 threads".to_string(),
    ];
    for (i, label) in rows.iter().enumerate() {
        let row = lines[1 + 2 * i];
        // There are 17984 primes below 200000.
        assert!(
            row.starts_with(&format!("{label}: 17984 primes in ")),
            "{out}"
        );
        assert!(row.contains(", speedup "), "{row}");
    }
    assert!(
        lines[7].starts_with("rayon (") && lines[7].contains(" threads): 17984 primes in "),
        "{out}"
    );

    // The CPU time of each thread that did the work (from its own CPU clock): as many
    // distinct threads as the row says, each with about the same share.
    assert!(
        lines[2].starts_with("    CPU time of the thread: "),
        "{out}"
    );
    for (line, threads) in [(lines[4], cores), (lines[6], 8)] {
        if threads == 1 {
            assert!(line.starts_with("    CPU time of the thread: "), "{out}");
            continue;
        }
        let prefix = format!("    CPU time of each of the {threads} threads: ");
        let range = line
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("expected {prefix:?}...\n{out}"));
        let (min, max) = range.split_once(" to ").expect("min to max");
        let (min, max) = (seconds(min), seconds(max));
        assert!(
            min > 0.0 && min >= max / 4.0,
            "one thread did far more than another:\n{out}"
        );
    }
    let debug = cfg!(debug_assertions);
    assert_eq!(out.stderr.contains("debug build"), debug, "{out}");
}

/// One thread per core counts side by side: its threads are runnable at once, never waiting
/// for each other, however busy the machine. Threads that take turns (under one lock, as a GIL
/// would make them) wait asleep by turns. (On free cores a run then takes about as long as the
/// CPU time of one thread, which is what the rows print; other programs on the cores can
/// stretch that, not this.)
#[test]
fn the_threads_of_one_per_core_run_side_by_side() {
    if cores() < 2 {
        eprintln!("skipped: one core, where threads can only take turns");
        return;
    }
    let _cpu = cpu_to_myself();
    let mut running = bin(PATH)
        .args(["--limit", "1000000", "--samples", "5", "--many", "2"])
        .timeout(Duration::from_secs(60))
        .spawn();
    let watch = harness::side_by_side::watch(running.pid());
    // After the 1-thread row come the rows of one thread per core and of `--many 2`, then rayon's.
    running.wait_for_line(|l| l.starts_with("    CPU time of the thread: "));
    let from = Instant::now();
    running.wait_for_line(|l| l.starts_with("2 threads: "));
    let to = Instant::now();
    let out = running.finish();
    let looks = watch.stop();
    out.assert_success();
    let what = format!("the rows of {} and 2 threads\n{out}", cores());
    harness::side_by_side::assert_side_by_side(&looks, from, to, &what);
}

#[test]
fn the_timeline_shows_one_busy_lane_per_thread() {
    use harness::timeline::max_concurrent;
    use shared::timeline::lanes;
    let _cpu = cpu_to_myself();
    let out = bin(PATH)
        .args([
            "--limit",
            "20000",
            "--samples",
            "2",
            "--many",
            "4",
            "--timeline",
        ])
        .timeout(Duration::from_secs(30))
        .run();
    let (_, spans) = timeline_of(&out);
    let cores = cores();
    // The 1-thread row (3 runs: a warm-up and 2 samples), then the row of one per core.
    let alone: Vec<_> = spans.iter().filter(|s| s.label == "1 at once").collect();
    assert_eq!(alone.len(), 3, "{out}");
    let label = format!("{cores} at once");
    let side_by_side: Vec<_> = spans.iter().filter(|s| s.label == label).collect();
    if cores > 1 {
        assert_eq!(side_by_side.len(), 3 * cores, "{out}");
    }
    let want: Vec<String> = (1..=cores).map(|i| format!("thread {i}")).collect();
    assert_eq!(lanes(&spans), want, "{out}");
    // The threads of a run wait for each other at the start: all busy at once.
    assert_eq!(max_concurrent(side_by_side.iter().copied()), cores, "{out}");
}

/// `--vs-python` (issue 13): the same primes, and Python's serial count is slower.
#[test]
fn vs_python_counts_the_same_primes_more_slowly() {
    if !harness::python3_present("cpu_bound::vs_python_counts_the_same_primes_more_slowly") {
        return;
    }
    let _cpu = cpu_to_myself();
    let out = bin(PATH)
        .args([
            "--limit",
            "20000",
            "--samples",
            "3",
            "--many",
            "2",
            "--vs-python",
        ])
        .timeout(Duration::from_secs(120))
        .run();
    out.assert_success();
    let lines = out.lines();
    assert_eq!(lines.len(), 11, "{out}");
    assert!(lines[8].starts_with("Python 3."), "{out}");
    assert!(lines[8].ends_with(", the same 2262 primes:"), "{out}");
    assert!(lines[9].starts_with("  serial "), "{out}");
    assert!(lines[10].starts_with("  one per core "), "{out}");
    // Our side of each row is the 1-thread row's median, then the one-per-core row's.
    for (rust_row, python_row) in [(lines[1], lines[9]), (lines[3], lines[10])] {
        let median = rust_row
            .split(" primes in ")
            .nth(1)
            .and_then(|r| r.split(" (").next());
        let median = median.unwrap_or_else(|| panic!("no median in {rust_row:?}"));
        assert!(python_row.contains(&format!(" Rust {median} ")), "{out}");
    }
    let ratio = lines[9].rsplit("Python/Rust ").next().unwrap_or_default();
    let ratio: f64 = ratio.trim_end_matches('x').parse().unwrap_or(0.0);
    assert!(
        ratio > 1.0,
        "Python's serial count not slower than Rust's\n{out}"
    );
}

#[test]
fn vs_python_without_python_shows_the_rust_side() {
    let out = bin(PATH)
        .args([
            "--limit",
            "1000",
            "--samples",
            "1",
            "--many",
            "2",
            "--vs-python",
        ])
        .env("PATH", "")
        .run();
    out.assert_success();
    assert_eq!(out.lines().len(), 9, "{out}");
    assert_eq!(
        out.lines()[8],
        "python3 not found on PATH: showing the Rust side only"
    );
}

/// The header's Try: 4096 threads for 100 blocks of work cost far more than the counting,
/// so that row is slower than one thread (0.01x or less in a release build).
#[test]
#[ignore = "tier 2: 4096 threads for 100 blocks of work, three times (thousands of spawns)"]
fn the_try_far_more_threads_than_work_is_slower_than_one() {
    let _cpu = cpu_to_myself();
    let out = bin(PATH)
        .args(["--many", "4096", "--limit", "100000", "--samples", "3"])
        .timeout(Duration::from_secs(120))
        .run();
    out.assert_success();
    let row = out
        .lines()
        .into_iter()
        .find(|l| l.starts_with("4096 threads: "))
        .unwrap_or_else(|| panic!("no row for 4096 threads\n{out}"));
    let speedup: f64 = row
        .rsplit("speedup ")
        .next()
        .and_then(|x| x.trim_end_matches('x').parse().ok())
        .unwrap_or_else(|| panic!("no speedup in {row:?}"));
    let most = if cfg!(debug_assertions) { 0.5 } else { 0.05 };
    assert!(speedup < most, "4096 threads: speedup {speedup}\n{out}");
}

#[test]
fn refuses_meaningless_values() {
    assert_refused(
        PATH,
        &[
            &["--limit", "0"],
            &["--limit", "999"],
            &["--limit", "100000001"],
            &["--samples", "0"],
            &["--samples", "1001"],
            &["--many", "0"],
            &["--many", "4097"],
        ],
    );
}

/// When the system refuses a thread (`ulimit -u`): one `error:` line, never a panic or a hang.
#[cfg(target_os = "linux")]
#[test]
fn a_thread_the_system_refuses_is_one_error_line() {
    a_refused_thread_is_one_error_line(
        env!("CARGO_BIN_EXE_cpu_bound"),
        &["--limit", "1000", "--samples", "1"],
        2,
    );
}

/// 200 MB of address space: room for the program, not for 64 threads' stacks.
#[cfg(target_os = "linux")]
#[test]
fn too_little_memory_for_the_threads_is_one_error_line() {
    let out = bin(env!("CARGO_BIN_EXE_cpu_bound"))
        .args(["--limit", "200000", "--samples", "2"])
        .limit(harness::limits::Resource::RLIMIT_AS, 200_000_000)
        .timeout(Duration::from_secs(60))
        .run();
    out.assert_one_error_line("cannot start a thread: ");
}
