//! Wrong: the locks in opposite orders, without the example's pause: still a deadlock.
//! Says: deadlock

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
