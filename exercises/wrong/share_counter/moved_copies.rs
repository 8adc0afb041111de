//! Wrong: each thread adds to a copy of its own (a `move` closure copies the number).
//! Says: printed 0

use std::thread;

fn main() {
    // N, the first argument: how many times each thread adds 1.
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let mut count = 0u64;
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(move || {
                for _ in 0..n {
                    count += 1;
                }
            });
        }
    });
    println!("{count}");
}
