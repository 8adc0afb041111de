//! Wrong: a child process per task, but each waited for before the next starts.
//! Says: only once another had finished

use std::time::Duration;

fn main() {
    shared::run_if_child(|name| {
        println!("Run task {name} ({})...", std::process::id());
        shared::time::sleep(Duration::from_millis(500));
        println!("Task {name} done.");
    });
    let tasks: u32 = std::env::args().nth(1).map_or(5, |n| n.parse().unwrap());
    for name in 0..tasks {
        let status = shared::this_program().args(["--child", &name.to_string()]).status();
        assert!(status.is_ok_and(|s| s.success()));
    }
    println!("All subprocesses done.");
}
