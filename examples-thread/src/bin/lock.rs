//! # lock: two threads change one balance under a lock
//!
//! Tutorial: 多线程 · Lock (Multithreading: locks), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017629247922688>
//! Book: `book/src/multithreading.md`, built as `book/book/multithreading.html`; 中文版 `book/book/zh-CN/multithreading.html`
//!
//! Python sample: [do_lock.py](https://github.com/michaelliao/learn-python3/blob/master/samples/multitask/do_lock.py)
//!
//! ```text
//! cargo run -p examples-thread --bin lock
//! ```
//!
//! Output:
//!
//! ```text
//! 0
//! ```
//!
//! What to notice: `change_it` deposits `n` and takes it out again, so the balance must end at 0.
//! Two threads do that 100,000 times each; because each `change_it` holds the lock, neither sees
//! the other's half-finished change, and the result is 0 on every run.
//!
//! What Rust does differently: in Python the lock and the balance are two separate globals, and
//! nothing stops code from touching `balance` without the lock. In Rust the `Mutex` *owns* the
//! balance: the only way to reach it is `lock()`, which returns a guard, and the guard unlocks
//! when it goes out of scope, even on a panic. That guard replaces `try: ... finally: release()`.
//! Without the lock, the program does not compile: see `lost_update`. The two threads wait for
//! each other at a `Barrier` before their loops, so that they really run at the same time.
//!
//! Try: in `run_thread`, lock twice per step instead of once (`let b = *BALANCE.lock().unwrap();`
//! then `*BALANCE.lock().unwrap() = b + n;`, and the same for `- n`) and run it a few times: each
//! step is locked, yet the balance is no longer 0, because the lock must cover the whole change.

use std::sync::{Barrier, Mutex};
use std::thread;

const USAGE: &str = "usage: lock\n\nTwo threads change one balance 100000 times each under a Mutex; prints the balance (0).";

// 假定这是你的银行存款 (say this is your bank balance); in Rust the lock owns it:
static BALANCE: Mutex<i64> = Mutex::new(0);
static START: Barrier = Barrier::new(2);

fn change_it(balance: &mut i64, n: i64) {
    // 先存后取，结果应该为0 (deposit, then withdraw: the result should be 0):
    *balance += n;
    *balance -= n;
}

fn run_thread(n: i64) {
    START.wait();
    for _ in 0..100_000 {
        // 先要获取锁 (first take the lock); the guard is the only way to the balance:
        let mut balance = BALANCE.lock().expect("no thread panics holding the lock");
        // 放心地改吧 (now change it without fear):
        change_it(&mut balance, n);
        // 改完了一定要释放锁 (always release the lock when done): the guard does, here at `}`.
    }
}

fn main() {
    shared::start(USAGE).no_options();
    // (`spawn` panics if the system refuses a thread; `shared::start` makes that one error line.)
    let t1 = thread::spawn(|| run_thread(5));
    let t2 = thread::spawn(|| run_thread(8));
    t1.join().expect("thread 1 finished");
    t2.join().expect("thread 2 finished");
    println!("{}", BALANCE.lock().expect("no thread panicked"));
}
