//! # queue_bench: how many messages a second go through queue's pipe between two processes
//!
//! Tutorial: 多进程 · 进程间通信 (Multiprocessing: inter-process communication), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017628290184064>
//!
//! Python sample: none; a measurement beside do_queue.py, with the same writer and reader processes and no pauses.
//!
//! ```text
//! cargo run --release -p examples-ipc --bin queue_bench -- --count 1000000
//! ```
//!
//! Output: (release build, a 2-core Linux VM busy with other builds; an idle machine does better)
//!
//! ```text
//! 1000000 messages through the queue: 2.23 s (min 1.86 s, max 2.73 s, 5 samples)
//! median rate: 449300 messages/s
//! ```
//!
//! What to notice: every message is one `write` by the writer process and (a buffered) `read`
//! by the reader process, so the rate is that of system calls and of the kernel copying bytes
//! between two address spaces, about a microsecond each: far slower than a channel between
//! threads, far faster than a network. Each sample starts both processes, counts every message
//! the reader gets (a run where one is lost fails) and waits for both to end.
//!
//! What Rust does differently: Python's `Queue.put` pickles each object and a feeder thread
//! writes it to the pipe; here a message is a line of text, written at once by the caller.
//! The processes are started the same way as in `queue`: this program again, with
//! `--child write` and `--child read`, the queue going from the writer's stderr to the reader's
//! stdin (see `examples_ipc::channel`).
//!
//! Try: in `channel.rs`, wrap the writer's stderr in a `std::io::BufWriter` and run again: many
//! messages go in one `write`, the rate jumps, and each message waits longer before the reader sees it.

use examples_ipc::channel::{self, Queue, Role};
use shared::Arg::Long;
use std::process::{ExitCode, Stdio};

const USAGE: &str = "\
usage: queue_bench [--count N]

Sends N messages (100000 by default, at most 10000000) from a writer process to a reader process
through a pipe, five times after a warm-up, and prints the median time and rate.
(--child write|read is how the children are started; you do not need to type it.)";

/// The writer: `count` messages, with no pause.
fn write(mut q: Queue, count: u64) {
    for _ in 0..count {
        q.put("m");
    }
}

/// The reader: counts the messages until the queue ends, and fails unless it got them all.
fn read(mut q: Queue, count: u64) {
    let mut got = 0;
    while q.get().is_some() {
        got += 1;
    }
    if got != count {
        shared::exit_error(format!("the reader got {got} of {count} messages"));
    }
}

/// One sample: a writer and a reader process, `count` messages, both waited for.
fn run(count: u64) {
    let mut pw = shared::this_program();
    pw.args(["--child", "write", "--count", &count.to_string()]);
    let mut pw = pw
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the writer");
    let q = pw.stderr.take().expect("the queue's read end");
    let _lifeline = pw.stdin.take();
    let mut pr = shared::this_program()
        .args(["--child", "read", "--count", &count.to_string()])
        .stdin(q)
        .spawn()
        .expect("start the reader");
    let writer = channel::wait(&mut pw, "writer");
    let reader = channel::wait(&mut pr, "reader");
    channel::outcome(&[("reader", reader), ("writer", writer)]);
}

fn main() -> ExitCode {
    let (mut count, mut role) = (100_000u64, None);
    let mut args = shared::start(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            Long("count") => count = args.value_in(1..=10_000_000),
            Long("child") => role = Some(args.value()),
            other => shared::unexpected(other),
        }
    }
    match role {
        Some(Role::Write) => write(Queue::writer_end(), count),
        Some(Role::Read) => read(Queue::reader_end(), count),
        None => {
            shared::bench::warn_if_debug(
                "cargo run --release -p examples-ipc --bin queue_bench -- --count 1000000",
            );
            let stats = shared::bench::measure(1, 5, || run(count));
            println!("{count} messages through the queue: {stats}");
            println!(
                "median rate: {:.0} messages/s",
                count as f64 / stats.median.as_secs_f64()
            );
        }
    }
    ExitCode::SUCCESS
}
