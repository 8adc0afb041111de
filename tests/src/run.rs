//! The test harness: run an example binary as a real process, with a timeout.
//!
//! ```text
//! let out = harness::bin(env!("CARGO_BIN_EXE_lock")).run();
//! out.assert_success();
//! assert_eq!(out.stdout, "0\n");
//! ```
//!
//! Every run gets `TUTORIAL_TIME_SCALE=0` (no tutorial sleeps) unless the test sets it, runs in a
//! process group of its own, and must end, with every process it started, before its timeout: a
//! hang kills the whole group and fails the test with what the program printed so far. A run is
//! over only when its stdout and stderr are closed, so a child process left behind holding them
//! fails the test too.

use crate::check::Output;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

pub use shared::time::TIME_SCALE_VAR;

/// How long a run may take unless the test says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A command to run: start with [`bin`].
pub struct Cmd {
    command: Command,
    stdin: Option<Vec<u8>>,
    timeout: Duration,
    /// A folder made for this run (a copy of the program), removed when the run is over.
    pub(crate) scratch: Option<std::path::PathBuf>,
    stderr_elsewhere: bool,
    stdout_elsewhere: bool,
}

#[cfg(target_os = "linux")]
impl Cmd {
    /// The command, to change it in ways this module does not offer (`limits.rs`).
    pub(crate) fn command_mut(&mut self) -> &mut Command {
        &mut self.command
    }

    /// The same command with another program in its place (a copy of it, say).
    pub(crate) fn with_program(mut self, program: &OsStr) -> Self {
        let mut command = Command::new(program);
        command.args(self.command.get_args());
        for (key, value) in self.command.get_envs() {
            match value {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            };
        }
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        self.command = command;
        self
    }

    pub(crate) fn program(&self) -> &OsStr {
        self.command.get_program()
    }
}

/// The binary at `path` (use `env!("CARGO_BIN_EXE_<name>")`), with no tutorial sleeps.
pub fn bin(path: impl AsRef<OsStr>) -> Cmd {
    let mut command = Command::new(path);
    command
        .env(TIME_SCALE_VAR, "0")
        .env_remove("RUST_BACKTRACE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    Cmd {
        command,
        stdin: None,
        timeout: DEFAULT_TIMEOUT,
        scratch: None,
        stderr_elsewhere: false,
        stdout_elsewhere: false,
    }
}

impl Cmd {
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.command.arg(arg);
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(mut self, args: I) -> Self {
        self.command.args(args);
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    /// The program's stderr goes to `stdio` (`/dev/full`, a pipe nobody reads) instead of to
    /// the test: the output then has no stderr.
    pub fn stderr_to(mut self, stdio: impl Into<Stdio>) -> Self {
        self.command.stderr(stdio.into());
        self.stderr_elsewhere = true;
        self
    }

    /// The program's stdout goes to `stdio` (a file, for a measurement that the test's reading
    /// of every line must not slow down) instead of to the test: the output then has no stdout.
    pub fn stdout_to(mut self, stdio: impl Into<Stdio>) -> Self {
        self.command.stdout(stdio.into());
        self.stdout_elsewhere = true;
        self
    }

    /// Bytes written to the program's stdin, which is then closed. Without it stdin is empty.
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Starts the program; read its lines as they come, signal it, then [`Running::finish`].
    pub fn spawn(mut self) -> Running {
        self.command.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        shared::process::own_group(&mut self.command);
        let program = format!("{:?}", self.command.get_program());
        let mut child = spawn_retrying_busy(&mut self.command)
            .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
        if let (Some(bytes), Some(mut pipe)) = (self.stdin, child.stdin.take()) {
            std::thread::spawn(move || {
                // The program may exit without reading: a broken pipe is its business.
                let _ = pipe.write_all(&bytes);
            });
        }
        let (tx, events) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            forward(stdout, Stream::Out, tx.clone());
        }
        if let Some(stderr) = child.stderr.take() {
            forward(stderr, Stream::Err, tx);
        }
        Running {
            scratch: self.scratch,
            child,
            program,
            deadline: Instant::now() + self.timeout,
            events,
            stdout: String::new(),
            stderr: String::new(),
            out_open: !self.stdout_elsewhere,
            err_open: !self.stderr_elsewhere,
            scanned: 0,
            err_scanned: 0,
            status: None,
        }
    }

