//! Running a learner's program, whatever it does: its output read up to [`CAP`]; one deadline
//! for the whole check, pipes included, after which it is killed with every process it started
//! (its process group, and on Linux every descendant the checker saw, even one that left the
//! group with `setsid`); killed too when the checker is interrupted ([`kill_on_interrupt`]).
//! While it runs, the checker watches it from outside ([`crate::observe`]): the processes it
//! started and their parents, its threads and their CPU time. Here: what a check works with and
//! what a run gives; [`crate::running`]: the running itself.

use crate::lang::Lang;
use crate::observe::Seen;
use crate::say;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

pub(crate) use crate::running::interrupted;
pub use crate::running::{Running, kill_on_interrupt, run, start};

/// The name of every thread a check starts, so that a test can see that none is left.
pub const THREAD: &str = "exercises-check";

/// How much of each of its outputs is read: a program that prints more fails.
pub const CAP: usize = 1 << 20;

/// A program to check: an executable, with the environment that picks it (the programs of the
/// tests run from one executable), and its source, for the checks that read it.
#[derive(Clone, Debug)]
pub struct Program {
    pub exe: PathBuf,
    pub env: Vec<(OsString, OsString)>,
    pub source: Option<PathBuf>,
}

impl Program {
    /// The learner's own build of an exercise, and its file.
    pub fn built(exe: PathBuf, source: PathBuf) -> Program {
        Program {
            exe,
            env: Vec::new(),
            source: Some(source),
        }
    }
}

/// What a check works with: the program, the language of its messages, its one deadline, and
/// an executable with the checker's helper roles (the master that `worker` serves).
pub struct Check<'a> {
    pub program: &'a Program,
    pub lang: Lang,
    pub deadline: Instant,
    pub helper: PathBuf,
}

/// Why a check failed, in the lesson's terms, and what the program printed (to show).
#[derive(Debug)]
pub struct Failure {
    pub why: String,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Failure {
    pub fn new(why: impl Into<String>) -> Failure {
        Failure {
            why: why.into(),
            stdout: Vec::new(),
            stderr: Vec::new(),
        }
    }

    /// The same failure, with what `run` printed.
    pub fn with(mut self, run: &Run) -> Failure {
        self.stdout.clone_from(&run.stdout);
        self.stderr.clone_from(&run.stderr);
        self
    }
}

impl From<String> for Failure {
    fn from(why: String) -> Failure {
        Failure::new(why)
    }
}

/// What its stdin gets.
pub enum Input {
    Null,
    /// These bytes, then the end.
    Bytes(Vec<u8>),
    /// These bytes, and the pipe stays open until [`Running::close_stdin`].
    Held(Vec<u8>),
}

/// How to run it.
pub struct Options {
    pub args: Vec<String>,
    /// `TUTORIAL_TIME_SCALE`: the tutorial's sleeps, scaled.
    pub scale: f64,
    pub stdin: Input,
    /// Linux: run it on this many of the checker's cores (its CPU affinity mask).
    pub cores: Option<usize>,
    pub env: Vec<(String, String)>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            args: Vec::new(),
            scale: 0.0,
            stdin: Input::Null,
            cores: None,
            env: Vec::new(),
        }
    }
}

/// A finished run.
pub struct Run {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub status: ExitStatus,
    /// From its start to its end, by the checker's clock.
    pub wall: Duration,
    /// Its CPU time, and that of the children it waited for (Unix).
    pub cpu: Option<Duration>,
    pub seen: Seen,
}

impl Run {
    /// Its stdout's lines (bytes that are not UTF-8 shown as `\xNN`).
    pub fn lines(&self) -> Vec<String> {
        shown(&self.stdout).lines().map(String::from).collect()
    }

    /// `Err` unless it exited with status 0.
    pub fn succeeded(&self, lang: Lang) -> Result<&Run, Failure> {
        if self.status.success() {
            return Ok(self);
        }
        let how = ended(lang, self.status);
        Err(Failure::new(say!(lang, "it {how}", "它{how}")).with(self))
    }
}

/// Bytes as text: UTF-8 as it is, any other byte as `\xNN`.
pub fn shown(bytes: &[u8]) -> String {
    let mut text = String::new();
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for b in chunk.invalid() {
            text.push_str(&format!("\\x{b:02X}"));
        }
    }
    text
}

/// How a program ended, in words.
pub(crate) fn ended(lang: Lang, status: ExitStatus) -> String {
    let how = shared::process::how_it_ended(status);
    match lang {
        Lang::En => how,
        Lang::Zh => match (status.code(), how.split_once("signal ")) {
            (_, Some((_, signal))) => format!("被信号 {signal} 终止"),
            (Some(code), None) => format!("退出了，退出状态为 {code}"),
            (None, None) => how,
        },
    }
}
