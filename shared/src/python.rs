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
//! Outcomes: no `python3` on `PATH` ([`find`] prints [`NOT_FOUND`] and returns `Ok(None)`: show
//! the Rust side only, exit 0); a Python that fails (a [`crate::Error`] of one line, from [`find`]
//! or a workload: `main` reports it with [`crate::OrExit::or_exit`] or `?`, exit 1). Nothing here
//! ends the program.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant, SystemTime};

use crate::bench::{Stats, human};
use crate::{Error, Result};

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

/// How long a script may run beyond the waits it is asked to do.
const TIMEOUT: Duration = Duration::from_secs(600);
/// The most output kept of each of the interpreter's stdout and stderr.
const MAX_OUTPUT: usize = 64 * 1024;
/// The prefix of the temporary directories the scripts run from.
const TEMP_PREFIX: &str = "tutorial-vs-python-";

const PROBE: Script = Script::new("probe", include_str!("../python/probe.py"));
const MULTICORE: Script = Script::new("multicore", include_str!("../python/multicore.py"));
const CPU_BOUND: Script = Script::new("cpu_bound", include_str!("../python/cpu_bound.py"));
const SPAWN_COST: Script = Script::new("spawn_cost", include_str!("../python/spawn_cost.py"));
const IO_BOUND: Script = Script::new("io_bound", include_str!("../python/io_bound.py"));

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

    /// Runs `script` with `args`; its `result` line, or what went wrong in one line.
    fn run(&self, script: &Script, args: &[String], timeout: Duration) -> Result<Fields> {
        let dir =
            TempDir::new().map_err(|e| self.error(format!("cannot write its script: {e}")))?;
        let file = dir.0.join(format!("{}.py", script.name));
        std::fs::write(&file, script.source)
            .map_err(|e| self.error(format!("cannot write its script: {e}")))?;
        let mut command = Command::new(&self.program);
        command
            .args(&self.first_args)
            .arg(&file)
            .args(args)
            .current_dir(&dir.0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        own_group_dying_with_us(&mut command);
        let mut child = command
            .spawn()
            .map_err(|e| self.error(format!("cannot start: {e}")))?;
        let stdout = bounded_reader(child.stdout.take());
        let stderr = bounded_reader(child.stderr.take());
        let status = wait_for(&mut child, timeout);
        // Also what the script left behind (pool workers, forked children), if anything.
        kill_group(&mut child);
        let (stdout, stderr) = (stdout.join(), stderr.join());
        let context = format!("{}.py", script.name);
        match status {
            None => Err(self.error(format!(
                "{context} did not finish within {} and was stopped",
                human(timeout)
            ))),
            Some(status) if !status.success() => {
                let last = String::from_utf8_lossy(&stderr.unwrap_or_default())
                    .lines()
                    .map(str::trim)
                    .rfind(|line| !line.is_empty())
                    .map(|line| line.chars().take(300).collect::<String>());
                Err(self.error(match last {
                    Some(line) => format!("{context} failed ({status}): {line}"),
                    None => format!("{context} failed ({status})"),
                }))
            }
            Some(_) => Fields::parse(&String::from_utf8_lossy(&stdout.unwrap_or_default()))
                .ok_or_else(|| self.error(format!("{context} printed no result line"))),
        }
    }

    fn error(&self, message: String) -> Error {
        Error::new(format!("{}: {message}", self.name))
    }
}

/// A script of `shared/python/`, built into the program.
struct Script {
    name: &'static str,
    source: &'static str,
}

impl Script {
    const fn new(name: &'static str, source: &'static str) -> Script {
        Script { name, source }
    }
}

/// A private directory for one run's script, removed when dropped. Creating one first removes
/// those a killed run left behind more than an hour ago.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> std::io::Result<TempDir> {
        let base = std::env::temp_dir();
        remove_stale(&base);
        let unique = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = base.join(format!("{TEMP_PREFIX}{}-{unique}", std::process::id()));
        #[cfg_attr(not(unix), expect(unused_mut, reason = "the mode is set on Unix only"))]
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&dir)?; // fails if it exists: never a directory someone prepared
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn remove_stale(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(3600));
        if stale && entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Unix: the interpreter leads its own process group, so that a timeout can kill it with all
/// its children. Linux: it also gets SIGKILL when this program's thread that started it ends,
/// even if this program is killed.
#[cfg_attr(
    not(unix),
    expect(unused_variables, reason = "nothing to set elsewhere")
)]
fn own_group_dying_with_us(command: &mut Command) {
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(command, 0);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        let parent = nix::unistd::getpid();
        // SAFETY: the closure runs in the forked child before exec, where only async-signal-safe
        // calls are allowed: `prctl`, `getppid` and `_exit` are system calls and allocate nothing.
        unsafe {
            command.pre_exec(move || {
                let _ = nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL);
                // This program may have ended before the line above: then end at once.
                if nix::unistd::getppid() != parent {
                    nix::libc::_exit(1);
                }
                Ok(())
            });
        }
    }
}

