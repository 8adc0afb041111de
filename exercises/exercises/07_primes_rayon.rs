//! # 练习 7 · primes_rayon: every core at work
//!
//! Section: 进程 vs. 线程 (Processes vs. threads: compute-bound work), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017631469467456>
//!
//! Read first: `examples-thread/src/bin/cpu_bound.rs`.
//!
//! To do: this counts the primes below 1,000,000 on one core. Count them on every core, with
//! rayon, so that the program's CPU time is well above its wall time on a machine of two
//! cores or more.
//!
//! Hint: rayon's `into_par_iter()` (from `rayon::prelude::*`) splits a range over its threads, one
//! per core.

const LIMIT: u64 = 1_000_000;

fn is_prime(n: u64) -> bool {
    n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| n % d != 0)
}

fn main() {
    shared::start("usage: primes_rayon\n\nCounts the primes below 1000000.").no_options();
    let count = (0..LIMIT).filter(|&n| is_prime(n)).count();
    println!("{count} primes below {LIMIT}");
}
