//! Wrong: a thread per task, each printing a made-up PID: no process at all.
//! Says: saw no child process

use std::time::Duration;

fn main() {
    let tasks: u32 = std::env::args().nth(1).map_or(5, |n| n.parse().unwrap());
    std::thread::scope(|s| {
        for name in 0..tasks {
            s.spawn(move || {
                println!("Run task {name} ({})...", 40_000 + name);
                shared::time::sleep(Duration::from_millis(500));
                println!("Task {name} done.");
            });
        }
    });
    println!("All subprocesses done.");
}
