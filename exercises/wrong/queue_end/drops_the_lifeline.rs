//! Wrong: lets go of the writer's lifeline instead of the queue: the Command still holds a write end.
//! Says: the reader never ended

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
    // The writer's stdin stays with us, as a lifeline.
    drop(writer.stdin.take());
    // 等待pw结束 (wait for pw to end):
    let w = channel::wait(&mut writer, "writer").or_exit();
    // The reader ends with the queue, so we wait for it.
    let r = channel::wait(&mut pr, "reader").or_exit();
    channel::outcome(&[("reader", r), ("writer", w)]).or_exit();
}
