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
//!   (`ChildStderr`) to the reader as its *stdin* ([`QueueWriter::put`], [`QueueReader::get`]:
//!   two types, so that a `get` on the writer's end does not compile).
//! - **pipe**: the parent writes to the child's stdin and reads the child's stderr: a duplex
//!   connection ([`Conn`]) made of two one-way pipes.
//!
//! **Messages are framed** ([`frame`]): a stderr also carries `eprintln!` and panic messages, so
//! the reader takes only frames as messages and passes anything else on to the terminal. As in
//! Python, `QueueWriter::put` returns at once (unless 64 KiB wait already: `frame::MAX_WAITING`)
//! and a feeder thread writes what has gathered; `Conn::send` writes at once.
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
//! ends with [`READER_GONE`]; anything else is reported in words, naming the process that failed.

pub mod frame;

use frame::{Feeder, FrameReader};
use shared::process::{STDOUT_CLOSED, how_it_ended};
use shared::{Context, Error};
use std::io::{self, Read, Write};
use std::process::{Child, ChildStderr, ChildStdin, ExitStatus};

/// The exit status of the queue's writer when nobody reads the queue any more.
pub const READER_GONE: i32 = 3;
/// The exit status of a reader whose queue ended before the writer's last message: the writer's
/// own status says why (a writer killed by a signal cannot say it itself).
pub const WRITER_GONE: i32 = 4;

/// The writer's end of a queue between two processes: `q.put(value)`.
pub struct QueueWriter(Feeder);

/// The reader's end of a queue between two processes: `q.get()`.
pub struct QueueReader(FrameReader<io::StdinLock<'static>, io::Stderr>);

impl QueueWriter {
    /// The writer's end in a writer process: its stderr, which the parent piped to the reader's
    /// stdin, fed by a thread of its own. Also starts [`exit_with_parent`], since the writer's
    /// stdin is the parent's lifeline.
    pub fn new() -> shared::Result<QueueWriter> {
        exit_with_parent()?;
        let feeder = Feeder::to_stderr().context("cannot start the queue's feeder thread")?;
        Ok(QueueWriter(feeder))
    }

    /// Puts one message, Python's `q.put(value)`: it returns at once (unless 64 KiB wait
    /// already), and the feeder writes it at once. An error once nobody reads the queue any
    /// more (status [`READER_GONE`]).
    pub fn put(&self, value: &str) -> shared::Result {
        self.0.put(value.as_bytes())
    }
}

impl QueueReader {
    /// The reader's end in a reader process: its stdin, which the parent made the writer's
    /// stderr. Whatever the writer prints on that stderr besides messages goes on to ours.
    pub fn new() -> QueueReader {
        QueueReader(FrameReader::new(io::stdin().lock(), io::stderr()))
    }

    /// Gets the next message; `None` once the queue has ended: every write end is closed.
    pub fn get(&mut self) -> shared::Result<Option<String>> {
        let message = self
            .0
            .next_message()
            .context("cannot read from the queue")?;
        Ok(message.map(|m| String::from_utf8_lossy(&m).into_owned()))
    }
}

impl Default for QueueReader {
    fn default() -> QueueReader {
        QueueReader::new()
    }
}

/// Ends this process as soon as its stdin ends: the parent holds the only write end of it, and
/// the system closes that when the parent exits or is killed. Runs in a thread of its own.
/// (Ending the process is the point: a child must not outlive its parent.)
pub fn exit_with_parent() -> shared::Result {
    std::thread::Builder::new()
        .name("lifeline".into())
        .spawn(|| {
            let mut sink = [0u8; 64];
            // Whatever the parent might send is ignored; the end (or an error) means it is gone.
            while matches!(io::stdin().read(&mut sink), Ok(n) if n > 0) {}
            std::process::exit(1);
        })
        .context("cannot start the lifeline thread")?;
    Ok(())
}

/// A duplex connection between a parent and its child, made of two one-way pipes: what one end
/// sends, the other receives, one message at a time.
pub struct Conn {
    send: Box<dyn Write>,
    recv: FrameReader<Box<dyn Read>, io::Stderr>,
}

impl Conn {
    /// The parent's end, to a child started with its stdin and stderr piped.
    pub fn to_child(child: &mut Child) -> Conn {
        let send: ChildStdin = child.stdin.take().expect("the child's stdin is piped");
        let recv: ChildStderr = child.stderr.take().expect("the child's stderr is piped");
        Conn {
            send: Box::new(send),
            recv: FrameReader::new(Box::new(recv), io::stderr()),
        }
    }

    /// The child's end: it receives on its stdin and sends on its stderr.
    pub fn to_parent() -> Conn {
        Conn {
            send: Box::new(io::stderr()),
            recv: FrameReader::new(Box::new(io::stdin()), io::stderr()),
        }
    }

    /// Sends one message, written at once. If the other end is gone the message is lost, and
    /// the next [`Conn::recv`] says so.
    pub fn send(&mut self, message: &str) {
        let mut frame = Vec::with_capacity(message.len() + 6);
        frame::encode(message.as_bytes(), &mut frame);
        let _ = self.send.write_all(&frame);
        let _ = self.send.flush();
    }

    /// Receives one message; `None` when the other end has been closed.
    pub fn recv(&mut self) -> shared::Result<Option<String>> {
        let message = self
            .recv
            .next_message()
            .context("cannot read from the pipe")?;
        Ok(message.map(|m| String::from_utf8_lossy(&m).into_owned()))
    }
}

/// Waits for a child.
pub fn wait(child: &mut Child, who: &str) -> shared::Result<ExitStatus> {
    child
        .wait()
        .context(format_args!("cannot wait for the {who}"))
}

/// How the parent ends after its children: see [`verdict`].
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Success,
    /// The stdout they share is closed (`| head -1`): end quietly with [`STDOUT_CLOSED`].
    StdoutClosed,
    /// A child ended with an `error:` line of its own (status 1): end quietly with status 1,
    /// so that the line comes once.
    Said,
    /// What went wrong, in words, for an `error:` line.
    Failed(String),
}

