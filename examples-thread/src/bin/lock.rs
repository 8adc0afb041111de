//! # lock: two threads change one balance under a lock
//!
//! Tutorial: 多线程 · Lock (Multithreading: locks), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017629247922688>
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
//! Without the lock, the program does not compile: see `lost_update`.

use std::sync::Mutex;
use std::thread;

const USAGE: &str = "usage: lock\n\nTwo threads change one balance 100000 times each under a Mutex; prints the balance (0).";

// 假定这是你的银行存款 (say this is your bank balance), owned by its lock.
static BALANCE: Mutex<i64> = Mutex::new(0);

/// Deposit `n`, then withdraw it: the balance should end where it started.
fn change_it(balance: &mut i64, n: i64) {
    *balance += n;
    *balance -= n;
}

fn run_thread(n: i64) {
    for _ in 0..100_000 {
        // Take the lock; the guard gives access to the balance and releases the lock at the `}`.
        let mut balance = BALANCE
            .lock()
            .expect("no thread panics while holding the lock");
        change_it(&mut balance, n);
    }
}

fn main() {
    shared::start(USAGE).no_options();
    let t1 = thread::spawn(|| run_thread(5));
    let t2 = thread::spawn(|| run_thread(8));
    t1.join().expect("thread 1 finished");
    t2.join().expect("thread 2 finished");
    println!("{}", BALANCE.lock().expect("no thread panicked"));
}
