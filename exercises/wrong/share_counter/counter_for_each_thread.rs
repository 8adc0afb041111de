//! Wrong: each thread has a counter of its own; it prints the first.
//! Says: one thread's additions

use std::sync::Mutex;
use std::thread;

fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let counts = [Mutex::new(0u64), Mutex::new(0u64)];
    thread::scope(|s| {
        for count in &counts {
            s.spawn(move || {
                for _ in 0..n {
                    *count.lock().unwrap() += 1;
                }
            });
        }
    });
    println!("{}", counts[0].lock().unwrap());
}