    /// Runs the program to its end (see [`Running::finish`]).
    pub fn run(self) -> Output {
        self.spawn().finish()
    }
}

/// Starts `command`, again while its program is "busy" (ETXTBSY, a fresh copy of it still
/// open for writing in a process that another test thread forked and that has not reached its
/// `exec` yet, a race that ends within milliseconds).
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

#[derive(Clone, Copy)]
enum Stream {
    Out,
    Err,
}

/// A line (with its newline, if it had one) or, as `None`, the end of a stream.
type Event = (Stream, Option<String>);

fn forward(pipe: impl Read + Send + 'static, stream: Stream, tx: mpsc::Sender<Event>) {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(pipe);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&line).into_owned();
                    if tx.send((stream, Some(text))).is_err() {
                        return;
                    }
                }
            }
        }
        let _ = tx.send((stream, None));
    });
}

/// A program that is running.
pub struct Running {
    scratch: Option<std::path::PathBuf>,
    child: Child,
    program: String,
    deadline: Instant,
    events: Receiver<Event>,
    stdout: String,
    stderr: String,
    out_open: bool,
    err_open: bool,
    /// How much of `stdout` [`Running::wait_for_line`] has looked at.
    scanned: usize,
    /// How much of `stderr` [`Running::wait_for_stderr_line`] has looked at.
    err_scanned: usize,
    status: Option<ExitStatus>,
}

impl Running {
    /// The process id of the program.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Gives the program `timeout` from now to end, instead of what is left of its timeout.
    pub fn timeout_from_now(mut self, timeout: Duration) -> Self {
        self.deadline = Instant::now() + timeout;
        self
    }

    /// Waits for the next stdout line for which `wanted` is true and returns it (without its
    /// newline). Fails the test if the program ends or the timeout passes first.
    pub fn wait_for_line(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        self.wait_in(Stream::Out, wanted)
    }

    /// [`Running::wait_for_line`] on stderr: a server's log line, say.
    pub fn wait_for_stderr_line(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        self.wait_in(Stream::Err, wanted)
    }

    fn wait_in(&mut self, stream: Stream, wanted: impl Fn(&str) -> bool) -> String {
        loop {
            let (text, scanned, open) = match stream {
                Stream::Out => (&self.stdout, &mut self.scanned, self.out_open),
                Stream::Err => (&self.stderr, &mut self.err_scanned, self.err_open),
            };
            while let Some(end) = text[*scanned..].find('\n') {
                let line = text[*scanned..*scanned + end].to_string();
                *scanned += end + 1;
                if wanted(&line) {
                    return line;
                }
            }
            if !open || !self.pump() {
                self.fail("ended or timed out before printing the expected line");
            }
        }
    }

    /// Waits for a stdout line `<before><value><after>` and returns the value: the address a
    /// server prints, with `wait_for_value("Server started at http://", "...")`.
    pub fn wait_for_value(&mut self, before: &str, after: &str) -> String {
        let line = self.wait_for_line(|l| l.starts_with(before) && l.ends_with(after));
        line[before.len()..line.len() - after.len()].to_string()
    }

