//! The machinery of `queue`, `queue_bench` and `pipe`: pipes between processes started the
//! "spawn" way, on every platform.
//!
//! Python's `multiprocessing` on Windows and macOS (and with Python 3.14, on Linux too) does not
//! fork: it starts the interpreter again and hands each child the handles of the queue or pipe it
//! needs. Rust's standard library has one portable, safe way to hand a child process a pipe end:
//! as one of its three standard streams (`Stdio::piped()`, or a `ChildStdout`/`ChildStderr`/
//! `ChildStdin` of another child turned into a `Stdio`). Each child keeps its stdout for printing,
//! so the wiring is:
//!
//! - **queue**: the writer's *stderr* is the queue's write end; the parent hands the read end
//!   (`ChildStderr`) to the reader as its *stdin*. One message a line ([`Queue::put`],
//!   [`Queue::get`]).
//! - **pipe**: the parent writes to the child's stdin and reads the child's stderr: a duplex
//!   connection ([`Conn`]) made of two one-way pipes.
//!
//! **The trap**: a reader sees the end of a pipe only once *every* copy of its write end is
//! closed. The standard library closes the parent's copy of a child's end right after the spawn
//! and marks its pipes close-on-exec (Unix) or non-inheritable (Windows), so the reader inherits
//! no stray copy. A `ChildStdin` the parent keeps, or a `Command` kept alive while it still holds
//! a `Stdio` made from one, is such a copy: the reader then waits for ever.
//!
//! **When the parent is killed** (`kill -9`), nothing runs in it to stop the children, so each
//! child must notice by itself. Portably, through a pipe: the parent holds the write end of
//! the child's stdin, and the kernel closes it when the parent dies, however it dies. The `pipe`
//! child reads its stdin anyway (its `recv` ends); the queue's writer runs a thread that waits
//! for its stdin to end ([`exit_with_parent`]); the queue's reader ends with the queue, when the
//! writer has gone. (Linux's `PR_SET_PDEATHSIG` would do it too, but only on Linux.)
//!
//! **Exit statuses** ([`outcome`]): a child whose stdout is closed (`queue | head -1`) ends
//! quietly with 141, as every example does, and so does the parent; a writer whose reader is gone
//! exits with [`READER_GONE`]; anything else is reported in words, naming the process that failed.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::{Child, ExitCode, ExitStatus};

/// The exit status of a program whose stdout was closed (`| head -1`): see `shared::start`.
pub const STDOUT_CLOSED: i32 = 141;

/// The exit status of the queue's writer when nobody reads the queue any more.
pub const READER_GONE: i32 = 3;

/// The role of a child process, from its `--child` option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Write,
    Read,
}

impl std::str::FromStr for Role {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "write" => Ok(Role::Write),
            "read" => Ok(Role::Read),
            _ => Err("the child's role is `write` or `read`"),
        }
    }
}

/// One end of a queue between two processes: one message a line.
pub struct Queue {
    put: Option<io::Stderr>,
    get: Option<io::StdinLock<'static>>,
}

impl Queue {
    /// The writer's end: this process's stderr, which the parent piped to the reader's stdin.
    /// Also starts [`exit_with_parent`], since the writer's stdin is the parent's lifeline.
    pub fn writer_end() -> Queue {
        exit_with_parent();
        Queue {
            put: Some(io::stderr()),
            get: None,
        }
    }

    /// The reader's end: this process's stdin, which the parent made the writer's stderr.
    pub fn reader_end() -> Queue {
        Queue {
            put: None,
            get: Some(io::stdin().lock()),
        }
    }

    /// Puts one message: one `write` call, so the reader can have it at once. When nobody
    /// reads the queue any more, the writer has no reason to go on: it exits with
    /// [`READER_GONE`], and the parent says what happened to the reader.
    pub fn put(&mut self, value: &str) {
        let q = self.put.as_mut().expect("put on the writer's end");
        if q.write_all(format!("{value}\n").as_bytes()).is_err() {
            std::process::exit(READER_GONE);
        }
    }

    /// Gets the next message; `None` once the queue has ended: every write end is closed.
    pub fn get(&mut self) -> Option<String> {
        let q = self.get.as_mut().expect("get on the reader's end");
        read_message(q, "the queue")
    }
}

/// One line without its newline; `None` at the end of the stream.
fn read_message(from: &mut impl BufRead, what: &str) -> Option<String> {
    let mut line = String::new();
    match from.read_line(&mut line) {
        Ok(0) => None,
        Ok(_) => Some(line.trim_end_matches(['\n', '\r']).to_string()),
        Err(e) => shared::exit_error(format!("cannot read from {what}: {e}")),
    }
}

/// Ends this process as soon as its stdin ends: the parent holds the only write end of it, and
/// the system closes that when the parent exits or is killed. Runs in a thread of its own.
pub fn exit_with_parent() {
    std::thread::spawn(|| {
        let mut sink = [0u8; 64];
        // Whatever the parent might send is ignored; the end (or an error) means it is gone.
        while matches!(io::stdin().read(&mut sink), Ok(n) if n > 0) {}
        std::process::exit(1);
    });
}

