//! The one way the workspace runs a child process and watches it end: the test harness, the
//! exercises' checker and `--vs-python` are thin layers over [`Spawned`].
//!
//! The child leads a process group of its own (and, if asked, dies with this program); its
//! stdout and stderr are read by two threads into buffers capped in bytes (kept as bytes: what
//! is not UTF-8 stays as it was); one deadline covers the whole run, its pipes included. Its
//! end is seen without reaping it (Linux), so that what is left of its group can be killed
//! before the reap, while the group's ID is still its own: a reused PID is never killed.

use super::group::{State, kill_group_of, own_group, reap, state};
use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// What the child reads on its stdin.
#[derive(Clone, Debug, Default)]
pub enum Stdin {
    /// Nothing: it is at its end at once.
    #[default]
    Null,
    /// These bytes, written by a thread, and then its end.
    Bytes(Vec<u8>),
    /// These bytes (up to 4 KiB, what a pipe holds) and no end until [`Spawned::close_stdin`].
    Held(Vec<u8>),
}

/// How to run it.
#[derive(Debug)]
pub struct Options {
    pub stdin: Stdin,
    /// The most bytes kept of each of stdout and stderr; more is read and dropped, and
    /// [`Spawned::overflowed`] says so.
    pub cap: usize,
    /// Whether stdout and stderr are read here (`false`: the caller sent that stream elsewhere).
    pub read_stdout: bool,
    pub read_stderr: bool,
    /// Linux: the child is killed by the kernel if this program dies ([`super::dies_with_parent`]).
    pub dies_with_parent: bool,
    /// The end of the whole run, its pipes included.
    pub deadline: Instant,
    /// The name of the threads that read and write its pipes.
    pub thread_name: &'static str,
}

impl Options {
    /// Stdin empty, both streams read, output uncapped, `timeout` from now.
    pub fn new(timeout: Duration) -> Options {
        Options {
            stdin: Stdin::Null,
            cap: usize::MAX,
            read_stdout: true,
            read_stderr: true,
            dies_with_parent: false,
            deadline: Instant::now() + timeout,
            thread_name: "process-pipe",
        }
    }
}

/// One of the child's output streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Out,
    Err,
}

enum Event {
    Bytes(Stream, Vec<u8>),
    Closed(Stream),
}

/// A child process that runs, or has run. Dropped, it is killed with its group (if it was not
/// reaped yet) and reaped.
pub struct Spawned {
    child: Child,
    stdin: Option<ChildStdin>,
    events: Receiver<Event>,
    open: [bool; 2],
    /// What it printed so far, at most the cap of each.
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    cap: usize,
    overflowed: bool,
    pipes: [Option<u64>; 2],
    started: Instant,
    /// The end of the whole run.
    pub deadline: Instant,
    ended: Option<ExitStatus>,
    reaped: Option<(ExitStatus, Option<Duration>)>,
}

impl Spawned {
    /// Starts `command` (its stdin and, if read, its stdout and stderr are set here), again
    /// while its program is "busy" (ETXTBSY: a fresh copy of it still open for writing in a
    /// process that another thread forked and that has not reached its `exec` yet, a race that
    /// ends within milliseconds).
    pub fn spawn(command: &mut Command, options: Options) -> std::io::Result<Spawned> {
        command.stdin(match options.stdin {
            Stdin::Null => Stdio::null(),
            _ => Stdio::piped(),
        });
        if options.read_stdout {
            command.stdout(Stdio::piped());
        }
        if options.read_stderr {
            command.stderr(Stdio::piped());
        }
        own_group(command);
        if options.dies_with_parent {
            super::dies_with_parent(command);
        }
        // Before the spawn: the program may run (and start its waits) before spawn returns.
        let started = Instant::now();
        let mut child = spawn_retrying_busy(command)?;
        let pipes = [
            pipe_id(child.stdout.as_ref()),
            pipe_id(child.stderr.as_ref()),
        ];
        let (tx, events) = mpsc::channel();
        let mut open = [false; 2];
        let name = options.thread_name;
        let cap = options.cap;
        if let Some(pipe) = child.stdout.take() {
            open[0] = read_into(pipe, Stream::Out, tx.clone(), cap, name).is_ok();
        }
        if let Some(pipe) = child.stderr.take() {
            open[1] = read_into(pipe, Stream::Err, tx, cap, name).is_ok();
        }
        let mut stdin = child.stdin.take();
        match options.stdin {
            Stdin::Null => {}
            Stdin::Bytes(bytes) => {
                if let Some(mut pipe) = stdin.take() {
                    let writer = std::thread::Builder::new().name(name.into());
                    // The program may exit without reading: a broken pipe is its business.
                    let _ = writer.spawn(move || pipe.write_all(&bytes));
                }
            }
            Stdin::Held(bytes) => {
                if let Some(pipe) = stdin.as_mut() {
                    // Small: it fits in the pipe, and a program that does not read cannot
                    // block us.
                    let _ = pipe.write_all(&bytes[..bytes.len().min(4096)]);
                }
            }
        }
        Ok(Spawned {
            child,
            stdin,
            events,
            open,
            stdout: Vec::new(),
            stderr: Vec::new(),
            cap,
            overflowed: false,
            pipes,
            started,
            deadline: options.deadline,
            ended: None,
            reaped: None,
        })
    }

    /// Its process id, which is also its process group's id (Unix).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// When it was started (just before the spawn).
    pub fn started(&self) -> Instant {
        self.started
    }

    /// Ends its stdin (of [`Stdin::Held`]).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Whether it printed more than the cap on stdout or stderr.
    pub fn overflowed(&self) -> bool {
        self.overflowed
    }

    /// Whether `stream` is read here and not closed yet.
    pub fn is_open(&self, stream: Stream) -> bool {
        self.open[stream as usize]
    }

