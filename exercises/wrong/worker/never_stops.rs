//! Wrong: waits for tasks for ever, skipping what is not a task: not even `None` ends it.
//! Says: the master puts None

use python_interop::Error;
use python_interop::manager::{BaseManager, Names};
use shared::{Arg::Long, OrExit};
use std::time::Duration;

fn main() {
    let mut addr = String::from("127.0.0.1:5000");
    let mut args = shared::start("usage: worker [--addr HOST:PORT]\n\nServes a task master.");
    while let Some(arg) = args.next() {
        match arg {
            Long("addr") => addr = args.value(),
            other => shared::unexpected(other),
        }
    }
    let mut queue_manager = Names::new();
    queue_manager.register("get_task_queue");
    queue_manager.register("get_result_queue");
    println!("Connect to server {addr}...");
    let m = BaseManager::new(queue_manager, &addr, b"abc")
        .connect()
        .or_exit();
    let task = m.queue("get_task_queue").or_exit();
    let result = m.queue("get_result_queue").or_exit();
    loop {
        match task.get(Duration::from_secs(1)).map(|n| n.as_int()) {
            Ok(None) => continue,
            Ok(Some(n)) => {
                println!("run task {n} * {n}...");
                let r = format!("{n} * {n} = {}", i128::from(n) * i128::from(n));
                result.put(r).or_exit();
            }
            Err(Error::Empty) => continue,
            Err(e) => shared::exit_error(e),
        }
    }
    println!("worker exit.");
}
