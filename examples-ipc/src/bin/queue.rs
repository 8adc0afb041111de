//! # queue: a writer process and a reader process share a queue
//!
//! Tutorial: 多进程 · 进程间通信 (Multiprocessing: inter-process communication), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017628290184064>
//! Book: `book/src/multiprocessing.md`, built as `book/book/multiprocessing.html`; 中文版 `book/book/zh-CN/multiprocessing.html`
//!
//! Python sample: [do_queue.py](https://github.com/michaelliao/learn-python3/blob/master/samples/multitask/do_queue.py)
//!
//! ```text
//! cargo run -p examples-ipc --bin queue
//! ```
//!
//! Output: (PIDs differ; the lines of the two processes may come in any order)
//!
//! ```text
//! Process to write: 31717
//! Put A to queue...
//! Process to read: 31718
//! Get A from queue.
//! Put B to queue...
//! Get B from queue.
//! Put C to queue...
//! Get C from queue.
//! ```
//!
//! What to notice: the parent makes the queue and starts a writer and a reader, each with its
//! end of it. Whatever the writer puts, the reader gets, in order, although they are separate
//! processes with separate memory: the bytes go through the kernel.
//!
//! What Rust does differently: the children are this program started again (`--child write`,
//! `--child read`), as in `multi_processing`, Python's "spawn". The queue is an OS pipe from the
//! writer's stderr to the reader's stdin; what a writer prints there that is not a message (a
//! panic, say) reaches the terminal. As in Python, `put` returns at once and a feeder thread
//! writes (`examples_ipc::channel`). The reader needs no `terminate()`: its loop ends when no
//! process holds the write end any more, even if the parent is killed.
//!
//! Try: make `read` loop for ever as Python's does, `loop { if let Some(value) = q.get()? {
//! println!("Get {value} from queue."); } }`: the program never ends (press Ctrl-C), and the
//! reader, finding the queue at its end again and again, spins on a whole core. That is why
//! do_queue.py must `terminate()` its reader.

use examples_ipc::channel::{self, QueueReader, QueueWriter};
use shared::Context;
use std::process::{ExitCode, Stdio};

const USAGE: &str = "\
usage: queue

The parent makes a queue (a pipe); a writer process puts A, B and C, a reader process gets them.
(--child write|read is how the children are started; you do not need to type it.)";

// 写数据进程执行的代码 (the code the writer process runs):
fn write(q: QueueWriter) -> shared::Result {
    println!("Process to write: {}", std::process::id());
    for value in ["A", "B", "C"] {
        println!("Put {value} to queue...");
        q.put(value)?;
        shared::time::sleep_secs(fastrand::f64());
    }
    Ok(())
}

// 读数据进程执行的代码 (the code the reader process runs):
fn read(mut q: QueueReader) -> shared::Result {
    println!("Process to read: {}", std::process::id());
    // Python loops for ever; this loop ends with the queue: once the writer has exited.
    while let Some(value) = q.get()? {
        println!("Get {value} from queue.");
    }
    Ok(())
}

fn main() -> ExitCode {
    // In a child (this program started again with `--child write` or `--child read`): its role.
    shared::run_if_child(|role| match role {
        "write" => write(QueueWriter::new()?),
        "read" => read(QueueReader::new()),
        other => shared::exit_usage(format!("unknown child role {other:?}")),
    });
    shared::start(USAGE).no_options();
    shared::finish(run())
}

fn run() -> shared::Result {
    // 父进程创建Queue，并传给各个子进程 (the parent makes the Queue and hands it to each child):
    // the writer's stderr becomes the queue; its stdin stays with us, as a lifeline.
    let mut pw = shared::this_program();
    pw.args(["--child", "write"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped());
    // 启动子进程pw，写入 (start child process pw, which writes):
    let mut pw = pw.spawn().context("cannot start the writer")?;
    let q = pw.stderr.take().expect("the queue's read end");
    let _lifeline = pw.stdin.take(); // kept until we exit (`wait` would close it)
    // 启动子进程pr，读取 (start child process pr, which reads):
    let mut pr = shared::this_program()
        .args(["--child", "read"])
        .stdin(q)
        .spawn()
        .context("cannot start the reader")?;
    // 等待pw结束 (wait for pw to end):
    let writer = channel::wait(&mut pw, "writer")?;
    // pr进程里是死循环，无法等待其结束，只能强行终止 (pr loops for ever, so Python cannot wait for
    // it and must terminate it): our reader ends with the queue, so we wait for it.
    let reader = channel::wait(&mut pr, "reader")?;
    channel::outcome(&[("reader", reader), ("writer", writer)])
}
