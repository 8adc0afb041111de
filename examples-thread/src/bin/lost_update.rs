//! # lost_update: what goes wrong without the lock
//!
//! Tutorial: 多线程 · Lock (Multithreading: locks), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017629247922688>
//!
//! Python sample: [do_lock.py](https://github.com/michaelliao/learn-python3/blob/master/samples/multitask/do_lock.py),
//! before the tutorial adds the lock.
//!
//! ```text
//! cargo run -p examples-thread --bin lost_update
//! cargo run -p examples-thread --bin lost_update -- --times 5000000
//! ```
//!
//! Output: the first two numbers change from run to run:
//!
//! ```text
//! Two threads run change_it(5) and change_it(8), 1000000 times each.
//! read, then write (racy)   balance = -31257, changes lost = 648814 of 2000000
//! fetch_add (atomic)        balance = 0, changes lost = 0 of 2000000
//! Mutex (lock)              balance = 0, changes lost = 0 of 2000000
//! ```
//!
//! What to notice: the tutorial's version without a lock ends with a balance that is not 0.
//! `balance = balance + n` is two steps, a read and a write; when the other thread writes in
//! between, one of the two changes is lost. Every `change_it` also counts itself in `changes`
//! the same way, so you see how many changes were lost. On a single core the racy version may
//! well come out right: the race needs the threads to really run at the same time.
//!
//! What Rust does differently: the tutorial's exact code, two threads changing one plain
//! variable, does not compile in safe Rust (`examples-thread/tests/compile_fail/lost_update.rs`,
//! quoted in the README):
//!
//! ```text
//! error[E0499]: cannot borrow `balance` as mutable more than once at a time
//! ```
//!
//! To show the lost update at all, this program has to share the balance as an atomic and then
//! misuse it on purpose: a separate `load` and `store`, which is what Python does. The fixes are
//! a single read-modify-write (`fetch_add`), or the `Mutex` of `lock`.
//!
//! Try: in `change_it_racy`, replace each `load` + `store` pair with one `fetch_add` (or
//! `fetch_sub`): the racy row now ends at 0 with no change lost, like the atomic row.

use shared::Arg::Long;
use std::hint::black_box;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::thread;

const USAGE: &str = "\
usage: lost_update [--times N]

Two threads run change_it(5) and change_it(8) N times each (default 1000000, at most
10000000), three ways:
racy read-then-write, atomic fetch_add, and under a Mutex. Prints each final balance.";

/// A balance shared by the threads, and how many changes were made to it.
#[derive(Default)]
struct Account {
    balance: AtomicI64,
    changes: AtomicU64,
}

/// The tutorial's bug: each line reads the value, then writes a new one in a separate step.
/// (`black_box` keeps them two steps, as in Python: a release build would otherwise fuse each
/// pair into one `add` instruction, which loses a change far too rarely to see.)
fn change_it_racy(account: &Account, n: i64) {
    let balance = black_box(account.balance.load(Relaxed)); // balance = balance + n
    account.balance.store(balance + n, Relaxed);
    let balance = black_box(account.balance.load(Relaxed)); // balance = balance - n
    account.balance.store(balance - n, Relaxed);
    let changes = black_box(account.changes.load(Relaxed));
    account.changes.store(changes + 1, Relaxed);
}

/// Each change is one indivisible read-modify-write.
fn change_it_atomic(account: &Account, n: i64) {
    account.balance.fetch_add(n, Relaxed);
    account.balance.fetch_sub(n, Relaxed);
    account.changes.fetch_add(1, Relaxed);
}

/// The whole change under a lock, as in `lock`: (balance, changes).
fn change_it_locked(account: &Mutex<(i64, u64)>, n: i64) {
    let mut guard = account
        .lock()
        .expect("no thread panics while holding the lock");
    let (balance, changes) = &mut *guard;
    *balance += n;
    *balance -= n;
    *changes += 1;
}

/// Runs `change_it(account, 5)` and `change_it(account, 8)` in two threads, `times` each.
fn run_threads<A: Sync>(account: &A, change_it: fn(&A, i64), times: u64) {
    // Both threads start together: a thread that finished before the other began could not race.
    let start = std::sync::Barrier::new(2);
    thread::scope(|s| {
        for n in [5, 8] {
            let start = &start;
            s.spawn(move || {
                start.wait();
                for _ in 0..times {
                    change_it(account, n);
                }
            });
        }
    });
}

fn report(label: &str, balance: i64, changes: u64, times: u64) {
    let expected = 2 * times; // no overflow: --times is at most 10000000
    println!(
        "{label:<25} balance = {balance}, changes lost = {} of {expected}",
        expected - changes
    );
}

fn main() {
    let mut times: u64 = 1_000_000;
    let mut args = shared::start(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            Long("times") => times = args.value_in(1..=10_000_000),
            other => shared::unexpected(other),
        }
    }
    println!("Two threads run change_it(5) and change_it(8), {times} times each.");

    let racy = Account::default();
    run_threads(&racy, change_it_racy, times);
    report(
        "read, then write (racy)",
        racy.balance.into_inner(),
        racy.changes.into_inner(),
        times,
    );

    let atomic = Account::default();
    run_threads(&atomic, change_it_atomic, times);
    report(
        "fetch_add (atomic)",
        atomic.balance.into_inner(),
        atomic.changes.into_inner(),
        times,
    );

    let locked = Mutex::new((0, 0));
    run_threads(&locked, change_it_locked, times);
    let (balance, changes) = locked.into_inner().expect("no thread panicked");
    report("Mutex (lock)", balance, changes, times);
}
