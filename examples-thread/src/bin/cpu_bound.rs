//! # cpu_bound: compute-bound work wants as many threads as cores
//!
//! Tutorial: 进程 vs. 线程 · 计算密集型 vs. IO密集型 (Processes vs. threads: compute-bound vs. IO-bound), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017631469467456>
//! Book: `book/src/processes-vs-threads.md`, built as `book/book/processes-vs-threads.html`; 中文版 `book/book/zh-CN/processes-vs-threads.html`
//!
//! Python sample: none; the tutorial states the rule in words.
//!
//! ```text
//! cargo run --release -p examples-thread --bin cpu_bound
//! cargo run --release -p examples-thread --bin cpu_bound -- --timeline
//! cargo run --release -p examples-thread --bin cpu_bound -- --vs-python
//! ```
//!
//! Output of `cargo run --release -p examples-thread --bin cpu_bound -- --limit 1000000`: (a
//! 2-core machine; the default limit is 5000000)
//!
//! ```text
//! Counting primes below 1000000, 5 samples per row after a warm-up:
//! 1 thread: 78498 primes in 58.43 ms (min 58.04 ms, max 58.51 ms, 5 samples), speedup 1.00x
//!     CPU time of the thread: 58.25 ms
//! 2 threads (= cores): 78498 primes in 29.27 ms (min 29.12 ms, max 40.50 ms, 5 samples), speedup 2.00x
//!     CPU time of each of the 2 threads: 28.92 ms to 28.97 ms
//! 64 threads: 78498 primes in 38.84 ms (min 37.32 ms, max 41.98 ms, 5 samples), speedup 1.50x
//!     CPU time of each of the 64 threads: 891.7 µs to 1.06 ms
//! rayon (2 threads): 78498 primes in 28.88 ms (min 28.79 ms, max 29.43 ms, 5 samples), speedup 2.02x
//! ```
//!
//! Output of `cargo run --release -p examples-thread --bin cpu_bound -- --vs-python`: (the same
//! rows for primes below 300000, then)
//!
//! ```text
//! Counting primes below 300000, 5 samples per row after a warm-up:
//! 1 thread: 25997 primes in 11.20 ms (min 11.17 ms, max 11.26 ms, 5 samples), speedup 1.00x
//!     CPU time of the thread: 11.12 ms
//! 2 threads (= cores): 25997 primes in 5.69 ms (min 5.65 ms, max 5.75 ms, 5 samples), speedup 1.97x
//!     CPU time of each of the 2 threads: 5.53 ms to 5.57 ms
//! 64 threads: 25997 primes in 11.30 ms (min 10.70 ms, max 12.92 ms, 5 samples), speedup 0.99x
//!     CPU time of each of the 64 threads: 198.4 µs to 348.1 µs
//! rayon (2 threads): 25997 primes in 5.57 ms (min 5.47 ms, max 5.72 ms, 5 samples), speedup 2.01x
//! Python 3.11.7 (CPython, GIL on), the same 25997 primes:
//!   serial             Rust 11.20 ms       Python 307.17 ms      Python/Rust 27x
//!   one per core       Rust 5.69 ms        Python 170.43 ms      Python/Rust 30x
//! ```
//!
//! What to notice: the job (counting primes by trial division) only computes, so one thread per
//! core keeps every core busy and the speedup is close to the core count. Far more threads than
//! cores cannot go faster: there are no more cores to run them, and switching between them costs
//! a little. That is the tutorial's rule: for compute-bound work, as many tasks as cores.
//!
//! Each row starts its threads with `std::thread::scope` and deals the numbers out to them in
//! blocks of 1000, in turn, so every thread gets the same work: each thread's own CPU time shows
//! it. The last row is the same job the way Rust code usually writes it: rayon's `into_par_iter`,
//! on a pool of one thread per core.
//!
//! What Rust does differently: in CPython the GIL would keep the threads to one core and the
//! speedup near 1; the tutorial suggests processes (or C) for compute-bound work. Rust threads
//! run Python-free in parallel. Timings of a debug build mean little: build with `--release`.
//!
//! Try: `--many 4096 --limit 100000`: 100 blocks for 4096 threads, so most threads get nothing
//! to count, and starting them costs far more than the counting (speedup 0.01x or less here).

use examples_thread::thread_cpu_time;
use rayon::prelude::*;
use shared::bench::{Stats, human, measure};
use shared::{Arg::Long, OrExit, timeline};
use std::collections::HashMap;
use std::sync::Barrier;
use std::thread::{self, ThreadId};
use std::time::Duration;

const USAGE: &str = "\
usage: cpu_bound [--limit N] [--samples K] [--many T] [--timeline] [--trace FILE] [--vs-python]

Counts the primes below N (default 5000000, from 1000 to 100000000) with 1 thread, one thread
per core, T threads (default 32 per core, at most 4096), and rayon; prints the median of K timed
runs (default 5, at most 1000) after a warm-up. --timeline draws when each thread of the first
two rows counted; --trace FILE writes the same as Chrome trace-event JSON (for ui.perfetto.dev).
--vs-python counts the same primes in Python (python3), serially and with a multiprocessing pool
of one process per core; N is then 300000 by default (Python takes about 1 s for it).";

