//! # 练习 8 · threads_for_cores: 有几个核就用几个线程 · as many threads as cores
//!
//! Section: 进程 vs. 线程 · 线程切换 (Processes vs. threads: switching), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017631469467456>
//!
//! Read first: `examples-thread/src/bin/context_switch.rs`.
//!
//! 要做：这项计算被分给了 64 个线程，远多于机器的核数：这样并不会更快，而每个线程都要占用一个栈，还
//! 带来线程切换。运行它的机器有几个核，就把计算分给几个线程。检查程序会先让它在 1 个核上运行，再
//! 在 2 个核上运行。
//!
//! To do: the work is split over 64 threads, far more than the machine has cores: it is no faster
//! for it, and each thread costs a stack and switches. Split it over as many threads as the machine
//! it runs on has cores. The checker runs it on one core, then on two.
//!
//! 提示 1：程序可以查询自己能同时运行几个线程。
//! Hint 1: a program can ask how many threads it can run at once.
//!
//! 提示 2：`std::thread::available_parallelism()`，它同样遵从 CPU 亲和性掩码（affinity mask）。
//! Hint 2: `std::thread::available_parallelism()`, which follows the CPU affinity mask too.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// How many threads did a share of the work.
static RAN: AtomicUsize = AtomicUsize::new(0);

/// A share of the work: some arithmetic, `steps` times.
fn work(steps: u64) -> u64 {
    RAN.fetch_add(1, Ordering::SeqCst);
    (0..steps).fold(1u64, |x, i| {
        std::hint::black_box(x.wrapping_mul(31).wrapping_add(i))
    })
}

fn main() {
    let mut args = shared::start("usage: threads_for_cores [STEPS]\n\nSplits some work (100000000 steps by default) over threads.");
    let mut steps = 100_000_000u64;
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Value(value) => steps = shared::cli::parse(value),
            other => shared::unexpected(other),
        }
    }
    let threads = thread::available_parallelism().map_or(1, |n| n.get() as u64); // one a core
    let started = std::time::Instant::now();
    let total = thread::scope(|s| {
        let shares: Vec<_> = (0..threads)
            .map(|_| s.spawn(|| work(steps / threads)))
            .collect();
        shares
            .into_iter()
            .map(|t| t.join().unwrap())
            .fold(0u64, u64::wrapping_add)
    });
    let ran = RAN.load(Ordering::SeqCst);
    println!("{ran} threads, {:.2?} ({total:x})", started.elapsed());
}
