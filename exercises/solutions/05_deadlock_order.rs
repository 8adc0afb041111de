//! # 练习 5 · deadlock_order: two locks, one order
//!
//! Section: 多线程 · Lock (Multithreading: deadlocks), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017629247922688>
//!
//! Read first: `examples-thread/src/bin/deadlock.rs`.
//!
//! To do: each thread takes both locks, but in opposite orders: each ends up holding one and
//! waiting for the other's, for ever. Make both threads finish, without removing a lock.
//!
//! Hint: if every thread takes lock A before lock B, can one hold B and wait for A?

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

static A: Mutex<()> = Mutex::new(());
static B: Mutex<()> = Mutex::new(());

/// Waits (at most 1 s) until both threads hold a lock: so that, with the locks taken in
/// opposite orders, the deadlock comes on every run, not only now and then.
fn wait_for_the_other(holding: &AtomicUsize) {
    holding.fetch_add(1, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(1);
    while holding.load(Ordering::SeqCst) < 2 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(1));
    }
}

fn main() {
    shared::start("usage: deadlock_order\n\nTwo threads, two locks.").no_options();
    let holding = AtomicUsize::new(0);
    thread::scope(|s| {
        s.spawn(|| {
            let _a = A.lock().unwrap();
            wait_for_the_other(&holding);
            let _b = B.lock().unwrap();
            println!("Thread-1 has A and B.");
        });
        s.spawn(|| {
            let _a = A.lock().unwrap(); // A before B, as Thread-1
            wait_for_the_other(&holding);
            let _b = B.lock().unwrap();
            println!("Thread-2 has A and B.");
        });
    });
    println!("Both threads finished.");
}