/// Whether `n` is prime, by trial division: deliberately plain compute-bound work.
fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    if n % 2 == 0 {
        return n == 2;
    }
    let mut d = 3;
    while d * d <= n {
        if n % d == 0 {
            return false;
        }
        d += 2;
    }
    true
}

/// The numbers are dealt out in blocks of this many: thread i of T takes blocks i, i + T, ...
const BLOCK: u64 = 1000;

/// The job on `threads` threads of its own: how many primes are below `limit`, and which
/// thread used how much CPU time. The threads wait for each other at a barrier, so that all
/// of them count at the same time.
fn count_primes(limit: u64, threads: u64) -> (usize, Vec<(ThreadId, Duration)>) {
    let all_started = &Barrier::new(threads as usize);
    thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|i| {
                s.spawn(move || {
                    // With --timeline: one lane per thread, for the rows of up to one per core.
                    let lane = format!("thread {}", i + 1);
                    let _span = (threads <= cores())
                        .then(|| timeline::span(lane, format!("{threads} at once")));
                    all_started.wait();
                    let blocks = (i * BLOCK..limit).step_by((threads * BLOCK) as usize);
                    let mine = blocks.flat_map(|b| b..(b + BLOCK).min(limit));
                    let primes = mine.filter(|&n| is_prime(n)).count();
                    (primes, (thread::current().id(), thread_cpu_time()))
                })
            })
            .collect();
        let done = handles
            .into_iter()
            .map(|h| h.join().expect("no thread panics"));
        let (primes, cpu): (Vec<usize>, _) = done.unzip();
        (primes.iter().sum(), cpu)
    })
}

fn cores() -> u64 {
    thread::available_parallelism().map_or(1, |n| n.get() as u64)
}

fn main() {
    let cores = cores();
    let (mut limit, mut samples, mut many, mut vs_python) = (None, 5, 32 * cores, false);
    let mut args = shared::start_with_timeline(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            Long("limit") => limit = Some(args.value_in(1_000..=100_000_000)),
            Long("samples") => samples = args.value_in(1..=1000),
            Long("many") => many = args.value_in(1..=4096),
            Long("vs-python") => vs_python = true,
            other => shared::unexpected(other),
        }
    }
    let limit = limit.unwrap_or(if vs_python { 300_000 } else { 5_000_000 });
    shared::bench::warn_if_debug("cargo run --release -p examples-thread --bin cpu_bound");

    let per_row = if samples == 1 {
        "1 sample"
    } else {
        &format!("{samples} samples")
    };
    println!("Counting primes below {limit}, {per_row} per row after a warm-up:");
    let (mut baseline, mut rows) = (None, Vec::new());
    let mut row = |label: String, primes: usize, stats: Stats| {
        let base = *baseline.get_or_insert(stats.median);
        let speedup = base.as_secs_f64() / stats.median.as_secs_f64();
        println!("{label}: {primes} primes in {stats}, speedup {speedup:.2}x");
    };
    for (threads, label) in [
        (1, "1 thread".to_string()),
        (cores, format!("{cores} threads (= cores)")),
        (many, format!("{many} threads")),
    ] {
        let (mut primes, mut cpu) = (0, Vec::new());
        let stats = measure(1, samples, || (primes, cpu) = count_primes(limit, threads));
        row(label, primes, stats);
        print_cpu_times(&cpu);
        rows.push((primes, stats));
    }

    // The same job as Rust code usually writes it: rayon, one thread per core.
    let mut primes = 0;
    let stats = measure(1, samples, || {
        primes = (0..limit).into_par_iter().filter(|&n| is_prime(n)).count();
    });
    row(
        format!("rayon ({} threads)", rayon::current_num_threads()),
        primes,
        stats,
    );
    timeline::print().or_exit(); // with --timeline: one thread alone, then one per core side by side
    if vs_python {
        let (cores, rust) = (cores as usize, [rows[0], rows[1]]);
        examples_thread::vs_python::cpu_bound(limit, samples, cores, rust).or_exit();
    }
}

/// `    CPU time of each of the 2 threads: 257.80 ms to 258.20 ms`, from the last sample: how many
/// distinct threads did the work, and the least and most CPU time one of them used.
fn print_cpu_times(cpu: &[(ThreadId, Duration)]) {
    let per_thread: HashMap<ThreadId, Duration> = cpu.iter().copied().collect();
    let (min, max) = (per_thread.values().min(), per_thread.values().max());
    match (per_thread.len(), min, max) {
        (1, _, Some(&t)) => println!("    CPU time of the thread: {}", human(t)),
        (n, Some(&min), Some(&max)) => println!(
            "    CPU time of each of the {n} threads: {} to {}",
            human(min),
            human(max)
        ),
        _ => {}
    }
}
