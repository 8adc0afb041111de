//! Wrong: five child processes, but each waited for before the next starts.
//! Says: only once another had finished

use std::time::Duration;

fn main() {
    shared::run_if_child(|name| {
        println!("Run task {name} ({})...", std::process::id());
        shared::time::sleep(Duration::from_millis(500));
        println!("Task {name} done.");
    });
    shared::start("usage: pool_of_five").no_options();
    for name in 0..5 {
        let status = shared::this_program().args(["--child", &name.to_string()]).status();
        assert!(status.is_ok_and(|s| s.success()));
    }
    println!("All subprocesses done.");
}
