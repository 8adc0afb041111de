//! # spawn_cost: what a thread, a process and a new program cost
//!
//! Tutorial: 进程 vs. 线程 (Processes vs. threads: what a process costs), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017631469467456>
//! Book: `book/src/processes-vs-threads.md`, built as `book/book/processes-vs-threads.html`; 中文版 `book/book/zh-CN/processes-vs-threads.html`
//!
//! Python sample: none; the tutorial makes the claim in words.
//!
//! ```text
//! cargo run --release -p examples-process --bin spawn_cost
//! cargo run --release -p examples-process --bin spawn_cost -- --count 3000 --samples 500
//! cargo run --release -p examples-process --bin spawn_cost -- --vs-python
//! ```
//!
//! Output: (times and memory differ from run to run; on Windows the fork rows are missing)
//!
//! ```text
//! Creating one and waiting for it to end, 200 samples each after a warm-up:
//!   thread (spawn + join):                 53.6 µs (min 28.5 µs, max 1.39 ms, 200 samples)
//!   process (fork + waitpid):              164.8 µs (min 147.0 µs, max 528.2 µs, 200 samples)
//!   new program (this one, spawn + wait):  932.3 µs (min 882.8 µs, max 1.40 ms, 200 samples)
//!   a process costs 3.1x a thread; a new program 17.4x.
//! 1000 at once:
//!   1000 processes forked in 79.14 ms; memory while all are alive: 50.8 MiB (51 KiB each)
//!   1000 threads started in 29.88 ms; memory while all are alive: 9.4 MiB (9 KiB each)
//! ```
//!
//! What to notice: a process costs several times a thread to create, and a new program (what
//! Windows and Python's "spawn" must do) costs more again: a fresh address space, loading the
//! executable, starting its runtime. Memory tells the same story: a thread needs a stack, a
//! process its own copies of every page it writes (and page tables, which the figure, PSS, does
//! not count). Hundreds or thousands of
//! either still work on a modern machine, but the bill grows with the count; that is why the
//! tutorial warns against thousands of processes.
//!
//! What Rust does differently: these are the raw costs of the system calls (`clone` for a
//! thread, `fork` + `waitpid` for a process), with none of Python's interpreter around them
//! (`--vs-python` shows what that adds).
//! Process memory is the sum of each child's PSS (its private pages plus its share of shared
//! ones), so pages shared after `fork` are not counted twice. Timings of a debug build mean
//! little: build with `--release`. Windows has no `fork`: there the process rows are missing,
//! and a new program is the only way to a new process (as for Python's `multiprocessing`).
//!
//! Try: `--count 10000`: both totals grow ten-fold at the same cost each (about 51 KiB a process,
//! 9 KiB a thread here): 10000 processes take about 500 MiB, 10000 threads under 100 MiB. If your
//! system refuses one (`ulimit -u`, a cgroup's `pids.max`), the program says which.

use shared::Arg::Long;
use shared::bench::{Stats, measure};
use shared::mem::{mib, rss};
use shared::{Context, OrExit};
use std::sync::RwLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

const USAGE: &str = "\
usage: spawn_cost [--samples K] [--count N] [--vs-python]

Times K (default 200) creations of a thread, a forked process (Unix) and a new program, then
starts N (default 1000) processes (Unix) and N threads at once. --vs-python times the same in
your python3: threading.Thread, os.fork, and multiprocessing's \"spawn\" (at most 20 of those).
(--child is how the new-program samples are started.)";

fn thread_once() {
    let thread = thread::Builder::new().spawn(|| {});
    let thread =
        thread.unwrap_or_else(|e| shared::exit_error(format!("the system refused a thread: {e}")));
    thread.join().expect("an empty thread does not panic");
}

#[cfg(unix)]
fn fork_once() {
    let child =
        fork_child(|| {}).unwrap_or_else(|e| shared::exit_error(format!("fork failed: {e}")));
    nix::sys::wait::waitpid(child, None)
        .context("cannot wait for the child")
        .or_exit();
}

fn program_once() {
    let status = shared::this_program()
        .args(["--child", "nothing"])
        .status()
        .context("cannot start this program again")
        .or_exit();
    shared::process::check("the new program", status).or_exit();
}

fn main() {
    // The new program of the samples (`--child nothing`): it ends at once.
    shared::run_if_child(|_| ());
    let (mut samples, mut count, mut vs_python) = (200, 1000, false);
    let mut args = shared::start(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            Long("samples") => samples = args.value_in(1..=100_000),
            Long("count") => count = args.value_in(1..=20_000),
            Long("vs-python") => vs_python = true,
            other => shared::unexpected(other),
        }
    }
    shared::bench::warn_if_debug("cargo run --release -p examples-process --bin spawn_cost");

    let warmup = (samples / 10).max(1);
    println!("Creating one and waiting for it to end, {samples} samples each after a warm-up:");
    let thread = measure(warmup, samples, thread_once);
    row("thread (spawn + join):", &thread);
    let ratio = |s: &Stats| s.median.as_secs_f64() / thread.median.as_secs_f64();
    #[cfg(unix)]
    let process = measure(warmup, samples, fork_once);
    #[cfg(unix)]
    row("process (fork + waitpid):", &process);
    let program = measure(warmup, samples, program_once);
    row("new program (this one, spawn + wait):", &program);
    #[cfg(unix)]
    print!("  a process costs {:.1}x a thread;", ratio(&process));
    #[cfg(not(unix))]
    print!("  no fork on this system;");
    println!(" a new program {:.1}x.", ratio(&program));
    if vs_python {
        #[cfg(not(unix))]
        let process = None;
        #[cfg(unix)]
        let process = Some(process);
        python_rows(samples, &thread, process, &program);
    }

    println!("{count} at once:");
    // Processes first: a parent that has just run a thousand threads keeps their stacks
    // mapped (the C library caches them), and every fork would have to copy those mappings.
    #[cfg(unix)]
    many_processes(count);
    many_threads(count);
}

