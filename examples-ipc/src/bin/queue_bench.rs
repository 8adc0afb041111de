//! # queue_bench: how many messages a second go through queue's pipe between two processes
//!
//! Tutorial: 多进程 · 进程间通信 (Multiprocessing: inter-process communication), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017628290184064>
//! Book: `book/src/multiprocessing.md`, built as `book/book/multiprocessing.html`; 中文版 `book/book/zh-CN/multiprocessing.html`
//!
//! Python sample: none; a measurement beside do_queue.py, with the same writer and reader processes and no pauses.
//!
//! ```text
//! cargo run --release -p examples-ipc --bin queue_bench -- --count 1000000
//! ```
//!
//! Output of `cargo run --release -p examples-ipc --bin queue_bench -- --count 2000000`: (times
//! differ from run to run)
//!
//! ```text
//! 2000000 messages through the queue: 79.00 ms (min 76.30 ms, max 88.60 ms, 5 samples)
//! median rate: 25315685 messages/s
//! ```
//!
//! Output of `cargo run --release -p examples-ipc --bin queue_bench -- --count 2000000 --vs-python`:
//!
//! ```text
//! 2000000 messages through the queue: 78.66 ms (min 75.57 ms, max 91.01 ms, 5 samples)
//! median rate: 25424907 messages/s
//! Python on the same machine, Python 3.11.7 (CPython, GIL on); multiprocessing.Queue, 200000 messages, median of 3 runs:
//!   a message          Rust 39 ns          Python 4.1 µs         Python/Rust 106x
//!   median rate:       Rust 25424907/s, Python 242492/s
//! ```
//!
//! What to notice: `put` only frames the message and returns; the writer's feeder thread writes
//! what has gathered, up to 512 bytes of whole messages in one `write` (about 70 of these short
//! ones), and the reader reads the pipe in large pieces. A `put` waits only when 64 KiB of
//! messages wait to be written, so the writer's memory stays small however many it sends. So a message costs far less than the
//! system call and the kernel's copy between two address spaces, about a microsecond, that it
//! would cost alone: far slower than a channel between threads, far faster than a network. Each
//! sample starts both processes, counts every message the reader gets (a run where one is lost
//! fails) and waits for both to end.
//!
//! What Rust does differently: Python's `Queue.put` pickles each object and its feeder thread
//! writes it to the pipe, one pickle a `write`; here a message is text in a frame, and the
//! feeder writes many at once. The processes are started the same way as in `queue`: this
//! program again, with `--child write=N` and `--child read=N`, the queue going from the
//! writer's stderr to the reader's stdin (see `examples_ipc::channel`).
//!
//! Try: in `examples-ipc/src/channel/frame.rs`, set `PIPE_BUF` to `8`: each message now goes in
//! a `write` of its own, and the rate falls to about a tenth (here 1.8 to 2.1 million a second).

use examples_ipc::channel::{self, QueueReader, QueueWriter};
use shared::{Arg::Long, Context, OrExit};
use std::process::{ExitCode, Stdio};

const USAGE: &str = "\
usage: queue_bench [--count N] [--vs-python]

Sends N messages (100000 by default, at most 10000000) from a writer process to a reader process
through a queue, five times after a warm-up, and prints the median time and rate. --vs-python
then does the same with Python's multiprocessing.Queue in python3 (at most 200000 messages: it
moves about a hundred thousand a second), and prints both rates.
(--child write=N|read=N is how the children are started; you do not need to type it.)";

/// The most messages Python's `mp.Queue` is asked to move in one run.
const PYTHON_COUNT: u64 = 200_000;

/// The last message: the writer has put all its messages.
const END: &str = "end";

/// The writer: `count` messages, with no pause, then [`END`].
fn write(q: QueueWriter, count: u64) -> shared::Result {
    for _ in 0..count {
        q.put("m")?;
    }
    q.put(END)
}

/// The reader: counts the messages until [`END`], and fails unless it got them all. A queue
/// that ends without it is a writer that failed: the parent reports the writer.
fn read(mut q: QueueReader, count: u64) -> shared::Result {
    let mut got = 0;
    loop {
        match q.get()?.as_deref() {
            Some(END) => break,
            Some(_) => got += 1,
            None => return Err(shared::Error::quiet(channel::WRITER_GONE as u8)),
        }
    }
    if got != count {
        return Err(shared::Error::new(format_args!(
            "the reader got {got} of {count} messages"
        )));
    }
    Ok(())
}

/// One sample: a writer and a reader process, `count` messages, both waited for.
fn run(count: u64) -> shared::Result {
    // Wired as in `queue`: the writer's stderr is the queue, its stdin our lifeline to it.
    let child = |role: &str, stdin: Stdio, stderr: Stdio| {
        let mut child = shared::this_program();
        child.args(["--child", &format!("{role}={count}")]);
        child.stdin(stdin).stderr(stderr).spawn()
    };
    let mut pw =
        child("write", Stdio::piped(), Stdio::piped()).context("cannot start the writer")?;
    let (q, _lifeline) = (pw.stderr.take().expect("piped"), pw.stdin.take());
    let mut pr = child("read", q.into(), Stdio::inherit()).context("cannot start the reader")?;
    let (writer, reader) = (
        channel::wait(&mut pw, "writer")?,
        channel::wait(&mut pr, "reader")?,
    );
    channel::outcome(&[("reader", reader), ("writer", writer)])
}

fn main() -> ExitCode {
    // In a child (`--child write=N` or `--child read=N`): its role, for N messages.
    shared::run_if_child(|role| {
        let (role, count) = role.split_once('=').unwrap_or((role, ""));
        let count = count
            .parse()
            .unwrap_or_else(|_| shared::exit_usage("--child ROLE=COUNT"));
        match role {
            "write" => write(QueueWriter::new()?, count),
            "read" => read(QueueReader::new(), count),
            other => shared::exit_usage(format!("unknown child role {other:?}")),
        }
    });
    let (mut count, mut vs_python) = (100_000u64, false);
    let mut args = shared::start(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            Long("count") => count = args.value_in(1..=10_000_000),
            Long("vs-python") => vs_python = true,
            other => shared::unexpected(other),
        }
    }
    shared::bench::warn_if_debug(
        "cargo run --release -p examples-ipc --bin queue_bench -- --count 2000000",
    );
    let stats = match shared::bench::try_measure(1, 5, || run(count)) {
        Ok(stats) => stats,
        Err(e) => return shared::finish(Err(e)),
    };
    let rate = count as f64 / stats.median.as_secs_f64();
    println!("{count} messages through the queue: {stats}");
    println!("median rate: {rate:.0} messages/s");
    if vs_python {
        python_rows(count, rate);
    }
    ExitCode::SUCCESS
}

/// `--vs-python`: Python's `multiprocessing.Queue` between two processes, in the same run.
fn python_rows(count: u64, rate: f64) {
    let Some(py) = shared::python::find().or_exit() else {
        return; // it has said so in one line
    };
    let count = count.min(PYTHON_COUNT);
    println!(
        "Python on the same machine, {}; multiprocessing.Queue, {count} messages, median of 3 runs:",
        py.describe()
    );
    let python = py.queue(count, 3).or_exit();
    let per_message = |rate: f64| std::time::Duration::from_secs_f64(1.0 / rate);
    let row = shared::python::time_row("a message", per_message(rate), per_message(python.rate()));
    println!("{row}");
    println!(
        "  median rate:       Rust {rate:.0}/s, Python {:.0}/s",
        python.rate()
    );
}