/// A duplex connection between a parent and its child, made of two one-way pipes: what one end
/// sends, the other receives, one message a line.
pub struct Conn {
    send: Box<dyn Write>,
    recv: Box<dyn BufRead>,
}

impl Conn {
    /// The parent's end, to a child started with its stdin and stderr piped.
    pub fn to_child(child: &mut Child) -> Conn {
        let send = child.stdin.take().expect("the child's stdin is piped");
        let recv = child.stderr.take().expect("the child's stderr is piped");
        Conn {
            send: Box::new(send),
            recv: Box::new(BufReader::new(recv)),
        }
    }

    /// The child's end: it receives on its stdin and sends on its stderr.
    pub fn to_parent() -> Conn {
        Conn {
            send: Box::new(io::stderr()),
            recv: Box::new(io::stdin().lock()),
        }
    }

    /// Sends one message. If the other end is gone the message is lost, and the next
    /// [`Conn::recv`] says so.
    pub fn send(&mut self, message: &str) {
        let _ = self.send.write_all(format!("{message}\n").as_bytes());
        let _ = self.send.flush();
    }

    /// Receives one message; `None` when the other end has been closed.
    pub fn recv(&mut self) -> Option<String> {
        read_message(&mut self.recv, "the pipe")
    }
}

/// What happened to a child, in words: `exited with status 1`, `was killed by signal 9 (SIGKILL)`.
pub fn describe(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = nix::sys::signal::Signal::try_from(signal)
                .map(|s| format!(" ({})", s.as_str()))
                .unwrap_or_default();
            return format!("was killed by signal {signal}{name}");
        }
    }
    match status.code() {
        Some(code) => format!("exited with status {code}"),
        None => format!("ended: {status}"),
    }
}

/// Waits for a child; failing to wait is not part of any lesson.
pub fn wait(child: &mut Child, who: &str) -> ExitStatus {
    child
        .wait()
        .unwrap_or_else(|e| shared::exit_error(format!("cannot wait for the {who}: {e}")))
}

/// How the parent ends after its children: see [`verdict`].
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Success,
    /// The stdout they share is closed (`| head -1`): end quietly with [`STDOUT_CLOSED`].
    StdoutClosed,
    /// What went wrong, in words, for an `error:` line.
    Failed(String),
}

/// The verdict on the children, named with their exit statuses: quiet if the stdout they share
/// is closed, else the first child (in the order given) that did not succeed. Give the reader
/// before the writer: a reader that dies makes the writer stop ([`READER_GONE`]), and the
/// reader is what to report then.
pub fn verdict(children: &[(&str, ExitStatus)]) -> Verdict {
    if children
        .iter()
        .any(|(_, s)| s.code() == Some(STDOUT_CLOSED))
    {
        return Verdict::StdoutClosed;
    }
    for (who, status) in children {
        match status.code() {
            Some(0) => {}
            Some(READER_GONE) if *who == "writer" => {
                return Verdict::Failed("the reader stopped reading before the queue ended".into());
            }
            _ => return Verdict::Failed(format!("the {who} {}", describe(*status))),
        }
    }
    Verdict::Success
}

/// The parent's end after its children ([`verdict`]): success, a quiet exit with
/// [`STDOUT_CLOSED`], or one `error:` line and exit status 1.
pub fn outcome(children: &[(&str, ExitStatus)]) -> ExitCode {
    match verdict(children) {
        Verdict::Success => ExitCode::SUCCESS,
        Verdict::StdoutClosed => std::process::exit(STDOUT_CLOSED),
        Verdict::Failed(message) => shared::exit_error(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles() {
        assert_eq!("write".parse(), Ok(Role::Write));
        assert_eq!("read".parse(), Ok(Role::Read));
        assert!("other".parse::<Role>().is_err());
    }

    #[test]
    fn messages_are_lines() {
        let mut input = io::Cursor::new(b"A\nB\r\nC".to_vec());
        let got: Vec<_> = std::iter::from_fn(|| read_message(&mut input, "test")).collect();
        assert_eq!(got, ["A", "B", "C"]);
    }

    #[cfg(unix)]
    #[test]
    fn verdicts_name_what_happened() {
        use std::os::unix::process::ExitStatusExt;
        let exited = |code: i32| ExitStatus::from_raw(code << 8);
        let killed = |signal: i32| ExitStatus::from_raw(signal);
        // A closed stdout is quiet, whoever met it first: the writer, the reader, pipe's child.
        assert_eq!(
            verdict(&[("reader", exited(0)), ("writer", exited(141))]),
            Verdict::StdoutClosed
        );
        assert_eq!(verdict(&[("child", exited(141))]), Verdict::StdoutClosed);
        // A killed reader is reported, not the writer that stopped because of it.
        assert_eq!(
            verdict(&[("reader", killed(9)), ("writer", exited(READER_GONE))]),
            Verdict::Failed("the reader was killed by signal 9 (SIGKILL)".into())
        );
        assert_eq!(
            verdict(&[("reader", exited(0)), ("writer", exited(1))]),
            Verdict::Failed("the writer exited with status 1".into())
        );
        assert_eq!(
            verdict(&[("reader", exited(0)), ("writer", exited(0))]),
            Verdict::Success
        );
    }
}
