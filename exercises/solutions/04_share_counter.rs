//! # 练习 4 · share_counter, solved: the counter behind a lock
//!
//! The compiler refused two threads changing one variable; a `Mutex` lets them take turns (an
//! `AtomicU64` and `fetch_add` would do it too, without a lock).

use std::sync::Mutex;
use std::thread;

fn main() {
    let count = Mutex::new(0u64);
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for _ in 0..100_000 {
                    *count.lock().unwrap() += 1; // one thread at a time
                }
            });
        }
    });
    println!("{}", count.into_inner().unwrap());
}
