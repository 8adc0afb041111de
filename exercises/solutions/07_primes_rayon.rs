//! # 练习 7 · primes_rayon: 让每个核都干活 · every core at work
//!
//! Section: 进程 vs. 线程 (Processes vs. threads: compute-bound work), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017631469467456>
//!
//! Read first: `examples-thread/src/bin/cpu_bound.rs`.
//!
//! 要做：这个程序在一个核上数出上限以下的素数（上限是命令行参数，默认 1000000）。用 rayon 让每个核
//! 一起数：在两核或更多核的机器上，它的各个线程同时计数，而总的 CPU 时间不比一个线程多。
//!
//! To do: this counts the primes below a limit (the argument, 1000000 by default) on one core.
//! Count them on every core, with rayon: on a machine of two cores or more its threads count at
//! once, for no more CPU time in all than one thread's.
//!
//! 提示 1：rayon 能把一个区间分给它的各个线程，每个核一个线程。
//! Hint 1: rayon can split a range over its threads, one a core.
//!
//! 提示 2：先 `use rayon::prelude::*;`，然后 `(0..limit).into_par_iter().filter(...)`。
//! Hint 2: `use rayon::prelude::*;`, then `(0..limit).into_par_iter().filter(...)`.

use rayon::prelude::*;

fn is_prime(n: u64) -> bool {
    n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| n % d != 0)
}

fn main() {
    let mut args = shared::start("usage: primes_rayon [LIMIT]\n\nCounts the primes below LIMIT (1000000 by default).");
    let mut limit = 1_000_000u64;
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Value(value) => limit = shared::cli::parse(value),
            other => shared::unexpected(other),
        }
    }
    let count = (0..limit).into_par_iter().filter(|&n| is_prime(n)).count(); // one thread a core
    println!("{count} primes below {limit}");
}
