//! Python's `multiprocessing.managers` protocol in Rust, on Python's own wire: serve queues that
//! Python's `BaseManager` clients use, or use the queues of a Python manager.
//!
//! ```no_run
//! use python_interop::manager::{BaseManager, Names, Queue, Served};
//! use std::time::Duration;
//!
//! // A server, as Python's `manager.start()`: it serves `task_queue` under `get_task_queue`.
//! let task_queue = Queue::new();
//! let mut served = Served::new();
//! served.register("get_task_queue", &task_queue);
//! let server = BaseManager::new(served, "127.0.0.1:5000", b"abc").start()?;
//! task_queue.put(7i64);
//!
//! // A client, as Python's `m.connect()` and `m.get_task_queue()`, here or in another program.
//! let mut names = Names::new();
//! names.register("get_task_queue");
//! let m = BaseManager::new(names, "127.0.0.1:5000", b"abc").connect()?;
//! let task = m.queue("get_task_queue")?;
//! assert_eq!(task.get(Duration::from_secs(1))?.as_int(), Some(7));
//! server.shutdown();
//! # Ok::<(), python_interop::Error>(())
//! ```
//!
//! - [`manager`]: the server ([`manager::Server`], one thread per connection, as Python's) and
//!   the client ([`manager::Client`], with a [`manager::Proxy`] per queue).
//! - [`wire`]: frames on a TCP stream and the authkey handshake, both styles (HMAC-MD5 up to
//!   Python 3.11, `{sha256}` from 3.12).
//! - [`pickle`]: the few pickles a manager exchanges, read without running anything.
//!
//! What it adds to Python's manager, on the same wire: a task held by a connection that goes
//! away goes back into its queue (at-least-once); a wrong key, garbage, an oversized frame or a
//! silent peer costs one log line, never the others' service; a `get` waits for tasks held
//! elsewhere before it says `queue.Empty`; a task taken [`manager::MAX_TRIES`] times unfinished is
//! set aside; at most [`manager::MAX_CONNECTIONS`] connections at once, and queues, requests and
//! log lines bounded in bytes. It is tested against captures of CPython's traffic (`tests/wire/`) and
//! against Python's own `multiprocessing.managers`, both ways.

#![warn(missing_docs)]

#[cfg(test)]
mod fixtures;
pub mod manager;
pub mod pickle;
pub mod wire;

use std::fmt;
use std::io;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// What can go wrong, in one type for the whole crate.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// `queue.Empty`: a `get` found nothing within its timeout, or the server shut down while it
    /// waited and said so (our master, once it has all its results, has no more tasks).
    Empty,
    /// The handshake: the peer's answer to our challenge was wrong; it does not know the key.
    WrongKey,
    /// The handshake: the peer refused our answer (`#FAILURE#`); we do not know its key.
    Refused,
    /// The connection: it could not be made, it broke, or a deadline passed.
    Io(io::Error),
    /// The peer does not speak the protocol: a frame over the limit, a pickle we do not read, a
    /// request or reply of the wrong shape.
    Protocol(String),
    /// Anything else, in one line that says what was being done.
    Failed(String),
}

/// `Result<T, python_interop::Error>`.
pub type Result<T = (), E = Error> = std::result::Result<T, E>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Empty => f.write_str("queue.Empty"),
            Error::WrongKey => f.write_str("wrong authkey (its answer to our challenge)"),
            Error::Refused => f.write_str("our authkey was refused"),
            Error::Io(e) => write!(f, "{e}"),
            Error::Protocol(why) | Error::Failed(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for Error {}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Error {
        Error::Io(e)
    }
}

impl Error {
    /// Whether a deadline we set passed ([`wire::Connection::set_deadline`]), rather than the
    /// peer failing or its host vanishing.
    pub fn is_timeout(&self) -> bool {
        let deadline = |e: &io::Error| e.get_ref().is_some_and(|e| e.is::<wire::DeadlinePassed>());
        matches!(self, Error::Io(e) if deadline(e))
    }

    /// Whether the peer's host stopped answering: it has vanished without a goodbye, and TCP
    /// keepalive or TCP_USER_TIMEOUT noticed (the connection timed out), or the network says
    /// there is no way to it any more (no route to it, or to its network).
    pub fn is_host_gone(&self) -> bool {
        use io::ErrorKind::{HostUnreachable, NetworkUnreachable, TimedOut};
        let gone =
            |e: &io::Error| matches!(e.kind(), TimedOut | HostUnreachable | NetworkUnreachable);
        matches!(self, Error::Io(e) if gone(e) && !self.is_timeout())
    }
}

/// Locks `mutex`, also after a thread panicked while holding it: what this crate's locks guard
/// (queues, lists) is never left half-changed by a panic, so the data is used as it is.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A peer's text made safe for a log line: control characters (a line break that would forge a
/// line, a terminal's escape sequences) shown escaped, `\n`, `\u{1b}`, not obeyed.
fn printable(text: &str) -> String {
    text.chars()
        .fold(String::with_capacity(text.len()), |mut out, c| {
            match c.is_control() && c != '\t' {
                true => out.extend(c.escape_default()),
                false => out.push(c),
            }
            out
        })
}
