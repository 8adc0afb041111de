//! # pipe: a parent and a child talk both ways through one pipe
//!
//! Tutorial: 多进程 · 进程间通信 (Multiprocessing: inter-process communication, `Queue` and `Pipes`), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017628290184064>
//! Book: `book/src/multiprocessing.md`, built as `book/book/multiprocessing.html`; 中文版 `book/book/zh-CN/multiprocessing.html`
//!
//! Python sample: none; the tutorial names `multiprocessing.Pipe` beside `Queue` without a sample.
//!
//! ```text
//! cargo run -p examples-ipc --bin pipe
//! ```
//!
//! Output: (PIDs differ)
//!
//! ```text
//! Parent process 31712 and child process 31714 share a duplex pipe.
//! parent sends: ping 1
//! child got: ping 1, answers: pong 1
//! parent got: pong 1
//! parent sends: ping 2
//! child got: ping 2, answers: pong 2
//! parent got: pong 2
//! parent sends: ping 3
//! child got: ping 3, answers: pong 3
//! parent got: pong 3
//! parent closes its end.
//! child: the parent closed its end, so the child ends.
//! parent: the child exited with status 0.
//! ```
//!
//! What to notice: one duplex connection carries messages both ways: `Pipe()` gives two
//! connected ends,
//! `parent_conn` and `child_conn`, and whatever one end sends, the other receives. The exchange
//! is in lock step, so the lines always come in this order even though two processes print them.
//! Closing is part of the protocol: when the parent closes its end, the child's `recv` reports
//! the end instead of waiting for ever, and the child ends on its own. The same happens if the
//! parent is killed: the system closes its end. The parent pauses half a second before each
//! message (scaled by `TUTORIAL_TIME_SCALE`) so that you can watch.
//!
//! What Rust does differently: as in `multi_processing` (Python's "spawn"), the child is this
//! program started again (`--child`), and its end of the pipe is its
//! standard streams: it receives on its stdin and answers on its stderr (stdout stays for
//! printing). So this duplex pipe is two one-way pipes (Python's `Pipe()` is a socket pair on
//! Unix and a named pipe on Windows). An end is closed by dropping it; the child sees the end once
//! the last copy of the parent's sending end is gone (see `examples_ipc::channel`). Where Python
//! raises, `recv` returns `None` for an end that was closed (`EOFError`), and `send` to one that
//! was closed loses the message, which the next `recv` then reports (`BrokenPipeError`).
//!
//! Try: comment out `drop(parent_conn);` (and the `println!` before it) and run it: the child
//! waits for a message that never comes, and the parent waits for the child: neither ends
//! (press Ctrl-C).

use examples_ipc::channel::{self, Conn};
use shared::Context;
use std::process::{ExitCode, Stdio};

const USAGE: &str = "\
usage: pipe

A parent and its child process send messages both ways through one duplex pipe.
(--child answer is how the child is started; you do not need to type it.)";

/// The child: answers every `ping n` with `pong n` until the parent closes its end.
fn child(mut child_conn: Conn) -> shared::Result {
    while let Some(message) = child_conn.recv()? {
        let answer = message.replace("ping", "pong");
        println!("child got: {message}, answers: {answer}");
        child_conn.send(&answer);
    }
    println!("child: the parent closed its end, so the child ends.");
    Ok(())
}

fn main() -> ExitCode {
    // In the child (this program started again with `--child answer`): its part.
    shared::run_if_child(|_| child(Conn::to_parent()));
    shared::start(USAGE).no_options();
    shared::finish(run())
}

fn run() -> shared::Result {
    let mut p = shared::this_program()
        .args(["--child", "answer"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot start the child")?;
    let mut parent_conn = Conn::to_child(&mut p);
    println!(
        "Parent process {} and child process {} share a duplex pipe.",
        std::process::id(),
        p.id()
    );
    for n in 1..=3 {
        shared::time::sleep_secs(0.5);
        let message = format!("ping {n}");
        println!("parent sends: {message}");
        parent_conn.send(&message);
        match parent_conn.recv()? {
            Some(answer) => println!("parent got: {answer}"),
            None => {
                channel::outcome(&[("child", channel::wait(&mut p, "child")?)])?;
                let why = format!("the child ended without answering {message}");
                return Err(shared::Error::new(why));
            }
        }
    }
    println!("parent closes its end.");
    drop(parent_conn);
    let status = channel::wait(&mut p, "child")?;
    channel::outcome(&[("child", status)])?;
    println!(
        "parent: the child exited with status {}.",
        status.code().unwrap_or(0)
    );
    Ok(())
}