/// Kills what is left of the interpreter's process group (Unix) or the interpreter (elsewhere).
fn kill_group(child: &mut Child) {
    #[cfg(unix)]
    {
        let group = nix::unistd::Pid::from_raw(child.id() as i32);
        let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The child's exit status, or `None` if it is still running after `timeout`.
fn wait_for(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            _ => return None,
        }
    }
}

/// Reads a pipe to its end on a thread, keeping at most [`MAX_OUTPUT`] bytes.
fn bounded_reader(pipe: Option<impl Read + Send + 'static>) -> Reader {
    Reader(pipe.map(|mut pipe| {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let mut buffer = [0u8; 8192];
            loop {
                match pipe.read(&mut buffer) {
                    Ok(0) => break,
                    Ok(n) => {
                        let room = MAX_OUTPUT.saturating_sub(kept.len());
                        kept.extend_from_slice(&buffer[..n.min(room)]);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
            kept
        })
    }))
}

struct Reader(Option<std::thread::JoinHandle<Vec<u8>>>);

impl Reader {
    fn join(self) -> Option<Vec<u8>> {
        self.0?.join().ok()
    }
}

/// The `key=value` pairs of a script's last `result` line.
#[derive(Debug)]
struct Fields(HashMap<String, String>);

impl Fields {
    fn parse(stdout: &str) -> Option<Fields> {
        let line = stdout
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("result "))?;
        let pairs = line
            .split_whitespace()
            .filter_map(|pair| pair.split_once('='));
        Some(Fields(
            pairs.map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ))
    }

    fn text(&self, key: &str) -> Result<&str> {
        self.0
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| Error::new(format!("python: no `{key}` in the script's result line")))
    }

    fn parsed<T: std::str::FromStr>(&self, key: &str, text: &str) -> Result<T> {
        text.parse()
            .map_err(|_| Error::new(format!("python: `{key}={text}` is not a valid value")))
    }

    fn number<T: std::str::FromStr>(&self, key: &str) -> Result<T> {
        self.parsed(key, self.text(key)?)
    }

    fn optional_number(&self, key: &str) -> Result<Option<u64>> {
        match self.text(key)? {
            "None" | "none" => Ok(None),
            text => self.parsed(key, text).map(Some),
        }
    }

    fn flag(&self, key: &str, yes: &str, no: &str) -> Result<bool> {
        match self.text(key)? {
            text if text == yes => Ok(true),
            text if text == no => Ok(false),
            text => Err(Error::new(format!(
                "python: `{key}={text}` is neither {yes} nor {no}"
            ))),
        }
    }

    fn duration(&self, key: &str, text: &str) -> Result<Duration> {
        let secs: f64 = self.parsed(key, text)?;
        Duration::try_from_secs_f64(secs)
            .map_err(|_| Error::new(format!("python: `{key}={text}` is not a duration")))
    }

    fn seconds(&self, key: &str) -> Result<Duration> {
        self.duration(key, self.text(key)?)
    }

    /// `key=0.1,0.2,0.3` (seconds) as statistics.
    fn samples(&self, key: &str) -> Result<Stats> {
        let times = self
            .text(key)?
            .split(',')
            .map(|t| self.duration(key, t))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Stats::of(times))
    }
}

/// How many times the Python figure is the Rust one (`None` if the Rust one is zero).
pub fn ratio(rust: f64, python: f64) -> Option<f64> {
    (rust > 0.0 && rust.is_finite() && python.is_finite()).then(|| python / rust)
}

/// [`ratio`] of two durations.
pub fn time_ratio(rust: Duration, python: Duration) -> Option<f64> {
    ratio(rust.as_secs_f64(), python.as_secs_f64())
}

/// A ratio as people read it: `68x`, `2.0x`, `0.52x`.
pub fn times(ratio: f64) -> String {
    if ratio >= 10.0 {
        format!("{ratio:.0}x")
    } else if ratio >= 1.0 {
        format!("{ratio:.1}x")
    } else {
        format!("{ratio:.2}x")
    }
}

/// One side-by-side row, in the programs' usual two-space indent:
/// `  serial:            Rust 13.00 ms      Python 880.00 ms     Python/Rust 68x`.
/// Pass figures already formatted (`bench::human`, `mem::mib`, `"199 % CPU"`); `python_over_rust`
/// from [`ratio`] or [`time_ratio`], or `None` for no ratio.
pub fn row(
    label: &str,
    rust: impl fmt::Display,
    python: impl fmt::Display,
    python_over_rust: Option<f64>,
) -> String {
    let line = format!(
        "  {label:<18} Rust {:<14} Python {:<14}",
        rust.to_string(),
        python.to_string()
    );
    match python_over_rust {
        Some(r) => format!("{line} Python/Rust {}", times(r)),
        None => line.trim_end().to_string(),
    }
}

