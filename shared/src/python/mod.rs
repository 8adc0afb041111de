//! `--vs-python`: the same workload in the learner's own `python3`, in the same run, so that the
//! tutorial's claims about Python (the GIL, the cost of a process, slow arithmetic, cheap waits)
//! are measured on the reader's machine beside the Rust figures.
//!
//! ```no_run
//! use shared::OrExit;
//! let Some(py) = shared::python::find().or_exit() else { return }; // says so if absent
//! println!("{}", py.describe()); // Python 3.11.7 (CPython, GIL on)
//! let python = py.multicore(2, 3.0).or_exit();
//! println!("{}", shared::python::row("CPU over wall time", "199 %", python.cpu_text(), None));
//! ```
//!
//! How it runs: each workload is a short script of our own in `shared/python/` (never the
//! tutorial's code), built into the program with `include_str!`. It is written to a private
//! temporary directory, because Python's "spawn" start method (the only one on Windows, the
//! default on macOS) starts its children from the main script's file; the directory is removed
//! when the run ends, and one left by a killed run is removed by a later run. The interpreter
//! runs under a timeout, in its own process group (Unix), with its output bounded; on a timeout
//! the whole group is killed, and on Linux it dies with this program. Each script checks its own
//! ceilings, measures itself, and prints one line `result key=value ...`.
//!
//! Where things are: this file finds the interpreter ([`find`], [`Python`]) and holds the
//! workloads, one method and one result type each; `run.rs` runs a script sandboxed as described
//! above and parses its `result` line; `table.rs` prints the side-by-side rows ([`row`],
//! [`time_row`]).
//!
//! Outcomes: no `python3` on `PATH` ([`find`] prints [`NOT_FOUND`] and returns `Ok(None)`: show
//! the Rust side only, exit 0); a Python that fails (a [`crate::Error`] of one line, from [`find`]
//! or a workload: `main` reports it with [`crate::OrExit::or_exit`] or `?`, exit 1). Nothing here
//! ends the program.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::Result;
use crate::bench::Stats;
use run::{Script, TIMEOUT};

mod run;
mod table;

pub use table::{ratio, row, time_ratio, time_row, times};

/// The line [`find`] prints when there is no Python to run.
#[cfg(not(windows))]
pub const NOT_FOUND: &str = "python3 not found on PATH: showing the Rust side only";
/// The line [`find`] prints when there is no Python to run.
#[cfg(windows)]
pub const NOT_FOUND: &str =
    "python3, python or py -3 not found on PATH: showing the Rust side only";

/// The commands tried, in order: a program looked up on `PATH`, and its first arguments.
#[cfg(not(windows))]
const CANDIDATES: &[(&str, &[&str])] = &[("python3", &[])];
#[cfg(windows)]
const CANDIDATES: &[(&str, &[&str])] = &[("python3", &[]), ("python", &[]), ("py", &["-3"])];

const PROBE: Script = Script::new("probe", include_str!("../../python/probe.py"));
const MULTICORE: Script = Script::new("multicore", include_str!("../../python/multicore.py"));
const CPU_BOUND: Script = Script::new("cpu_bound", include_str!("../../python/cpu_bound.py"));
const SPAWN_COST: Script = Script::new("spawn_cost", include_str!("../../python/spawn_cost.py"));
const IO_BOUND: Script = Script::new("io_bound", include_str!("../../python/io_bound.py"));
const QUEUE: Script = Script::new("mp_queue", include_str!("../../python/mp_queue.py"));
const CONTEXT_SWITCH: Script = Script::new(
    "context_switch",
    include_str!("../../python/context_switch.py"),
);

