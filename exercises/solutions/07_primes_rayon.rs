//! # 练习 7 · primes_rayon: 让每个核都干活 · every core at work
//!
//! Section: 进程 vs. 线程 (Processes vs. threads: compute-bound work), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017631469467456>
//!
//! Read first: `examples-thread/src/bin/cpu_bound.rs`.
//!
//! 要做：这个程序在一个核上走一遍上限以下的数（上限是命令行参数，默认 1000000），同时得出素数的个数和
//! 它们的和。用 rayon 让每个核一起算，仍然只走一遍：在两核或更多核的机器上，它的各个线程同时计算，
//! 而总的 CPU 时间不比一个线程走一遍多。
//!
//! To do: this goes once over the numbers below a limit (the argument, 1000000 by default), on one
//! core, for both the count of the primes and their sum. Work on every core with rayon, still in
//! one pass: on a machine of two cores or more its threads work at once, for no more CPU time in
//! all than one thread's pass.
//!
//! 提示 1：示例里的 `.count()` 只给出个数；先数再求和就要走两遍，CPU 时间也翻倍。让每个线程为自己那
//! 一段算出一对（个数，和），再把这些对合起来。
//! Hint 1: the example's `.count()` gives the count alone; counting, then summing, is two passes and
//! twice the CPU time. Let each thread make a (count, sum) pair of its own part, then combine the
//! pairs.
//!
//! 提示 2：`(0..limit).into_par_iter().filter(...)` 之后，`.map(|n| (1, n))`，再
//! `.reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))`。rayon 的 `fold` 与 `Iterator::fold`
//! 不同：它为每一段各给出一个结果，后面还要接 `reduce`。
//! Hint 2: after `(0..limit).into_par_iter().filter(...)`, `.map(|n| (1, n))`, then
//! `.reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))`. Rayon's `fold` is not `Iterator::fold`:
//! it gives one result a part, still to `reduce`.

use rayon::prelude::*;

fn is_prime(n: u64) -> bool {
    n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| n % d != 0)
}

fn main() {
    let mut args = shared::start(
        "usage: primes_rayon [LIMIT]\n\nCounts and adds up the primes below LIMIT (1000000 by default).",
    );
    let mut limit = 1_000_000u64;
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Value(value) => limit = shared::cli::parse(value),
            other => shared::unexpected(other),
        }
    }
    // One pass on every core: each part of the range makes its own (count, sum), and the pairs
    // are added up (rayon's `reduce` takes the pair that adds nothing, then how to add two).
    let (count, sum) = (0..limit)
        .into_par_iter()
        .filter(|&n| is_prime(n))
        .map(|n| (1u64, n))
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    println!("{count} primes below {limit}, their sum {sum}");
}
