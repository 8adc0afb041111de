//! Messages framed on a stream that other text shares, and the feeder thread that writes them.
//!
//! The queue and the pipe travel on a child's *stderr*, which is also where `eprintln!` and a
//! panic message go. So each message is framed, [`MAGIC`] then its length then its bytes, and
//! the reader takes only frames as messages: any other bytes on the stream are passed on to the
//! reader's own stderr, the terminal, as they came. Two rules keep a frame whole:
//! - a frame is written under the stderr lock that `eprintln!` takes too, so that a line of the
//!   writer's cannot land inside a frame;
//! - the feeder writes at most [`PIPE_BUF`] bytes of whole frames at a time, and a write that
//!   small is atomic on a pipe (POSIX), so not even a panic message (written past the lock) can
//!   split one.

use std::io::{self, Read, Write};
use std::sync::{Arc, Condvar, Mutex};

use shared::lock;

/// What starts every frame: NUL and `q`, which text hardly ever holds.
pub const MAGIC: [u8; 2] = [0, b'q'];
/// The largest message taken; a longer "frame" is not one, and is passed on as text.
pub const MAX_MESSAGE: usize = 1 << 20;
/// The most bytes a pipe takes in one atomic write: POSIX promises at least 512 (Linux gives
/// 4096, macOS 512), so 512 is what we count on.
pub const PIPE_BUF: usize = 512;
/// The most bytes of frames the feeder holds: a `put` waits while that much is waiting to be
/// written (Python's `Queue(maxsize)`, in bytes), so a writer faster than its reader holds a
/// bounded amount, not every message it has put. (A message larger than this still goes, alone.)
pub const MAX_WAITING: usize = 64 * 1024;

/// `message` as one frame.
pub fn encode(message: &[u8], out: &mut Vec<u8>) {
    out.extend(MAGIC);
    out.extend((message.len() as u32).to_le_bytes());
    out.extend(message);
}

/// Reads frames from a stream; whatever else comes on it goes to `other` (the terminal).
pub struct FrameReader<R, W> {
    input: R,
    other: W,
    buffer: Vec<u8>,
    /// Where the unread bytes of `buffer` start.
    at: usize,
}

impl<R: Read, W: Write> FrameReader<R, W> {
    pub fn new(input: R, other: W) -> Self {
        FrameReader {
            input,
            other,
            buffer: Vec::with_capacity(64 * 1024),
            at: 0,
        }
    }

    /// The next message; `None` at the end of the stream (every write end closed).
    pub fn next_message(&mut self) -> io::Result<Option<Vec<u8>>> {
        loop {
            let unread = &self.buffer[self.at..];
            // Text before the next frame (or before a NUL that may start one) goes on as it is.
            let text = unread
                .iter()
                .position(|&b| b == MAGIC[0])
                .unwrap_or(unread.len());
            if text > 0 {
                self.other.write_all(&unread[..text])?;
                self.other.flush()?;
                self.at += text;
                continue;
            }
            match frame_at(unread) {
                Frame::Whole(length) => {
                    let message = unread[6..6 + length].to_vec();
                    self.at += 6 + length;
                    return Ok(Some(message));
                }
                Frame::NotOne => {
                    self.other.write_all(&unread[..1])?;
                    self.at += 1;
                }
                Frame::Partial => {
                    if !self.fill()? {
                        // The end: what is left was never a whole frame; it is text.
                        self.other.write_all(&self.buffer[self.at..])?;
                        self.other.flush()?;
                        self.at = self.buffer.len();
                        return Ok(None);
                    }
                }
            }
        }
    }