/// A Python interpreter found on `PATH`, with what the probe script learnt about it.
#[derive(Clone, Debug)]
pub struct Python {
    program: PathBuf,
    first_args: Vec<OsString>,
    /// The name it was found by: `python3` (or, on Windows, `python`, `py`).
    pub name: String,
    /// `3.11.7`
    pub version: String,
    /// `CPython`, `PyPy`, ...
    pub implementation: String,
    /// Whether the GIL is on (`sys._is_gil_enabled()` from 3.13; always on before).
    pub gil: bool,
    /// Whether this is a free-threaded build (3.13t and later), which can run without the GIL.
    pub free_threaded: bool,
}

/// The Python to compare with: `Some` if one was found; `None` after printing [`NOT_FOUND`] on
/// stdout (the caller shows its Rust side alone and exits 0). A Python that is found but fails
/// to run is an error of one line (the caller reports it and exits 1).
pub fn find() -> Result<Option<Python>> {
    let found = locate(std::env::var_os("PATH").as_deref(), CANDIDATES)?;
    if found.is_none() {
        println!("{NOT_FOUND}");
    }
    Ok(found)
}

/// The first of `candidates` found on `path` that runs the probe script. `Ok(None)` if none is
/// on `path`; on Windows a candidate that fails (such as the Microsoft Store's `python3`
/// placeholder) is skipped too.
fn locate(path: Option<&OsStr>, candidates: &[(&str, &[&str])]) -> Result<Option<Python>> {
    let mut failure = None;
    for &(name, first_args) in candidates {
        let Some(program) = on_path(path, name) else {
            continue;
        };
        let mut python = Python {
            program,
            first_args: first_args.iter().map(OsString::from).collect(),
            name: name.to_string(),
            version: String::new(),
            implementation: String::new(),
            gil: true,
            free_threaded: false,
        };
        match python.run(&PROBE, &[], Duration::from_secs(60)) {
            Ok(fields) => {
                python.version = fields.text("version")?.to_string();
                python.implementation = fields.text("implementation")?.to_string();
                python.gil = fields.flag("gil", "on", "off")?;
                python.free_threaded = fields.flag("free_threaded", "yes", "no")?;
                return Ok(Some(python));
            }
            Err(e) => failure = failure.or(Some(e)),
        }
    }
    match failure {
        Some(e) if cfg!(not(windows)) => Err(e),
        _ => Ok(None),
    }
}

/// The executable file `name` in one of the directories of `path` (a `PATH` value).
fn on_path(path: Option<&OsStr>, name: &str) -> Option<PathBuf> {
    let file = if cfg!(windows) {
        format!("{name}.exe")
    } else {
        name.to_string()
    };
    std::env::split_paths(path?)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(&file))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// `multicore`: busy threads in Python, and the CPU time they got.
#[derive(Clone, Debug)]
pub struct Multicore {
    pub threads: usize,
    /// CPU time of the whole Python process while its threads ran.
    pub cpu: Duration,
    pub wall: Duration,
    /// Whether the GIL was on while they ran.
    pub gil: bool,
}

impl Multicore {
    /// CPU time over wall time, in percent: about 100 for any number of threads under the GIL.
    pub fn cpu_percent(&self) -> f64 {
        100.0 * self.cpu.as_secs_f64() / self.wall.as_secs_f64().max(1e-9)
    }

    /// `104 % CPU`
    pub fn cpu_text(&self) -> String {
        format!("{:.0} % CPU", self.cpu_percent())
    }
}

/// `cpu_bound`: the prime count in Python, serial and with a `multiprocessing` pool.
#[derive(Clone, Debug)]
pub struct CpuBound {
    pub primes: u64,
    /// Processes in the pool.
    pub processes: usize,
    pub serial: Stats,
    pub pooled: Stats,
}

/// `spawn_cost`: creating and waiting for a thread, a forked process, a "spawn" process.
#[derive(Clone, Debug)]
pub struct SpawnCost {
    /// `threading.Thread` start + join.
    pub thread: Stats,
    /// `os.fork` + `os.waitpid`; `None` where there is no fork (Windows).
    pub fork: Option<Stats>,
    /// `multiprocessing` with the "spawn" start method: `Process` start + join.
    pub spawn: Stats,
}

