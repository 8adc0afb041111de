//! Wrong: counts 100000 a thread, whatever it is asked.
//! Says: not add up

use std::sync::Mutex;
use std::thread;

fn main() {
    // N, the first argument: how many times each thread adds 1.
    let n: u64 = 100_000;
    let count = Mutex::new(0u64); // the counter behind a lock: one thread at a time
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for _ in 0..n {
                    *count.lock().unwrap() += 1;
                }
            });
        }
    });
    println!("{}", count.into_inner().unwrap());
}
