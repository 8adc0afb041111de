//! The server's log, on a thread of its own.

use crate::{Error, Result};
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::thread;
use std::time::{Duration, Instant};

/// The server's log: lines go to stderr through a thread of their own, so that a slow or full
/// stderr (a pipe nobody reads, `2>/dev/full`) never holds up, or takes down, a connection or
/// the accept loop. When the thread falls behind by [`Log::BACKLOG`] lines or
/// [`Log::BACKLOG_BYTES`] bytes, new lines are dropped and counted, and the count is said once
/// stderr takes lines again. A line longer than [`Log::MAX_LINE`] bytes is cut, with its length:
/// a peer's 60 KB value shown whole would make a log line of megabytes.
pub(super) struct Log {
    lines: SyncSender<String>,
    counts: Arc<LogCounts>,
}

#[derive(Default)]
struct LogCounts {
    queued: AtomicU64,
    written: AtomicU64,
    dropped: AtomicU64,
    /// The bytes of the lines queued and not yet written.
    pending: AtomicUsize,
}

impl Log {
    const BACKLOG: usize = 1024;
    const BACKLOG_BYTES: usize = 256 * 1024;
    pub(super) const MAX_LINE: usize = 1024;

    pub(super) fn start() -> Result<Log> {
        let (lines, rx) = mpsc::sync_channel::<String>(Self::BACKLOG);
        let counts = Arc::new(LogCounts::default());
        let shared = Arc::clone(&counts);
        thread::Builder::new()
            .name("manager-log".into())
            .spawn(move || {
                for line in rx {
                    let mut stderr = io::stderr().lock();
                    let lost = shared.dropped.swap(0, Ordering::Relaxed);
                    if lost > 0 {
                        let note = format!("master: ({lost} log lines dropped: stderr too slow)");
                        let _ = write_line(&mut stderr, &note);
                    }
                    let _ = write_line(&mut stderr, &line); // a failed write costs the line, nothing else
                    shared.pending.fetch_sub(line.len(), Ordering::SeqCst);
                    shared.written.fetch_add(1, Ordering::SeqCst);
                }
            })
            .map_err(|e| Error::Failed(format!("cannot start the log thread: {e}")))?;
        Ok(Log { lines, counts })
    }

    pub(super) fn line(&self, line: String) {
        let line = within(line, Self::MAX_LINE);
        let len = line.len();
        let pending = self.counts.pending.fetch_add(len, Ordering::SeqCst);
        let sent = match pending + len <= Self::BACKLOG_BYTES {
            true => self.lines.try_send(line),
            false => Err(TrySendError::Full(line)),
        };
        match sent {
            Ok(()) => _ = self.counts.queued.fetch_add(1, Ordering::SeqCst),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.counts.pending.fetch_sub(len, Ordering::SeqCst);
                self.counts.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Waits (at most `patience`) until the lines logged so far are written.
    pub(super) fn flush(&self, patience: Duration) {
        let deadline = Instant::now() + patience;
        let queued = self.counts.queued.load(Ordering::SeqCst);
        while self.counts.written.load(Ordering::SeqCst) < queued && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(1));
        }
    }
}

/// `line`, cut to its first `max` bytes and `... (N bytes)` when longer.
fn within(line: String, max: usize) -> String {
    let total = line.len();
    crate::pickle::cut(line, total, max)
}

/// Writes `line` and its line break in one `write`: when stderr and stdout go to one file
/// (`task_master > log 2>&1`), each `write` lands whole, so a log line and a line of the
/// master's output can follow each other but never split each other. (`writeln!` would write
/// the text and the line break apart, and a `Put task ...` could land between them.)
fn write_line(out: &mut impl Write, line: &str) -> io::Result<()> {
    let mut text = String::with_capacity(line.len() + 1);
    text.push_str(line);
    text.push('\n');
    out.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each `write` call it receives, as it came.
    #[derive(Default)]
    struct Writes(Vec<Vec<u8>>);

    impl Write for Writes {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.push(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_long_line_is_cut_with_its_length() {
        let line = within(format!("master: {}", "x".repeat(5000)), Log::MAX_LINE);
        assert!(line.len() < Log::MAX_LINE + 30, "{}", line.len());
        assert!(line.ends_with("... (5008 bytes)"), "{line}");
        assert_eq!(within("short".into(), Log::MAX_LINE), "short");
    }

    #[test]
    fn a_line_is_one_write() {
        let mut out = Writes::default();
        write_line(&mut out, "master: 10.0.0.2:5000: dropped").unwrap();
        assert_eq!(out.0, [b"master: 10.0.0.2:5000: dropped\n".to_vec()]);
    }
}
