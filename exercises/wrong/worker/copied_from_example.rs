//! Wrong: the example's loop, copied: an empty queue for 1 s taken for the end of the tasks.
//! Says: the master put

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
    // 从task队列取任务,并把结果写入result队列 (take tasks from the task queue, put results in the result queue):
    loop {
        match task.get(Duration::from_secs(1)) {
            Ok(t) => match t.as_int() {
                Some(n) => {
                    println!("run task {n} * {n}...");
                    let r = format!("{n} * {n} = {}", i128::from(n) * i128::from(n));
                    result.put(r).or_exit();
                }
                None => {
                    eprintln!("cannot run task {t:?}: not an integer; given back");
                    m.give_back();
                }
            },
            Err(Error::Empty) => {
                println!("task queue is empty.");
                break;
            }
            Err(e) => shared::exit_error(e),
        }
    }
    // 处理结束 (done):
    println!("worker exit.");
}
