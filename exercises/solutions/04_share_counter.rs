//! # 练习 4 · share_counter: 两个线程，一个计数器 · two threads, one counter
//!
//! Section: 多线程 · Lock (Multithreading), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017629247922688>
//!
//! Read first: `examples-thread/src/bin/lock.rs`, then `lost_update.rs`.
//!
//! 要做：两个线程各给 `count` 加 1，各加 N 次（N 是命令行参数，默认 100000），就像教程里去掉了锁
//! 的 `change_it`。Python 能运行它（而且可能丢失修改）；Rust 拒绝编译它。让它通过编译，并且每次运行
//! 都输出 2N。
//!
//! To do: two threads each add 1 to `count`, N times each (N is the argument, 100000 by default),
//! as the tutorial's `change_it` does without its lock. Python runs it (and may lose changes); Rust
//! refuses to compile it. Make it compile, and print 2N on every run.
//!
//! 提示 1：编译器的报错正是这一课的内容：两个线程都要修改的值，该放在哪里？
//! Hint 1: what the compiler says is the lesson: where must a value that two threads change live?
//!
//! 提示 2：用锁（`Mutex`）保护起来，或者放进原子变量（`AtomicU64`，用 `fetch_add` 加）。
//! Hint 2: behind a lock (`Mutex`), or in an atomic (`AtomicU64` and `fetch_add`).

use std::sync::Mutex;
use std::thread;

fn main() {
    // N, the first argument: how many times each thread adds 1.
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
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
