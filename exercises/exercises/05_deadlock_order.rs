//! # 练习 5 · deadlock_order: 两把锁，一个顺序 · two locks, one order
//!
//! Section: 多线程 · Lock (Multithreading: deadlocks), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017629247922688>
//!
//! Read first: `examples-thread/src/bin/deadlock.rs`.
//!
//! 要做：两个线程都要获取两把锁，但顺序相反：结果各自持有一把，又永远等着对方那把。让两个线程都能结
//! 束，并且每个线程仍要同时持有两把锁（一把也不能去掉）。这里的 `Lock` 就是一个会把持有者告诉检查程
//! 序的 `Mutex`；程序中第一把被获取的锁会一直被持有，直到另一个线程也来获取锁：所以顺序不对的话，每
//! 次运行都会死锁，而不只是偶尔。
//!
//! To do: each thread takes both locks, but in opposite orders: each ends up holding one and
//! waiting for the other's, for ever. Make both threads finish, each still holding both locks at
//! once (remove no lock). `Lock` here is a `Mutex` that tells the checker who holds it, and the
//! program's first lock is held until another thread comes for a lock: with a wrong order the
//! deadlock comes on every run, not now and then.
//!
//! 提示 1：如果每个线程都先获取锁 A、再获取锁 B，还会有线程持有 B 却在等 A 吗？
//! Hint 1: if every thread takes lock A before lock B, can one hold B and wait for A?
//!
//! 提示 2：在 Thread-2 里也先 `A.lock()`，再 `B.lock()`。
//! Hint 2: in Thread-2 too, `A.lock()` first, then `B.lock()`.

use exercises::lab::Lock;
use std::thread;

static A: Lock = Lock::new("A");
static B: Lock = Lock::new("B");

fn main() {
    shared::start("usage: deadlock_order\n\nTwo threads, two locks.").no_options();
    thread::scope(|s| {
        s.spawn(|| {
            let _a = A.lock();
            let _b = B.lock();
            println!("Thread-1 has A and B.");
        });
        s.spawn(|| {
            let _b = B.lock();
            let _a = A.lock();
            println!("Thread-2 has A and B.");
        });
    });
    println!("Both threads finished.");
}