fn row(label: &str, stats: &Stats) {
    println!("  {label:<38} {stats}");
}

/// `--vs-python`: the same three rows in the learner's `python3`, beside ours (medians).
fn python_rows(samples: usize, thread: &Stats, process: Option<Stats>, program: &Stats) {
    let Some(py) = shared::python::find().or_exit() else {
        return; // it has said so in one line
    };
    // A "spawn" process is a new interpreter: tens of milliseconds each.
    let spawns = samples.min(20);
    println!(
        "Python on the same machine, {}; medians of {samples} samples ({spawns} spawns):",
        py.describe()
    );
    let python = py.spawn_cost(samples, spawns).or_exit();
    let time_row = shared::python::time_row;
    println!(
        "{}",
        time_row("thread", thread.median, python.thread.median)
    );
    if let (Some(ours), Some(theirs)) = (process, python.fork) {
        println!("{}", time_row("fork", ours.median, theirs.median));
    }
    println!(
        "{}",
        time_row("program / spawn", program.median, python.spawn.median)
    );
}

/// Starts up to `count` threads that all stay alive until every one has started, then measures
/// how much this process grew. If the system refuses a thread, measures the ones it got.
fn many_threads(count: usize) {
    let before = rss();
    let gate = RwLock::new(());
    let started = AtomicUsize::new(0);
    let start = Instant::now();
    thread::scope(|s| {
        let closed = gate.write().expect("nobody else has the gate yet");
        let (mut spawned, mut refused) = (0, None);
        for _ in 0..count {
            let thread = thread::Builder::new().spawn_scoped(s, || {
                started.fetch_add(1, Ordering::SeqCst);
                drop(gate.read()); // wait at the gate until every thread has started
            });
            match thread {
                Ok(_) => spawned += 1,
                Err(e) => {
                    refused = Some(e.to_string());
                    break;
                }
            }
        }
        while started.load(Ordering::SeqCst) < spawned {
            thread::sleep(Duration::from_micros(100));
        }
        let took = start.elapsed();
        let memory = rss()
            .zip(before)
            .map(|(now, before)| now.saturating_sub(before));
        report(spawned, count, "threads started", took, memory, refused);
        drop(closed);
    });
}

/// Forks a child that runs `then` and exits at once with `_exit(0)`.
#[cfg(unix)]
fn fork_child(then: impl FnOnce()) -> std::io::Result<nix::unistd::Pid> {
    use nix::unistd::{ForkResult, fork};
    // SAFETY: after `fork` the child has only this thread, so it may only make
    // async-signal-safe calls. The children here only call `read`, `close` and `_exit`, which
    // are all async-signal-safe. At the moment of forking this program has no other thread
    // anyway: every thread of the thread measurement has been joined, and the thousand
    // threads start after the thousand processes have ended.
    match unsafe { fork() }? {
        ForkResult::Child => {
            then();
            // SAFETY: `_exit` ends the child at once, without the at-exit work (flushing
            // stdout, running destructors) that belongs to the parent.
            unsafe { nix::libc::_exit(0) }
        }
        ForkResult::Parent { child } => Ok(child),
    }
}

/// Forks up to `count` children that all stay alive until the parent closes a pipe, and sums
/// their memory. If the system refuses a process, measures the ones it got.
#[cfg(unix)]
fn many_processes(count: usize) {
    use nix::unistd::{close, pipe, read};
    use std::os::fd::AsRawFd;
    let (read_end, write_end) = pipe().context("cannot make a pipe").or_exit();
    let (read_fd, write_fd) = (read_end.as_raw_fd(), write_end.as_raw_fd());
    let start = Instant::now();
    let mut children = Vec::with_capacity(count);
    let mut refused = None;
    for _ in 0..count {
        let forked = fork_child(|| {
            // The child's copy of the write end must go, or the pipe never ends for it.
            let _ = close(write_fd);
            // Blocks until every copy of the write end is closed: then read returns 0.
            let _ = read(read_fd, &mut [0u8; 1]);
        });
        match forked {
            Ok(child) => children.push(child),
            Err(e) => {
                refused = Some(e.to_string());
                break;
            }
        }
    }
    let took = start.elapsed();
    let memory = children
        .iter()
        .map(|c| shared::mem::pss_of(c.as_raw() as u32))
        .sum();
    // Closing the last write end lets every child's read return; then reap them all.
    drop(write_end);
    for child in &children {
        let _ = nix::sys::wait::waitpid(*child, None);
    }
    report(
        children.len(),
        count,
        "processes forked",
        took,
        memory,
        refused,
    );
}

/// `  1000 threads started in 37.50 ms; memory while all are alive: 9.4 MiB (9 KiB each)`, and
/// how many the system refused.
fn report(
    got: usize,
    count: usize,
    what: &str,
    took: Duration,
    memory: Option<u64>,
    refused: Option<String>,
) {
    let memory = match memory {
        Some(bytes) if got > 0 => {
            format!("{} ({} KiB each)", mib(bytes), bytes / 1024 / got as u64)
        }
        _ => "not measurable on this system".into(),
    };
    let took = shared::bench::human(took);
    println!("  {got} {what} in {took}; memory while all are alive: {memory}");
    if let Some(e) = refused {
        println!(
            "  (the system refused number {} of {count}: {e}; measured the {got} it gave)",
            got + 1
        );
    }
}