    /// Reads more of the stream; `false` at its end.
    fn fill(&mut self) -> io::Result<bool> {
        self.buffer.drain(..self.at);
        self.at = 0;
        let have = self.buffer.len();
        self.buffer.resize(have.max(32 * 1024) + 32 * 1024, 0);
        let read = loop {
            match self.input.read(&mut self.buffer[have..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        self.buffer.truncate(have + *read.as_ref().unwrap_or(&0));
        Ok(read? > 0)
    }
}

enum Frame {
    /// A whole frame, with a message of this length.
    Whole(usize),
    /// The start of what may be a frame: read more.
    Partial,
    /// A NUL that starts no frame.
    NotOne,
}

fn frame_at(bytes: &[u8]) -> Frame {
    if bytes.len() < 2 {
        return Frame::Partial;
    }
    if bytes[..2] != MAGIC {
        return Frame::NotOne;
    }
    let Some(length) = bytes.get(2..6) else {
        return Frame::Partial;
    };
    let length = u32::from_le_bytes(length.try_into().expect("4 bytes")) as usize;
    match length {
        n if n > MAX_MESSAGE => Frame::NotOne,
        n if bytes.len() < 6 + n => Frame::Partial,
        n => Frame::Whole(n),
    }
}

/// The writing end of a queue: `put` frames a message and returns at once (unless
/// [`MAX_WAITING`] bytes wait already); a thread of its own, the feeder, writes what has gathered
/// (as Python's `Queue` does), at once, whatever the writer does next. Dropping it waits until
/// every message is written.
pub struct Feeder {
    feed: Arc<Feed>,
    thread: Option<std::thread::JoinHandle<()>>,
}

#[derive(Default)]
struct Feed {
    state: Mutex<FeedState>,
    /// Signalled when frames arrive or the feed closes: the feeder waits for it.
    changed: Condvar,
    /// Signalled when the feeder has taken what waited, or stopped: a full `put` waits for it.
    room: Condvar,
}

#[derive(Default)]
struct FeedState {
    /// Whole frames not yet written.
    frames: Vec<u8>,
    /// Where each frame of `frames` ends, to write whole frames only.
    ends: Vec<usize>,
    closed: bool,
    /// Why the feeder stopped: the reader has gone.
    failed: Option<String>,
}

impl Feeder {
    /// A feeder that writes to this process's stderr.
    pub fn to_stderr() -> io::Result<Feeder> {
        let feed = Arc::new(Feed::default());
        let shared = Arc::clone(&feed);
        let thread = std::thread::Builder::new()
            .name("queue-feeder".into())
            .spawn(move || feed_stderr(&shared))?;
        Ok(Feeder {
            feed,
            thread: Some(thread),
        })
    }

    /// Queues one message for the feeder, first waiting while [`MAX_WAITING`] bytes wait to be
    /// written; once the feeder has had to stop, an error that says why and ends the writer
    /// with [`READER_GONE`](super::READER_GONE).
    pub fn put(&self, message: &[u8]) -> shared::Result {
        let mut state = lock(&self.feed.state);
        while state.frames.len() >= MAX_WAITING && state.failed.is_none() {
            state = self
                .feed
                .room
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
        }
        if let Some(why) = &state.failed {
            let gone = shared::Error::new(format_args!("the reader has gone: {why}"));
            return Err(gone.with_status(super::READER_GONE as u8));
        }
        let was_empty = state.frames.is_empty();
        encode(message, &mut state.frames);
        let end = state.frames.len();
        state.ends.push(end);
        if was_empty {
            self.feed.changed.notify_one(); // only an empty feed can have the feeder waiting
        }
        Ok(())
    }
}

impl Drop for Feeder {
    fn drop(&mut self) {
        lock(&self.feed.state).closed = true;
        self.feed.changed.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The feeder's loop: takes what has gathered, writes it in pieces of whole frames. Two
/// buffers take turns, so that after the first messages nothing more is allocated.
fn feed_stderr(feed: &Feed) {
    let (mut frames, mut ends) = (Vec::new(), Vec::new());
    loop {
        frames.clear();
        ends.clear();
        {
            let mut state = lock(&feed.state);
            while state.frames.is_empty() && !state.closed {
                state = feed.changed.wait(state).unwrap_or_else(|e| e.into_inner());
            }
            if state.frames.is_empty() {
                return; // closed, and all written
            }
            std::mem::swap(&mut frames, &mut state.frames);
            std::mem::swap(&mut ends, &mut state.ends);
            feed.room.notify_all();
        }
        if let Err(e) = write_whole_frames(&mut io::stderr(), &frames, &ends) {
            lock(&feed.state).failed = Some(format!("cannot write to the queue: {e}"));
            feed.room.notify_all();
            return;
        }
    }
}

/// Writes `frames` (each ending at one of `ends`) in writes of at most [`PIPE_BUF`] bytes that
/// never split a frame (a longer frame is one write of its own), each under the stderr lock.
fn write_whole_frames(out: &mut io::Stderr, frames: &[u8], ends: &[usize]) -> io::Result<()> {
    let mut start = 0;
    let mut ends = ends.iter().peekable();
    while let Some(&first) = ends.next() {
        let mut end = first;
        while let Some(&&next) = ends.peek() {
            if next - start > PIPE_BUF {
                break;
            }
            end = next;
            ends.next();
        }
        out.lock().write_all(&frames[start..end])?;
        start = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(stream: &[u8]) -> (Vec<String>, Vec<u8>) {
        let mut other = Vec::new();
        let mut reader = FrameReader::new(stream, &mut other);
        let mut messages = Vec::new();
        while let Some(m) = reader.next_message().unwrap() {
            messages.push(String::from_utf8(m).unwrap());
        }
        (messages, other)
    }

    #[test]
    fn frames_are_messages_and_everything_else_is_passed_on() {
        let mut stream = b"debug A\n".to_vec();
        encode(b"A", &mut stream);
        stream.extend(b"\0 a NUL, and\n");
        encode(b"line\nbreak", &mut stream);
        encode(b"", &mut stream);
        stream.extend(b"thread 'main' panicked\n\0q");
        let (messages, other) = read_all(&stream);
        assert_eq!(messages, ["A", "line\nbreak", ""]);
        assert_eq!(
            other,
            b"debug A\n\0 a NUL, and\nthread 'main' panicked\n\0q"
        );
        // A length past the cap is not a frame: its bytes are text.
        let mut huge = MAGIC.to_vec();
        huge.extend(u32::MAX.to_le_bytes());
        huge.extend(b"!\n");
        let (messages, other) = read_all(&huge);
        assert!(messages.is_empty());
        assert_eq!(other, huge);
    }

    #[test]
    fn a_frame_read_in_pieces_is_one_message() {
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(buf.len()).min(1);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut stream = Vec::new();
        (0..300).for_each(|i| encode(format!("m{i}").as_bytes(), &mut stream));
        let mut other = Vec::new();
        let mut reader = FrameReader::new(Trickle(&stream), &mut other);
        let mut n = 0;
        while let Some(m) = reader.next_message().unwrap() {
            assert_eq!(m, format!("m{n}").as_bytes());
            n += 1;
        }
        assert_eq!((n, other.len()), (300, 0));
    }
}
