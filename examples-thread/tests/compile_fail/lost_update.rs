// The tutorial's first version of do_lock.py, without the lock, written the way Python does it:
// two threads change one plain variable. Safe Rust refuses to compile it (error E0499), which is
// the point: tests/lost_update.rs checks that it keeps failing, and with which error.
use std::thread;

fn change_it(balance: &mut i64, n: i64) {
    *balance += n;
    *balance -= n;
}

fn main() {
    let mut balance = 0;
    thread::scope(|s| {
        s.spawn(|| {
            for _ in 0..100_000 {
                change_it(&mut balance, 5);
            }
        });
        s.spawn(|| {
            for _ in 0..100_000 {
                change_it(&mut balance, 8);
            }
        });
    });
    println!("{balance}");
}
