//! Wrong: the example's `Pool::new(5)`, copied: more than five tasks wait for a free worker.
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
    let mut tasks: u32 = 5;
    let mut args = shared::start(
        "usage: pool_of_five [TASKS]\n\nTASKS tasks (5 by default, at most 32) on a pool of worker processes.",
    );
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Value(value) => tasks = shared::cli::parse(value),
            other => shared::unexpected(other),
        }
    }
    if tasks > 32 {
        shared::exit_usage("at most 32 tasks");
    }
    let mut p = Pool::new(5).or_exit();
    for i in 0..tasks {
        p.apply_async(long_time_task, i);
    }
    p.close();
    p.join().or_exit();
    println!("All subprocesses done.");
}
