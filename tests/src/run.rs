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
use shared::process::{Options, Spawned, Stdin, Stream};
use std::ffi::OsStr;
use std::process::{Command, Stdio};
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
        let mut options = Options::new(self.timeout);
        options.stdin = self.stdin.take().map_or(Stdin::Null, Stdin::Bytes);
        options.read_stdout = !self.stdout_elsewhere;
        options.read_stderr = !self.stderr_elsewhere;
        let program = format!("{:?}", self.command.get_program());
        let child = Spawned::spawn(&mut self.command, options)
            .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
        Running {
            scratch: self.scratch.take(),
            child,
            program,
            scanned: 0,
            err_scanned: 0,
        }
    }

    /// Runs the program to its end (see [`Running::finish`]).
    pub fn run(self) -> Output {
        self.spawn().finish()
    }
}

/// A program that is running, on the runner of `shared::process`: it leads a process group of
/// its own, which is killed (when the test fails or drops it) before the program is reaped.
pub struct Running {
    scratch: Option<std::path::PathBuf>,
    child: Spawned,
    program: String,
    /// How much of its stdout [`Running::wait_for_line`] has looked at.
    scanned: usize,
    /// How much of its stderr [`Running::wait_for_stderr_line`] has looked at.
    err_scanned: usize,
}

impl Running {
    /// The process id of the program.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Gives the program `timeout` from now to end, instead of what is left of its timeout.
    pub fn timeout_from_now(mut self, timeout: Duration) -> Self {
        self.child.deadline = Instant::now() + timeout;
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
            let (bytes, scanned) = match stream {
                Stream::Out => (&self.child.stdout, &mut self.scanned),
                Stream::Err => (&self.child.stderr, &mut self.err_scanned),
            };
            while let Some(end) = bytes[*scanned..].iter().position(|&b| b == b'\n') {
                let line = String::from_utf8_lossy(&bytes[*scanned..*scanned + end]).into_owned();
                *scanned += end + 1;
                if wanted(&line) {
                    return line;
                }
            }
            if !self.child.is_open(stream) || !self.pump() {
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
        while self.child.pipes_open() || self.child.ended().is_none() {
            if !self.pump() {
                self.fail("timed out");
            }
        }
        let (status, _) = self.child.reap().expect("exited");
        Output {
            stdout: String::from_utf8_lossy(&std::mem::take(&mut self.child.stdout)).into_owned(),
            stderr: String::from_utf8_lossy(&std::mem::take(&mut self.child.stderr)).into_owned(),
            status,
        }
    }

    /// Takes in whatever happens next; false when the deadline has passed.
    fn pump(&mut self) -> bool {
        self.child.ended();
        let now = Instant::now();
        if now >= self.child.deadline {
            return false;
        }
        // Poll the exit status now and then; output and ends of streams arrive at once.
        let until = (now + Duration::from_millis(20)).min(self.child.deadline);
        if self.child.pump(until, true) && self.child.ended().is_none() {
            std::thread::sleep(until - now);
        }
        true
    }

    fn fail(&mut self, what: &str) -> ! {
        let hint = if self.child.ended().is_some() {
            " (it exited, but a process it started still holds its stdout or stderr)"
        } else {
            ""
        };
        // Its group first, then it is reaped.
        self.child.kill();
        // Take in what is still buffered, without waiting.
        self.child.pump(Instant::now(), false);
        panic!(
            "{} {what}{hint}\n--- stdout so far ---\n{}\n--- stderr so far ---\n{}",
            self.program,
            String::from_utf8_lossy(&self.child.stdout),
            String::from_utf8_lossy(&self.child.stderr)
        );
    }
}

impl Drop for Running {
    /// A test that fails half way never leaves the program (or its children) running.
    fn drop(&mut self) {
        self.child.kill();
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
