//! # 练习 4 · share_counter: two threads, one counter
//!
//! Section: 多线程 · Lock (Multithreading), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017629247922688>
//!
//! Read first: `examples-thread/src/bin/lock.rs`, then `lost_update.rs`.
//!
//! To do: two threads each add 1 to `count` 100,000 times, as the tutorial's `change_it` does
//! without its lock. Python runs it (and may lose changes); Rust refuses to compile it. Make it
//! compile, and print 200000 on every run.
//!
//! Hint: what the compiler says is the lesson: a value that two threads change must be behind a
//! lock (`Mutex`) or be an atomic (`AtomicU64`).

use std::thread;

fn main() {
    let mut count = 0u64;
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for _ in 0..100_000 {
                    count += 1;
                }
            });
        }
    });
    println!("{count}");
}
