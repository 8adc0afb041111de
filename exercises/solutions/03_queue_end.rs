//! # 练习 3 · queue_end: a reader that stops when the queue ends
//!
//! Section: 多进程 · 进程间通信 (Inter-process communication), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017628290184064>
//!
//! Read first: `examples-ipc/src/bin/queue.rs`.
//!
//! To do: the reader loops for ever, as Python's does (where Python's waits in `get()`, this one
//! spins a whole core), and the parent waits for it for ever: Python's parent must `terminate()`
//! its reader. Make the reader end by itself once the queue has ended (every writer gone), so
//! that the program ends.
//!
//! Hint: `q.get()` returns `None` once the queue has ended.

use examples_ipc::channel::{self, QueueReader, QueueWriter};
use shared::{Context, OrExit};
use std::process::Stdio;

fn write(q: QueueWriter) -> shared::Result {
    for value in ["A", "B", "C"] {
        println!("Put {value} to queue...");
        q.put(value)?;
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
    shared::start("usage: queue_end\n\nA writer process puts A, B and C; a reader gets them.")
        .no_options();
    // The writer's stderr is the queue; its stdin stays with us, as a lifeline.
    let mut pw = shared::this_program()
        .args(["--child", "write"])
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
