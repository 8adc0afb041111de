//! # pipe: a parent and a child talk both ways through one pipe
//!
//! Tutorial: 多进程 · 进程间通信 (Multiprocessing: inter-process communication, `Queue` and `Pipes`), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017628290184064>
//!
//! Python sample: none; the tutorial names `multiprocessing.Pipe` beside `Queue` without a sample.
//!
//! ```text
//! cargo run -p examples-ipc --bin pipe
//! ```
//!
//! Output (PIDs differ):
//!
//! ```text
//! Parent process 700 and child process 701 share a duplex pipe.
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
//! What to notice: one pipe carries messages both ways: `Pipe()` gives two connected ends,
//! `parent_conn` and `child_conn`, and whatever one end sends, the other receives. The exchange
//! is in lock step, so the lines always come in this order even though two processes print them.
//! Closing is part of the protocol: when the parent closes its end, the child's `recv` reports
//! the end instead of waiting for ever, and the child ends on its own.
//!
//! What Rust does differently: `multiprocessing.Pipe()` is a pair of connected Unix sockets, and
//! so is `UnixStream::pair()`; each message is one line. As in `queue`, each process closes the
//! end it does not use, or the other side would never see the end. Unix only (fork).

#[cfg(unix)]
mod unix {
    use nix::sys::wait::{WaitStatus, waitpid};
    use nix::unistd::{ForkResult, fork};
    use std::io::{BufRead, BufReader, Write};
    use std::os::unix::net::UnixStream;
    use std::process::ExitCode;

    const USAGE: &str = "\
usage: pipe

A parent and its child process send messages both ways through one duplex pipe. Unix only.";

    /// Sends one message (one line) through the connection.
    fn send(conn: &mut UnixStream, message: &str) {
        if let Err(e) = writeln!(conn, "{message}") {
            shared::exit_error(format!("send: {e}"));
        }
    }

    /// Receives one message; `None` when the other end has been closed.
    fn recv(conn: &mut BufReader<UnixStream>) -> Option<String> {
        let mut line = String::new();
        match conn.read_line(&mut line) {
            Ok(0) => None,
            Ok(_) => Some(line.trim_end().to_string()),
            Err(e) => shared::exit_error(format!("recv: {e}")),
        }
    }

    /// The child: answers every `ping n` with `pong n` until the parent closes its end.
    fn child(child_conn: UnixStream) {
        let mut answers = child_conn
            .try_clone()
            .unwrap_or_else(|e| shared::exit_error(format!("child: {e}")));
        let mut conn = BufReader::new(child_conn);
        while let Some(message) = recv(&mut conn) {
            let answer = message.replace("ping", "pong");
            println!("child got: {message}, answers: {answer}");
            send(&mut answers, &answer);
        }
        println!("child: the parent closed its end, so the child ends.");
    }

    pub fn main() -> ExitCode {
        shared::start(USAGE).no_options();
        let (mut parent_conn, child_conn) = UnixStream::pair()
            .unwrap_or_else(|e| shared::exit_error(format!("cannot make a pipe: {e}")));

        // SAFETY: this program has no other thread when it forks (it never starts one), so the
        // child is a complete copy of a single-threaded process and may do anything the parent
        // could. It leaves through `exit` and never reaches the parent's code below.
        let pid = match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                drop(parent_conn); // the child uses only its own end
                child(child_conn);
                std::process::exit(0);
            }
            Ok(ForkResult::Parent { child }) => child,
            Err(e) => shared::exit_error(format!("fork: {e}")),
        };
        drop(child_conn); // the parent uses only its own end
        println!(
            "Parent process {} and child process {pid} share a duplex pipe.",
            std::process::id()
        );

        let mut replies = BufReader::new(
            parent_conn
                .try_clone()
                .unwrap_or_else(|e| shared::exit_error(format!("parent: {e}"))),
        );
        for n in 1..=3 {
            let message = format!("ping {n}");
            println!("parent sends: {message}");
            send(&mut parent_conn, &message);
            match recv(&mut replies) {
                Some(answer) => println!("parent got: {answer}"),
                None => shared::exit_error("the child closed its end early"),
            }
        }
        println!("parent closes its end.");
        drop((parent_conn, replies));

        match waitpid(pid, None) {
            Ok(WaitStatus::Exited(_, code)) => {
                println!("parent: the child exited with status {code}.");
                ExitCode::SUCCESS
            }
            Ok(status) => shared::exit_error(format!("the child ended badly: {status:?}")),
            Err(e) => shared::exit_error(format!("waitpid: {e}")),
        }
    }
}

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    unix::main()
}

#[cfg(not(unix))]
fn main() {
    eprintln!("pipe hands the pipe's ends to its child with fork, which only exists on Unix.");
    std::process::exit(1);
}
