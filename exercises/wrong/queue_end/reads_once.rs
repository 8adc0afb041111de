//! Wrong: the reader gets one value and stops: no loop.
//! Says: of the

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
    if let Some(value) = q.get()? {
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
