//! # lost_update: what goes wrong without the lock
//!
//! Tutorial: 多线程 · Lock (Multithreading: locks), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017629247922688>
//! Book: `book/src/multithreading.md`, built as `book/book/multithreading.html`; 中文版 `book/book/zh-CN/multithreading.html`
//!
//! Python sample: [do_lock.py](https://github.com/michaelliao/learn-python3/blob/master/samples/multitask/do_lock.py),
//! before the tutorial adds the lock.
//!
//! ```text
//! cargo run -p examples-thread --bin lost_update
//! cargo run -p examples-thread --bin lost_update -- --times 5000000
//! ```
//!
//! Output: (the racy row's balance and lost changes differ from run to run)
//!
//! ```text
//! Two threads run change_it(5) and change_it(8), 1000000 times each.
//! read, then write (racy)   balance = 28, changes lost = 652089 of 2000000
//! fetch_add (atomic)        balance = 0, changes lost = 0 of 2000000
//! Mutex (lock)              balance = 0, changes lost = 0 of 2000000
//! ```
//!
//! What to notice: the version without a lock loses changes. `balance = balance + n` is two
//! steps, a read and a write; when the other thread writes in between, one of the two changes is
//! lost. The balance may still come out 0 by luck (a lost `+ 5` and a lost `- 5` cancel out), so
//! every `change_it` also counts itself in `changes` the same racy way: that count only goes up,
//! and shows how many changes were lost, about a third of them here. On two cores the threads
//! really run at the same instant; on one they meet only when the system switches a thread out,
//! so one change in a thousand pauses between its read and its write (`switch_now_and_then`):
//! the race shows on every run, on one core as on many.
//!
//! About Python: CPython up to 3.9 could switch threads between the read and the write, and the
//! tutorial's lock-free `do_lock.py` printed a balance that was not 0. CPython 3.10 and later
//! switch threads only at a few points (a call, a loop's jump back), so that sample prints 0 on
//! every run there: the race is still in the code, it just no longer shows. With
//! `sys.setswitchinterval(1e-6)` and a call of an empty function between each read and its
//! write, it shows again on most runs.
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
//! `fetch_sub`), leaving the pauses where they are: the racy row now ends at 0 with no change
//! lost, like the atomic row.

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

impl Account {
    /// The balance and the number of changes, once the threads are done.
    fn totals(self) -> (i64, u64) {
        (self.balance.into_inner(), self.changes.into_inner())
    }
}

/// The tutorial's bug: each line reads the value, then writes a new one in a separate step.
/// (`black_box` keeps them two steps, as in Python: a release build would otherwise fuse each
/// pair into one `add` instruction, which loses a change far too rarely to see.)
fn change_it_racy(account: &Account, n: i64) {
    let balance = black_box(account.balance.load(Relaxed)); // balance = balance + n
    switch_now_and_then(); // Python may switch threads here, between the read and the write
    account.balance.store(balance + n, Relaxed);
    let balance = black_box(account.balance.load(Relaxed)); // balance = balance - n
    account.balance.store(balance - n, Relaxed);
    let changes = black_box(account.changes.load(Relaxed));
    switch_now_and_then(); // and here: the other thread's changes are counted in between
    account.changes.store(changes + 1, Relaxed);
}

/// One change in a thousand pauses here for a moment (a sleep of a microsecond, which the
/// system stretches to tens), long enough for the other thread to run in between, as if the
/// system had switched this thread out at that spot: on one core that is the only way the two
/// threads ever meet.
fn switch_now_and_then() {
    if fastrand::u16(..1000) == 0 {
        thread::sleep(std::time::Duration::from_micros(1));
    }
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

/// `read, then write (racy)   balance = -31257, changes lost = 648814 of 2000000`; the changes
/// lost.
fn report(label: &str, (balance, changes): (i64, u64), times: u64) -> u64 {
    let (expected, lost) = (2 * times, 2 * times - changes); // --times is at most 10000000
    println!("{label:<25} balance = {balance}, changes lost = {lost} of {expected}");
    lost
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
    if report("read, then write (racy)", racy.totals(), times) == 0 {
        // Rare, but possible with few changes: say it rather than show a 0 as if it were right.
        println!(
            "  (no change was lost this time: the threads never met mid-change; run it again)"
        );
    }

    let atomic = Account::default();
    run_threads(&atomic, change_it_atomic, times);
    report("fetch_add (atomic)", atomic.totals(), times);

    let locked = Mutex::new((0, 0));
    run_threads(&locked, change_it_locked, times);
    report("Mutex (lock)", shared::lock(&locked).to_owned(), times);
}
