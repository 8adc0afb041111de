//! Wrong: five threads, each printing a made-up PID: no process at all.
//! Says: saw no child process

use std::time::Duration;

fn main() {
    shared::start("usage: pool_of_five").no_options();
    std::thread::scope(|s| {
        for name in 0..5u32 {
            s.spawn(move || {
                println!("Run task {name} ({})...", 40_000 + name);
                shared::time::sleep(Duration::from_millis(500));
                println!("Task {name} done.");
            });
        }
    });
    println!("All subprocesses done.");
}
