//! Wrong: each thread releases A before it takes B: never both at once.
//! Says: held locks A and B at once

use exercises::lab::Lock;
use std::thread;

static A: Lock = Lock::new("A");
static B: Lock = Lock::new("B");

fn main() {
    shared::start("usage: deadlock_order\n\nTwo threads, two locks.").no_options();
    thread::scope(|s| {
        s.spawn(|| {
            drop(A.lock());
            let _b = B.lock();
            println!("Thread-1 has A and B.");
        });
        s.spawn(|| {
            drop(A.lock());
            let _b = B.lock();
            println!("Thread-2 has A and B.");
        });
    });
    println!("Both threads finished.");
}