/// `context_switch`: the cost of one switch, a token handed back and forth.
#[derive(Clone, Debug)]
pub struct ContextSwitch {
    /// Two threads, a `queue.Queue` each way.
    pub threads: Stats,
    /// Two processes, a `multiprocessing.Pipe`.
    pub processes: Stats,
    /// Two asyncio tasks on one thread, an `asyncio.Queue` each way.
    pub tasks: Stats,
}

/// `io_bound`: many `asyncio.sleep` at once, on one thread.
#[derive(Clone, Debug)]
pub struct IoBound {
    pub count: usize,
    pub wall: Stats,
    /// Peak resident memory of the Python process (`ru_maxrss`), in bytes; `None` off Unix.
    pub peak: Option<u64>,
    /// The same peak before the waits started: the interpreter itself.
    pub before: Option<u64>,
}

impl IoBound {
    /// What the waits added to the peak memory, in bytes.
    pub fn grown(&self) -> Option<u64> {
        Some(self.peak?.saturating_sub(self.before?))
    }
}

/// `queue`: small messages through a `multiprocessing.Queue`, from a writer process to a reader
/// process.
#[derive(Clone, Debug)]
pub struct QueueRate {
    /// Messages in each run, all counted by the reader.
    pub count: u64,
    /// Each run, from just before the two processes start until both are joined.
    pub wall: Stats,
}

impl QueueRate {
    /// Messages per second in the median run.
    pub fn rate(&self) -> f64 {
        self.count as f64 / self.wall.median.as_secs_f64().max(1e-9)
    }
}

impl Python {
    /// `Python 3.11.7 (CPython, GIL on)`; a free-threaded build adds that the tutorial's GIL
    /// claim is about CPython's default build.
    pub fn describe(&self) -> String {
        let gil = if self.gil { "GIL on" } else { "GIL off" };
        if self.free_threaded {
            format!(
                "Python {} ({} free-threaded build, {gil}): the tutorial's GIL claim is about \
                 CPython's default build",
                self.version, self.implementation
            )
        } else {
            format!("Python {} ({}, {gil})", self.version, self.implementation)
        }
    }

    /// `threads` Python threads spinning for `seconds`; CPU time over wall time.
    pub fn multicore(&self, threads: usize, seconds: f64) -> Result<Multicore> {
        let args = [threads.to_string(), seconds.to_string()];
        let timeout = TIMEOUT + Duration::from_secs_f64(seconds.clamp(0.0, 3600.0));
        let fields = self.run(&MULTICORE, &args, timeout)?;
        Ok(Multicore {
            threads: fields.number("threads")?,
            cpu: fields.seconds("cpu")?,
            wall: fields.seconds("wall")?,
            gil: fields.flag("gil", "on", "off")?,
        })
    }

    /// The primes below `limit`, counted `samples` times serially and `samples` times with a
    /// `multiprocessing.Pool(processes)` (one process per core is the tutorial's advice), each
    /// after a warm-up. Python takes about 1 s for a limit of 300,000 and 60 s for 5,000,000.
    pub fn cpu_bound(&self, limit: u64, samples: usize, processes: usize) -> Result<CpuBound> {
        let args = [
            limit.to_string(),
            samples.to_string(),
            processes.to_string(),
        ];
        let fields = self.run(&CPU_BOUND, &args, TIMEOUT)?;
        Ok(CpuBound {
            primes: fields.number("primes")?,
            processes: fields.number("processes")?,
            serial: fields.samples("serial")?,
            pooled: fields.samples("pooled")?,
        })
    }

    /// `samples` timed thread and fork rows, `spawns` timed "spawn" rows (each takes tens of
    /// milliseconds: a new interpreter), each after a warm-up.
    pub fn spawn_cost(&self, samples: usize, spawns: usize) -> Result<SpawnCost> {
        let args = [samples.to_string(), spawns.to_string()];
        let fields = self.run(&SPAWN_COST, &args, TIMEOUT)?;
        Ok(SpawnCost {
            thread: fields.samples("thread")?,
            fork: match fields.text("fork")? {
                "none" => None,
                _ => Some(fields.samples("fork")?),
            },
            spawn: fields.samples("spawn")?,
        })
    }

