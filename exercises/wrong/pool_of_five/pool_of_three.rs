//! Wrong: a pool of three worker processes: two tasks wait for a free one.
//! Says: fewer worker processes than tasks

use examples_process::Pool;
use shared::OrExit;
use std::time::Duration;

fn long_time_task(name: u32) {
    println!("Run task {name} ({})...", std::process::id());
    shared::time::sleep(Duration::from_millis(500));
    println!("Task {name} done.");
}

fn main() {
    examples_process::serve_if_worker(long_time_task);
    shared::start("usage: pool_of_five\n\nFive tasks on a pool of worker processes.").no_options();
    // Five tasks at once need five worker processes, whatever the number of cores.
    let mut p = Pool::new(3).or_exit();
    for i in 0..5 {
        p.apply_async(long_time_task, i);
    }
    p.close();
    p.join().or_exit();
    println!("All subprocesses done.");
}