    /// Whether some pipe it holds is still open.
    pub fn pipes_open(&self) -> bool {
        self.open.iter().any(|&open| open)
    }

    /// The identities (Unix: inodes) of its stdout's and stderr's pipes, to find who else
    /// holds them.
    pub fn pipe_ids(&self) -> [Option<u64>; 2] {
        self.pipes
    }

    /// Takes in what it printed until `until` (or until something arrived, if `one`); whether
    /// its pipes are all closed.
    pub fn pump(&mut self, until: Instant, one: bool) -> bool {
        while self.pipes_open() {
            let wait = until.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(wait) {
                Ok(Event::Bytes(stream, bytes)) => {
                    let into = match stream {
                        Stream::Out => &mut self.stdout,
                        Stream::Err => &mut self.stderr,
                    };
                    let room = self.cap.saturating_sub(into.len());
                    into.extend_from_slice(&bytes[..bytes.len().min(room)]);
                    self.overflowed |= bytes.len() > room;
                }
                Ok(Event::Closed(stream)) => self.open[stream as usize] = false,
                Err(RecvTimeoutError::Timeout) => return false,
                Err(RecvTimeoutError::Disconnected) => self.open = [false; 2],
            }
            if one || self.overflowed {
                break;
            }
        }
        !self.pipes_open()
    }

    /// Its exit status if it has exited. Linux: it is not reaped (its group can still be
    /// killed safely; [`Spawned::reap`] reaps it). Elsewhere it is reaped here.
    pub fn ended(&mut self) -> Option<ExitStatus> {
        if self.ended.is_none() {
            self.ended = match state(self.child.id()) {
                State::Ended(status) => Some(status),
                State::Running if cfg!(target_os = "linux") => None,
                _ => self.reap().map(|(status, _)| status),
            };
        }
        self.ended
    }

    /// Reaps it if it has exited: its exit status and (Unix) CPU time, its own and its
    /// waited-for children's. What is left of its group is no longer killed after this.
    pub fn reap(&mut self) -> Option<(ExitStatus, Option<Duration>)> {
        if self.reaped.is_none() {
            self.reaped = reap(&mut self.child);
            if let Some((status, _)) = self.reaped {
                self.ended = Some(status);
            }
        }
        self.reaped
    }

    /// Kills what is left of its process group, if it is not reaped yet (Unix; the one safe
    /// moment). It may still run: [`Spawned::kill`] kills it too.
    pub fn kill_group(&mut self) {
        if self.reaped.is_none() {
            kill_group_of(self.child.id());
        }
    }

    /// Kills its group and it, if it is not reaped yet; it is not reaped here.
    pub fn kill_unreaped(&mut self) {
        if self.reaped.is_none() {
            kill_group_of(self.child.id());
            let _ = self.child.kill();
        }
    }

    /// Kills its group and it (if not reaped yet), and reaps it (waiting at most 5 s).
    pub fn kill(&mut self) -> Option<(ExitStatus, Option<Duration>)> {
        self.stdin = None;
        if self.reaped.is_none() {
            self.kill_unreaped();
            let deadline = Instant::now() + Duration::from_secs(5);
            while self.reap().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
        self.reaped
    }

    /// Runs it to its end or the deadline: waits for its exit; kills what is left of its group
    /// (its pipes then close: it is over) and reaps it; takes in its output until its pipes
    /// close (at most the deadline, or 500 ms past its exit). Its status and CPU time, or
    /// `None` if it was still running at the deadline (it is killed then).
    pub fn run_to_end(&mut self) -> Option<(ExitStatus, Option<Duration>)> {
        while self.ended().is_none() && Instant::now() < self.deadline {
            let step = (Instant::now() + Duration::from_millis(5)).min(self.deadline);
            self.pump(step, false);
        }
        let in_time = self.ended.is_some();
        let reaped = self.kill();
        let grace = Instant::now() + Duration::from_millis(500);
        self.pump(grace.min(self.deadline.max(grace)), false);
        reaped.filter(|_| in_time)
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        self.kill();
    }
}

fn spawn_retrying_busy(command: &mut Command) -> std::io::Result<Child> {
    const ETXTBSY: i32 = 26;
    let mut tries = 0;
    loop {
        match command.spawn() {
            Err(e) if cfg!(unix) && e.raw_os_error() == Some(ETXTBSY) && tries < 100 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
            result => return result,
        }
    }
}

/// The identity of a pipe (Unix: its inode).
#[cfg(unix)]
fn pipe_id(pipe: Option<&impl std::os::fd::AsFd>) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    let fd = pipe?.as_fd().try_clone_to_owned().ok()?;
    std::fs::File::from(fd).metadata().ok().map(|m| m.ino())
}

#[cfg(not(unix))]
fn pipe_id<T>(_: Option<&T>) -> Option<u64> {
    None
}

/// A thread that reads the pipe to its end and sends what it reads, up to the cap and a byte
/// more (the rest is read and dropped, so that the child never blocks on a full pipe).
fn read_into(
    mut pipe: impl Read + Send + 'static,
    stream: Stream,
    tx: mpsc::Sender<Event>,
    cap: usize,
    name: &str,
) -> std::io::Result<()> {
    let reader = std::thread::Builder::new().name(name.into());
    reader.spawn(move || {
        let (mut buffer, mut total) = (vec![0; 16 * 1024], 0usize);
        loop {
            match pipe.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => {
                    let room = cap.saturating_add(1).saturating_sub(total);
                    total = total.saturating_add(n);
                    if room > 0
                        && tx
                            .send(Event::Bytes(stream, buffer[..n.min(room)].into()))
                            .is_err()
                    {
                        return;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        let _ = tx.send(Event::Closed(stream));
    })?;
    Ok(())
}