    /// `count` messages (the string `'m'`, as in `queue_bench`) through a `multiprocessing.Queue`
    /// from a writer process to a reader process, started by Python's default start method,
    /// `samples` times after a warm-up run. Python moves some 100,000 to 200,000 such messages a
    /// second (each is pickled, then written by a feeder thread): keep `count` modest.
    pub fn queue(&self, count: u64, samples: usize) -> Result<QueueRate> {
        let args = [count.to_string(), samples.to_string()];
        // Beyond the usual timeout, 50 µs a message in each run, the warm-up too (about 7 µs is
        // usual). The script takes at most 10,000,000 messages and 100 samples.
        let runs = samples.min(100) as u64 + 1;
        let messages = count.min(10_000_000) * runs;
        let timeout = TIMEOUT + Duration::from_micros(messages * 50);
        let fields = self.run(&QUEUE, &args, timeout)?;
        Ok(QueueRate {
            count: fields.number("count")?,
            wall: fields.samples("samples")?,
        })
    }

    /// A token handed back and forth `rounds` times between two threads, two processes and two
    /// asyncio tasks, `samples` times each after a warm-up: the cost of one switch.
    pub fn context_switch(&self, rounds: u32, samples: usize) -> Result<ContextSwitch> {
        let args = [rounds.to_string(), samples.to_string()];
        // Beyond the usual timeout, 100 µs a handoff, three rows, the warm-ups too.
        let handoffs = u64::from(rounds.min(1_000_000)) * (samples.min(100) as u64 + 1) * 3;
        let timeout = TIMEOUT + Duration::from_micros(handoffs * 100);
        let fields = self.run(&CONTEXT_SWITCH, &args, timeout)?;
        Ok(ContextSwitch {
            threads: fields.samples("threads")?,
            processes: fields.samples("processes")?,
            tasks: fields.samples("tasks")?,
        })
    }

    /// `count` waits of `wait` each (pass the scaled time: `shared::time::scaled`), all at once
    /// as asyncio tasks, `samples` times.
    pub fn io_bound(&self, count: usize, wait: Duration, samples: usize) -> Result<IoBound> {
        let seconds = wait.as_secs_f64();
        let args = [count.to_string(), seconds.to_string(), samples.to_string()];
        let timeout = TIMEOUT + wait.min(Duration::from_secs(3600)) * samples.min(100) as u32;
        let fields = self.run(&IO_BOUND, &args, timeout)?;
        Ok(IoBound {
            count: fields.number("count")?,
            wall: fields.samples("wall")?,
            peak: fields.optional_number("peak")?,
            before: fields.optional_number("before")?,
        })
    }
}

/// The one rule of the workspace for a test that needs `python3` (interop, `--vs-python`):
/// whether `python3 --version` runs. Without it the test says so on stderr and passes (call this
/// first and return when it is false), so that `cargo test` works on a machine without Python;
/// with `TUTORIAL_REQUIRE_PYTHON=1` (CI sets it) it panics instead, failing the test. The tests
/// of other packages call it through `harness::python3_present`.
#[doc(hidden)]
pub fn python3_for_tests(test: &str) -> bool {
    let found = std::process::Command::new("python3")
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert_ne!(
            std::env::var("TUTORIAL_REQUIRE_PYTHON").as_deref(),
            Ok("1"),
            "{test}: TUTORIAL_REQUIRE_PYTHON=1 but python3 is not on PATH"
        );
        eprintln!("{test}: skipped, python3 is not on PATH");
    }
    found
}

