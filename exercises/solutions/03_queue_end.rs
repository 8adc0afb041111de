//! # 练习 3 · queue_end: 队列结束时停下的读进程 · a reader that stops when the queue ends
//!
//! Section: 多进程 · 进程间通信 (Inter-process communication), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017628290184064>
//!
//! Read first: `examples-ipc/src/bin/queue.rs`.
//!
//! 要做：写进程把程序的每个命令行参数放进队列（默认是 A、B、C）。读进程像 Python 的一样永远循环下去
//! （Python 的读进程在 `get()` 里等待，这里的却空转占满一个核），父进程也就永远等着它：Python 的父
//! 进程只好用 `terminate()` 终止读进程。让读进程在队列结束（所有写进程都已退出）后自行结束，整个程
//! 序也就能结束了。
//!
//! To do: the writer puts each of the program's arguments into the queue (A, B and C by default).
//! The reader loops for ever, as Python's does (where Python's waits in `get()`, this one spins a
//! whole core), and the parent waits for it for ever: Python's parent must `terminate()` its
//! reader. Make the reader end by itself once the queue has ended (every writer gone), so that the
//! program ends.
//!
//! 提示 1：`q.get()` 除了返回一个值，还可能返回什么？
//! Hint 1: what else than a value can `q.get()` return?
//!
//! 提示 2：队列结束后，`q.get()` 返回 `None`：`while let Some(value) = q.get()? { ... }`。
//! Hint 2: `q.get()` returns `None` once the queue has ended: `while let Some(value) = q.get()? {
//! ... }`.

use examples_ipc::channel::{self, QueueReader, QueueWriter};
use shared::{Context, OrExit};
use std::process::Stdio;
use std::time::Duration;

fn write(q: QueueWriter) -> shared::Result {
    let values: Vec<String> = std::env::var("QUEUE_VALUES").unwrap_or_default().split(' ').map(String::from).collect();
    for value in values {
        println!("Put {value} to queue...");
        q.put(&value)?;
        shared::time::sleep(Duration::from_millis(200));
    }
    Ok(())
}

fn read(mut q: QueueReader) -> shared::Result {
    // The loop ends with the queue: once the writer has exited.
    while let Some(value) = q.get()? {
        println!("Get {value} from queue.");
    }
    Ok(())
}

fn main() {
    shared::run_if_child(|role| match role {
        "write" => write(QueueWriter::new()?),
        "read" => read(QueueReader::new()),
        other => shared::exit_usage(format!("unknown child role {other:?}")),
    });
    let mut values = Vec::new();
    let mut args = shared::start("usage: queue_end [VALUE...]\n\nA writer process puts the values (A B C by default); a reader gets them.");
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Value(value) => values.push(shared::cli::parse::<String>(value)),
            other => shared::unexpected(other),
        }
    }
    if values.is_empty() {
        values = ["A", "B", "C"].map(String::from).to_vec();
    }
    // The writer's stderr is the queue; its stdin stays with us, as a lifeline.
    let mut pw = shared::this_program()
        .args(["--child", "write"])
        .env("QUEUE_VALUES", values.join(" "))
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot start the writer")
        .or_exit();
    let q = pw.stderr.take().expect("the queue's read end");
    let _lifeline = pw.stdin.take();
    let mut pr = shared::this_program()
        .args(["--child", "read"])
        .stdin(q)
        .spawn()
        .context("cannot start the reader")
        .or_exit();
    let writer = channel::wait(&mut pw, "writer").or_exit();
    let reader = channel::wait(&mut pr, "reader").or_exit();
    channel::outcome(&[("reader", reader), ("writer", writer)]).or_exit();
}
