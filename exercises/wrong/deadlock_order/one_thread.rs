//! Wrong: one thread takes both locks and prints both lines.
//! Says: held locks A and B at once

use exercises::lab::Lock;

static A: Lock = Lock::new("A");
static B: Lock = Lock::new("B");

fn main() {
    shared::start("usage: deadlock_order").no_options();
    let _a = A.lock();
    let _b = B.lock();
    println!("Thread-1 has A and B.");
    println!("Thread-2 has A and B.");
    println!("Both threads finished.");
}
