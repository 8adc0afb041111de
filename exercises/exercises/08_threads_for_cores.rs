//! # 练习 8 · threads_for_cores: as many threads as cores
//!
//! Section: 进程 vs. 线程 · 线程切换 (Processes vs. threads: switching), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017631469467456>
//!
//! Read first: `examples-thread/src/bin/context_switch.rs`.
//!
//! To do: the work is split over 64 threads, far more than this machine has cores: it is no
//! faster for it, and each thread costs a stack and switches. Split it over as many threads as
//! the machine has cores.
//!
//! Hint: `std::thread::available_parallelism()` says how many threads can run at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

const STEPS: u64 = 100_000_000;

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
    shared::start("usage: threads_for_cores\n\nSplits some work over threads.").no_options();
    let threads = 64;
    let started = std::time::Instant::now();
    let total = thread::scope(|s| {
        let shares: Vec<_> = (0..threads)
            .map(|_| s.spawn(|| work(STEPS / threads)))
            .collect();
        shares
            .into_iter()
            .map(|t| t.join().unwrap())
            .fold(0u64, u64::wrapping_add)
    });
    let ran = RAN.load(Ordering::SeqCst);
    println!("{ran} threads, {:.2?} ({total:x})", started.elapsed());
}