/// [`row`] for two durations (their medians, say), with their ratio.
pub fn time_row(label: &str, rust: Duration, python: Duration) -> String {
    row(label, human(rust), human(python), time_ratio(rust, python))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn python() -> Python {
        locate(std::env::var_os("PATH").as_deref(), CANDIDATES)
            .expect("python3 runs")
            .expect("python3 is on PATH (the tests need it)")
    }

    fn run_source(py: &Python, source: &'static str, timeout: Duration) -> Result<Fields> {
        py.run(&Script::new("test", source), &[], timeout)
    }

    #[test]
    fn finds_python_and_its_gil() {
        let py = python();
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
        let py = python();
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
        let result = python().cpu_bound(2000, 2, 2).unwrap();
        assert_eq!((result.primes, result.processes), (303, 2));
        assert_eq!((result.serial.samples, result.pooled.samples), (2, 2));
        assert!(result.serial.median > Duration::ZERO);
    }

    #[test]
    fn spawn_cost_rows() {
        let result = python().spawn_cost(3, 1).unwrap();
        assert_eq!((result.thread.samples, result.spawn.samples), (3, 1));
        assert_eq!(result.fork.map(|f| f.samples), cfg!(unix).then_some(3));
        // A spawned process starts a new interpreter: far more than a thread.
        assert!(result.spawn.median > result.thread.median * 5, "{result:?}");
    }

    #[test]
    fn io_bound_waits_and_memory() {
        let result = python()
            .io_bound(200, Duration::from_millis(50), 2)
            .unwrap();
        assert_eq!((result.count, result.wall.samples), (200, 2));
        assert!(result.wall.min >= Duration::from_millis(50), "{result:?}");
        if cfg!(unix) {
            assert!(result.peak.unwrap() > 1 << 20, "{result:?}");
            assert!(result.grown().is_some());
        }
    }

    #[test]
    fn a_failing_script_is_one_line() {
        let py = python();
        let e = run_source(&py, "import sys\nraise ValueError('boom')\n", TIMEOUT).unwrap_err();
        assert_eq!(
            e.to_string(),
            "python3: test.py failed (exit status: 1): ValueError: boom"
        );
        let e = py.cpu_bound(10, 0, 2).unwrap_err().to_string();
        assert_eq!(
            e,
            "python3: cpu_bound.py failed (exit status: 1): \
             cpu_bound.py: SAMPLES must be from 1 to 1000, not 0"
        );
        let e = run_source(&py, "print('no result here')\n", TIMEOUT).unwrap_err();
        assert_eq!(e.to_string(), "python3: test.py printed no result line");
    }

    #[test]
    fn a_timeout_kills_the_script_and_its_children() {
        let py = python();
        let started = Instant::now();
        let source = "import os, sys, time\n\
                      if hasattr(os, 'fork') and os.fork() == 0:\n    time.sleep(60); os._exit(0)\n\
                      time.sleep(60)\n";
        let e = run_source(&py, source, Duration::from_millis(500)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "python3: test.py did not finish within 500.00 ms and was stopped"
        );
        assert!(started.elapsed() < Duration::from_secs(10));
        // The forked child held the stdout pipe: the run could only return once it was gone.
    }

    #[test]
    fn the_script_directory_is_removed() {
        let py = python();
        let source = "import os\nprint('result dir=' + os.getcwd())\n";
        let fields = run_source(&py, source, TIMEOUT).unwrap();
        let dir = PathBuf::from(fields.text("dir").unwrap());
        assert!(
            dir.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(TEMP_PREFIX)
        );
        assert!(!dir.exists(), "{dir:?} left behind");
    }

    #[test]
    fn fields_and_rows() {
        let fields = Fields::parse("noise\nresult a=1 b=0.5,1.5 c=None\n").unwrap();
        assert_eq!(fields.number::<u32>("a"), Ok(1));
        assert_eq!(fields.samples("b").unwrap().median, Duration::from_secs(1));
        assert_eq!(fields.optional_number("c"), Ok(None));
        assert!(fields.text("d").is_err());
        assert!(Fields::parse("a=1\n").is_none());
        assert_eq!(times(68.2), "68x");
        assert_eq!(times(2.04), "2.0x");
        assert_eq!(times(0.523), "0.52x");
        assert_eq!(ratio(0.0, 1.0), None);
        assert_eq!(
            time_row(
                "serial:",
                Duration::from_millis(13),
                Duration::from_millis(880)
            ),
            "  serial:            Rust 13.00 ms       Python 880.00 ms      Python/Rust 68x"
        );
        assert_eq!(
            row("GIL:", "none", "on", None),
            "  GIL:               Rust none           Python on"
        );
    }
}
