//! # cpu_bound: compute-bound work wants as many threads as cores
//!
//! Tutorial: 进程 vs. 线程 · 计算密集型 vs. IO密集型 (Processes vs. threads: compute-bound vs. IO-bound), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017631469467456>
//!
//! Python sample: none; the tutorial states the rule in words.
//!
//! ```text
//! cargo run --release -p examples-thread --bin cpu_bound
//! cargo run --release -p examples-thread --bin cpu_bound -- --limit 20000000 --samples 9
//! ```
//!
//! Output on a 2-core machine (release build):
//!
//! ```text
//! Counting primes below 5000000, 5 samples per row after a warm-up:
//! 1 thread: 348513 primes in 525.52 ms (min 519.59 ms, max 541.70 ms, 5 samples), speedup 1.00x
//! 2 threads (= cores): 348513 primes in 258.53 ms (min 255.63 ms, max 262.51 ms, 5 samples), speedup 2.03x
//! 64 threads: 348513 primes in 261.07 ms (min 258.97 ms, max 300.01 ms, 5 samples), speedup 2.01x
//! ```
//!
//! What to notice: the job (counting primes by trial division) only computes, so one thread per
//! core keeps every core busy and the speedup is close to the core count. Far more threads than
//! cores cannot go faster: there are no more cores to run them, and switching between them costs
//! a little. That is the tutorial's rule: for compute-bound work, as many tasks as cores.
//!
//! What Rust does differently: in CPython the GIL would keep the threads to one core and the
//! speedup near 1; the tutorial suggests processes (or C) for compute-bound work. Rust threads
//! run Python-free in parallel. The work is split with rayon, on a thread pool of each size.
//! Timings of a debug build mean little: build with `--release`.

use rayon::prelude::*;

const USAGE: &str = "\
usage: cpu_bound [--limit N] [--samples K] [--many T]

Counts the primes below N (default 5000000) with 1 thread, one thread per core, and T threads
(default 32 per core); prints the median of K timed runs (default 5) after a warm-up.";

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

/// The job: how many primes are below `limit`, counted by the threads of `pool`.
fn count_primes(pool: &rayon::ThreadPool, limit: u64) -> usize {
    pool.install(|| (0..limit).into_par_iter().filter(|&n| is_prime(n)).count())
}

fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut limit: u64 = 5_000_000;
    let mut samples: usize = 5;
    let mut many = 32 * cores;
    let mut args = shared::start(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Long("limit") => limit = args.value(),
            shared::Arg::Long("samples") => samples = args.value(),
            shared::Arg::Long("many") => many = args.value(),
            other => shared::unexpected(other),
        }
    }
    if limit > 1 << 40 {
        shared::exit_usage(format!(
            "--limit must be at most {}, not {limit}",
            1u64 << 40
        ));
    }
    if samples == 0 || samples > 1000 {
        shared::exit_usage(format!("--samples must be from 1 to 1000, not {samples}"));
    }
    if many == 0 || many > 4096 {
        shared::exit_usage(format!("--many must be from 1 to 4096, not {many}"));
    }
    shared::bench::warn_if_debug("cargo run --release -p examples-thread --bin cpu_bound");

    println!("Counting primes below {limit}, {samples} samples per row after a warm-up:");
    let mut baseline = None;
    for (threads, label) in [
        (1, "1 thread".to_string()),
        (cores, format!("{cores} threads (= cores)")),
        (many, format!("{many} threads")),
    ] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap_or_else(|e| shared::exit_error(format!("cannot start {threads} threads: {e}")));
        let primes = count_primes(&pool, limit);
        let stats = shared::bench::measure(1, samples, || count_primes(&pool, limit));
        let base = *baseline.get_or_insert(stats.median);
        println!(
            "{label}: {primes} primes in {stats}, speedup {:.2}x",
            base.as_secs_f64() / stats.median.as_secs_f64()
        );
    }
}
