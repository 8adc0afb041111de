//! Wrong: no lock taken: the lines printed alone.
//! Says: held locks A and B at once

fn main() {
    shared::start("usage: deadlock_order").no_options();
    std::thread::scope(|s| {
        s.spawn(|| println!("Thread-1 has A and B."));
        s.spawn(|| println!("Thread-2 has A and B."));
    });
    println!("Both threads finished.");
}
