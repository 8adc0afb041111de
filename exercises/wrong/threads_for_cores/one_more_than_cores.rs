//! Wrong: one thread more than cores.
//! Says: it worked with

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
    let threads = thread::available_parallelism().map_or(1, |n| n.get() as u64) + 1;
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
