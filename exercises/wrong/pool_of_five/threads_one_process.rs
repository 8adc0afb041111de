//! Wrong: five threads, each printing the one process's real PID.
//! Says: not in five

use std::time::Duration;

fn main() {
    shared::start("usage: pool_of_five").no_options();
    std::thread::scope(|s| {
        for name in 0..5u32 {
            s.spawn(move || {
                println!("Run task {name} ({})...", std::process::id());
                shared::time::sleep(Duration::from_millis(500));
                println!("Task {name} done.");
            });
        }
    });
    println!("All subprocesses done.");
}