/// The verdict on the children, named with their exit statuses: quiet if the stdout they share
/// is closed, else the first child (in the order given) that did not succeed; quiet too if that
/// child has said why itself (status 1). Give the reader before the writer: a reader that dies
/// makes the writer stop ([`READER_GONE`]), and the reader is what to report then; a reader
/// whose queue was cut short ([`WRITER_GONE`]) leaves the word to the writer.
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
            Some(WRITER_GONE) if *who == "reader" => {}
            Some(1) => return Verdict::Said,
            Some(READER_GONE) if *who == "writer" => {
                return Verdict::Failed("the reader stopped reading before the queue ended".into());
            }
            _ => return Verdict::Failed(format!("the {who} {}", how_it_ended(*status))),
        }
    }
    if children.iter().any(|(_, s)| s.code() == Some(WRITER_GONE)) {
        return Verdict::Failed("the queue ended before the writer's last message".into());
    }
    Verdict::Success
}

/// The parent's end after its children ([`verdict`]), as a result for `shared::finish`.
pub fn outcome(children: &[(&str, ExitStatus)]) -> shared::Result {
    match verdict(children) {
        Verdict::Success => Ok(()),
        Verdict::StdoutClosed => Err(Error::stdout_closed()),
        Verdict::Said => Err(Error::quiet(1)),
        Verdict::Failed(message) => Err(Error::new(message)),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

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
            Verdict::Said
        );
        assert_eq!(
            verdict(&[("reader", exited(0)), ("writer", exited(2))]),
            Verdict::Failed("the writer exited with status 2".into())
        );
        assert_eq!(
            verdict(&[("reader", exited(0)), ("writer", exited(0))]),
            Verdict::Success
        );
        // A queue cut short: the writer says why, and if it cannot, we do.
        assert_eq!(
            verdict(&[("reader", exited(WRITER_GONE)), ("writer", killed(9))]),
            Verdict::Failed("the writer was killed by signal 9 (SIGKILL)".into())
        );
        assert_eq!(
            verdict(&[("reader", exited(WRITER_GONE)), ("writer", exited(1))]),
            Verdict::Said
        );
        assert_eq!(
            verdict(&[("reader", exited(WRITER_GONE)), ("writer", exited(0))]),
            Verdict::Failed("the queue ended before the writer's last message".into())
        );
    }
}