/// For the tests of this module and of its children: the Python found on `PATH`, or `None`
/// (the test `test` is skipped) by the rule of [`python3_for_tests`].
#[cfg(test)]
fn test_python(test: &str) -> Option<Python> {
    if !python3_for_tests(test) {
        return None;
    }
    let found = locate(std::env::var_os("PATH").as_deref(), CANDIDATES).expect("python3 runs");
    Some(found.expect("python3 is on PATH"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_python_and_its_gil() {
        let Some(py) = test_python("python::tests::finds_python_and_its_gil") else {
            return;
        };
        assert!(py.version.starts_with("3."), "{py:?}");
        assert_eq!(py.implementation, "CPython");
        assert!(py.gil || py.free_threaded, "{py:?}");
        assert!(
            py.describe()
                .starts_with(&format!("Python {} (CPython", py.version))
        );
    }

    #[test]
    fn not_on_path_is_none() {
        assert!(locate(Some(OsStr::new("")), CANDIDATES).unwrap().is_none());
        assert!(locate(None, CANDIDATES).unwrap().is_none());
        let empty = std::env::temp_dir();
        assert!(
            locate(Some(empty.as_os_str()), &[("no-such-python-here", &[])])
                .unwrap()
                .is_none()
        );
        assert!(NOT_FOUND.contains("not found on PATH: showing the Rust side only"));
    }

    #[test]
    fn multicore_threads_share_one_core_under_the_gil() {
        let Some(py) = test_python("python::tests::multicore_threads_share_one_core_under_the_gil")
        else {
            return;
        };
        let result = py.multicore(2, 0.3).unwrap();
        assert_eq!(result.threads, 2);
        assert!(result.wall >= Duration::from_millis(300), "{result:?}");
        assert!(result.cpu > Duration::ZERO, "{result:?}");
        if result.gil {
            assert!(result.cpu_percent() < 150.0, "{result:?}");
        }
    }

    #[test]
    fn cpu_bound_counts_the_same_primes_serial_and_pooled() {
        let Some(py) =
            test_python("python::tests::cpu_bound_counts_the_same_primes_serial_and_pooled")
        else {
            return;
        };
        let result = py.cpu_bound(2000, 2, 2).unwrap();
        assert_eq!((result.primes, result.processes), (303, 2));
        assert_eq!((result.serial.samples, result.pooled.samples), (2, 2));
        assert!(result.serial.median > Duration::ZERO);
    }

    #[test]
    fn spawn_cost_rows() {
        let Some(py) = test_python("python::tests::spawn_cost_rows") else {
            return;
        };
        let result = py.spawn_cost(3, 1).unwrap();
        assert_eq!((result.thread.samples, result.spawn.samples), (3, 1));
        assert_eq!(result.fork.map(|f| f.samples), cfg!(unix).then_some(3));
        // A spawned process starts a new interpreter: far more than a thread.
        assert!(result.spawn.median > result.thread.median * 5, "{result:?}");
    }

    #[test]
    fn io_bound_waits_and_memory() {
        let Some(py) = test_python("python::tests::io_bound_waits_and_memory") else {
            return;
        };
        let result = py.io_bound(200, Duration::from_millis(50), 2).unwrap();
        assert_eq!((result.count, result.wall.samples), (200, 2));
        assert!(result.wall.min >= Duration::from_millis(50), "{result:?}");
        if cfg!(unix) {
            assert!(result.peak.unwrap() > 1 << 20, "{result:?}");
            assert!(result.grown().is_some());
        }
    }

    #[test]
    fn queue_moves_every_message() {
        let Some(py) = test_python("python::tests::queue_moves_every_message") else {
            return;
        };
        let result = py.queue(20_000, 2).unwrap();
        assert_eq!((result.count, result.wall.samples), (20_000, 2));
        assert!(result.rate() > 0.0, "{result:?}");
        let e = py.queue(0, 1).unwrap_err().to_string();
        assert_eq!(
            e,
            "python3: mp_queue.py failed (exit status: 1): \
             mp_queue.py: COUNT must be from 1 to 10000000, not 0"
        );
    }
}
