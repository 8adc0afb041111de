//! # 练习 3 · queue_end: 队列结束时停下的读进程 · a reader that stops when the queue ends
//!
//! Section: 多进程 · 进程间通信 (Inter-process communication), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017628290184064>
//!
//! Read first: `examples-ipc/src/bin/queue.rs`.
//!
//! 要做：写进程把程序的每个命令行参数放进队列（默认是 A、B、C），读进程像示例里的一样，读到队列结束
//! 就停下。可是这里父进程先启动读进程，再把队列的写入端交给写进程，整个程序就再也不会结束了。只有
//! 队列的每一个写入端都关闭了，读进程才会看到队列结束：找出还有谁拿着写入端，让它在写进程拿到之后
//! 就放手。
//!
//! To do: the writer puts each of the program's arguments into the queue (A, B and C by default);
//! the reader, like the example's, stops once the queue has ended. But here the parent starts the
//! reader first, then hands the queue's write end to the writer, and the program never ends. A
//! reader sees the end of the queue only once every copy of its write end is closed: find who else
//! still holds one, and make it let go once the writer has its own.
//!
//! 提示 1：写进程退出以后，还有哪个进程拿着队列的写入端？
//! Hint 1: once the writer has exited, which process still holds the queue's write end?
//!
//! 提示 2：`Command` 一直拿着交给它的 `stderr(q)`，直到它被丢弃：`spawn` 之后就 `drop(pw)`。
//! Hint 2: a `Command` keeps the `stderr(q)` it was given until it is dropped: `drop(pw)` right
//! after `spawn`.

use examples_ipc::channel::{self, QueueReader, QueueWriter};
use shared::{Context, OrExit};
use std::process::Stdio;
use std::time::Duration;

fn write(q: QueueWriter) -> shared::Result {
    let values: Vec<String> = std::env::var("QUEUE_VALUES")
        .unwrap_or_default()
        .split(' ')
        .map(String::from)
        .collect();
    for value in values {
        println!("Put {value} to queue...");
        q.put(&value)?;
        shared::time::sleep(Duration::from_millis(200));
    }
    Ok(())
}

fn read(mut q: QueueReader) -> shared::Result {
    // The loop ends with the queue: once every write end is closed.
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
    let mut args = shared::start(
        "usage: queue_end [VALUE...]\n\nA writer process puts the values (A B C by default); a reader gets them.",
    );
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Value(value) => values.push(shared::cli::parse::<String>(value)),
            other => shared::unexpected(other),
        }
    }
    if values.is_empty() {
        values = ["A", "B", "C"].map(String::from).to_vec();
    }
    // 父进程创建Queue，并传给各个子进程 (the parent makes the Queue and hands it to each child):
    // the reader's stdin is the queue's read end; its write end, `q`, becomes the writer's stderr.
    let mut pr = shared::this_program()
        .args(["--child", "read"])
        .stdin(Stdio::piped())
        .spawn()
        .context("cannot start the reader")
        .or_exit();
    let q = pr.stdin.take().expect("the queue's write end");
    let mut pw = shared::this_program();
    pw.args(["--child", "write"])
        .env("QUEUE_VALUES", values.join(" "))
        .stdin(Stdio::piped())
        .stderr(q);
    // 启动子进程pw，写入 (start child process pw, which writes):
    let mut writer = pw.spawn().context("cannot start the writer").or_exit();
    // The Command still holds `q`, a copy of the queue's write end: the queue would never end.
    drop(pw);
    // The writer's stdin stays with us, as a lifeline.
    let _lifeline = writer.stdin.take();
    // 等待pw结束 (wait for pw to end):
    let w = channel::wait(&mut writer, "writer").or_exit();
    // The reader ends with the queue, so we wait for it.
    let r = channel::wait(&mut pr, "reader").or_exit();
    channel::outcome(&[("reader", r), ("writer", w)]).or_exit();
}
