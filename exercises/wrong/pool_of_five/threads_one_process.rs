//! Wrong: a thread per task, each printing the one process's real PID.
//! Says: each task in a worker process of its own

use std::time::Duration;

fn main() {
    let tasks: u32 = std::env::args().nth(1).map_or(5, |n| n.parse().unwrap());
    std::thread::scope(|s| {
        for name in 0..tasks {
            s.spawn(move || {
                println!("Run task {name} ({})...", std::process::id());
                shared::time::sleep(Duration::from_millis(500));
                println!("Task {name} done.");
            });
        }
    });
    println!("All subprocesses done.");
}
