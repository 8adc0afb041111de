//! # deadlock: two threads, two locks, opposite order
//!
//! Tutorial: 多线程 · Lock (Multithreading: locks, and their downside, deadlocks), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017629247922688>
//! Book: `book/src/multithreading.md`, built as `book/book/multithreading.html`; 中文版 `book/book/zh-CN/multithreading.html`
//!
//! Python sample: none; the tutorial only warns that threads holding one lock each and waiting
//! for the other's can deadlock.
//!
//! ```text
//! cargo run -p examples-thread --bin deadlock
//! cargo run -p examples-thread --bin deadlock -- --timeline
//! ```
//!
//! Output: (the lines of the two threads may come in any order)
//!
//! ```text
//! Thread-1 holds lock A
//! Thread-2 holds lock B
//! Thread-2 waits for lock A...
//! Thread-1 waits for lock B...
//! deadlock: Thread-1 holds lock A and waits for lock B, held by Thread-2
//! deadlock: Thread-2 holds lock B and waits for lock A, held by Thread-1
//! Fix: every thread takes lock A before lock B.
//! Thread-2 took lock A and lock B 1000000 times
//! Thread-1 took lock A and lock B 1000000 times
//! Both threads finished: no deadlock.
//! ```
//!
//! What to notice: each thread takes its first lock, then both meet at a barrier, so each is sure
//! to hold one lock when it asks for the other: the deadlock happens on every run, not by luck.
//! A real deadlock would hang for ever; here each thread waits at most 1 s (`try_lock_for`,
//! scaled by `TUTORIAL_TIME_SCALE`), then reports who holds what. The fix is one global order:
//! every thread takes A before B, so no thread can hold B while waiting for A.
//!
//! What Rust does differently: nothing stops a deadlock at compile time; Rust prevents data races,
//! not deadlocks. The lock guards do release the locks on every path out of a scope, which is
//! what lets the threads back off cleanly. The locks are `parking_lot`'s `Mutex`, not std's:
//! std's has no timed attempt (`try_lock_for`), which the detection needs; and its `lock()`
//! returns the guard itself, with no `Result` (parking_lot has no poisoning: a thread that
//! panicked holding it just releases it).
//!
//! Try: in `main`'s fix, give Thread-2 the locks in the other order (`run_thread_in_order(&b, &a)`)
//! and run it: it hangs for good (press Ctrl-C), as each thread takes its first lock a million
//! times and sooner or later both hold one when they ask for the other.

use parking_lot::Mutex;
use shared::{Context, OrExit, timeline};
use std::sync::Barrier;
use std::thread;
use std::time::Duration;

const USAGE: &str = "\
usage: deadlock [--timeline] [--trace FILE]

Two threads take locks A and B in opposite order, detect the deadlock, then run the fix.
--timeline draws when each thread held one lock and waited for the other; --trace FILE writes
the same as Chrome trace-event JSON (for ui.perfetto.dev).";

/// How often each thread takes both locks in the fixed version.
const ROUNDS: u32 = 1_000_000;

/// A lock with a name, that remembers which thread holds it so that a deadlock can be reported.
struct NamedLock {
    name: &'static str,
    mutex: Mutex<()>,
    holder: Mutex<Option<String>>,
}

impl NamedLock {
    fn new(name: &'static str) -> Self {
        NamedLock {
            name,
            mutex: Mutex::new(()),
            holder: Mutex::new(None),
        }
    }
}

fn thread_name() -> String {
    thread::current().name().unwrap_or("<unnamed>").to_string()
}

/// Takes `first`, then tries `second` for at most `patience`; reports a deadlock on timeout.
/// `both_hold` makes the two threads hold their first lock before either asks for its second;
/// `both_tried` keeps both first locks held until both threads have given up.
fn run_thread(
    first: &NamedLock,
    second: &NamedLock,
    both_hold: &Barrier,
    both_tried: &Barrier,
    patience: Duration,
) {
    let me = thread_name();
    let _first_guard = first.mutex.lock();
    let holds = timeline::span(&me, format!("holds {}", first.name));
    *first.holder.lock() = Some(me.clone());
    println!("{me} holds lock {}", first.name);
    both_hold.wait();

    println!("{me} waits for lock {}...", second.name);
    drop(holds);
    let waits = timeline::wait(&me, format!("holds {}, waits {}", first.name, second.name));
    let second_guard = second.mutex.try_lock_for(patience);
    drop(waits);
    match second_guard {
        Some(_second_guard) => println!("{me} holds lock {} and lock {}", first.name, second.name),
        None => {
            let holder = second.holder.lock().clone().unwrap_or_default();
            println!(
                "deadlock: {me} holds lock {} and waits for lock {}, held by {holder}",
                first.name, second.name
            );
        }
    }
    both_tried.wait();
    *first.holder.lock() = None;
}

/// The fix: always lock A, then B, as often as you like.
fn run_thread_in_order(a: &NamedLock, b: &NamedLock) {
    let _span = timeline::span(
        thread_name(),
        format!("{} then {}, {ROUNDS}x", a.name, b.name),
    );
    for _ in 0..ROUNDS {
        let _a = a.mutex.lock();
        let _b = b.mutex.lock();
    }
    println!(
        "{} took lock {} and lock {} {ROUNDS} times",
        thread_name(),
        a.name,
        b.name
    );
}

fn spawn_named<'scope, 'env>(
    s: &'scope thread::Scope<'scope, 'env>,
    name: &str,
    f: impl FnOnce() + Send + 'scope,
) {
    thread::Builder::new()
        .name(name.to_string())
        .spawn_scoped(s, f)
        .context(format_args!("cannot start {name}"))
        .or_exit(); // ends the program: a thread at the barrier would wait for ever
}

fn main() {
    shared::start_with_timeline(USAGE).no_options();
    let a = NamedLock::new("A");
    let b = NamedLock::new("B");
    let both_hold = Barrier::new(2);
    let both_tried = Barrier::new(2);
    let patience = shared::time::scaled(Duration::from_secs(1));

    thread::scope(|s| {
        spawn_named(s, "Thread-1", || {
            run_thread(&a, &b, &both_hold, &both_tried, patience)
        });
        spawn_named(s, "Thread-2", || {
            run_thread(&b, &a, &both_hold, &both_tried, patience)
        });
    });

    println!("Fix: every thread takes lock A before lock B.");
    thread::scope(|s| {
        spawn_named(s, "Thread-1", || run_thread_in_order(&a, &b));
        spawn_named(s, "Thread-2", || run_thread_in_order(&a, &b));
    });
    println!("Both threads finished: no deadlock.");
    timeline::print().or_exit(); // with --timeline: each thread holds one lock and waits for the other
}