    /// Sends a signal (`nix::sys::signal::SIGINT` for Ctrl-C) to the program.
    #[cfg(unix)]
    pub fn signal(&self, signal: nix::sys::signal::Signal) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        nix::sys::signal::kill(pid, signal).expect("send signal");
    }

    /// Waits until the program has exited and closed its stdout and stderr, and returns what it
    /// printed. Past the timeout, kills its process group and fails the test.
    pub fn finish(mut self) -> Output {
        while self.out_open || self.err_open || self.status.is_none() {
            if !self.pump() {
                self.fail("timed out");
            }
        }
        Output {
            stdout: std::mem::take(&mut self.stdout),
            stderr: std::mem::take(&mut self.stderr),
            status: self.status.expect("exited"),
        }
    }

    /// Takes in whatever happens next; false when the deadline has passed.
    fn pump(&mut self) -> bool {
        if self.status.is_none() {
            self.status = self.child.try_wait().expect("wait for the program");
        }
        let now = Instant::now();
        if now >= self.deadline {
            return false;
        }
        // Poll the exit status now and then; lines and ends of streams arrive at once.
        let slice = (self.deadline - now).min(Duration::from_millis(20));
        match self.events.recv_timeout(slice) {
            Ok((stream, Some(line))) => match stream {
                Stream::Out => self.stdout.push_str(&line),
                Stream::Err => self.stderr.push_str(&line),
            },
            Ok((Stream::Out, None)) => self.out_open = false,
            Ok((Stream::Err, None)) => self.err_open = false,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                if self.status.is_none() {
                    std::thread::sleep(slice);
                }
            }
        }
        true
    }

    fn kill_group(&mut self) {
        shared::process::kill_group(&mut self.child);
    }

    fn fail(&mut self, what: &str) -> ! {
        self.kill_group();
        // Take in what is still buffered, without waiting.
        while let Ok((stream, Some(line))) = self.events.try_recv() {
            match stream {
                Stream::Out => self.stdout.push_str(&line),
                Stream::Err => self.stderr.push_str(&line),
            }
        }
        let hint = if self.status.is_some() {
            " (it exited, but a process it started still holds its stdout or stderr)"
        } else {
            ""
        };
        panic!(
            "{} {what}{hint}\n--- stdout so far ---\n{}\n--- stderr so far ---\n{}",
            self.program, self.stdout, self.stderr
        );
    }
}

impl Drop for Running {
    /// A test that fails half way never leaves the program (or its children) running.
    fn drop(&mut self) {
        if self.status.is_none() || self.out_open || self.err_open {
            self.kill_group();
        }
        if let Some(dir) = &self.scratch {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The tests of one test binary that load the machine (many processes, floods), time a
/// deadline, or measure their children's CPU time take this lock: they take turns, so that on a
/// 2-core machine they neither slow nor blur each other.
pub fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());
    HEAVY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Whether `python3` is on PATH, for the tests that run Python beside Rust (interop,
/// `--vs-python`). Without it such a test says so on stderr and passes, so that `cargo test`
/// works on a machine without Python; with `TUTORIAL_REQUIRE_PYTHON=1` (CI sets it) it fails.
/// The rule is `shared::python::python3_for_tests`, which shared's own tests follow too.
pub fn python3_present(test: &str) -> bool {
    shared::python::python3_for_tests(test)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn runs_a_real_process() {
        let out = bin("sh")
            .args(["-c", "cat; echo oops >&2; exit 3"])
            .stdin("hi\n")
            .run();
        assert_eq!(out.stdout, "hi\n");
        assert_eq!(out.stderr, "oops\n");
        assert_eq!(out.status.code(), Some(3));
    }

    #[test]
    #[should_panic(expected = "timed out")]
    fn a_hang_fails_with_what_was_printed() {
        bin("sh")
            .args(["-c", "echo started; sleep 30"])
            .timeout(Duration::from_millis(300))
            .run();
    }

    #[test]
    #[should_panic(expected = "still holds its stdout")]
    fn a_child_left_behind_fails() {
        bin("sh")
            .args(["-c", "sleep 30 & echo parent done"])
            .timeout(Duration::from_millis(500))
            .run();
    }

    #[test]
    fn waits_for_a_line() {
        let mut running = bin("sh")
            .args(["-c", "echo one; echo two; sleep 0.1"])
            .spawn();
        assert_eq!(running.wait_for_line(|l| l.starts_with('t')), "two");
        running.finish().assert_success();
        assert!(!crate::process_alive(u32::MAX));
    }
}
