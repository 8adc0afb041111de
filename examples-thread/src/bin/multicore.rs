//! # multicore: one busy thread per core, and how much CPU they really get
//!
//! Tutorial: 多线程 · 多核CPU (Multithreading: multi-core CPUs), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017629247922688>
//! Book: `book/src/multithreading.md`, built as `book/book/multithreading.html`; 中文版 `book/book/zh-CN/multithreading.html`
//!
//! Python sample: none; the dead loop (`x = x ^ 1` in one thread per core) is in the tutorial's text.
//!
//! ```text
//! cargo run -p examples-thread --bin multicore
//! cargo run -p examples-thread --bin multicore -- --seconds 10 --threads 4
//! cargo run --release -p examples-thread --bin multicore -- --vs-python
//! ```
//!
//! Output: (a 2-core machine; the times differ from run to run)
//!
//! ```text
//! 2 cores available; running 2 busy threads for 3 s of CPU time each...
//! CPU time 6.00 s over wall time 3.03 s = 198 % CPU (2 threads on 2 cores)
//! ```
//!
//! Output of `cargo run --release -p examples-thread --bin multicore -- --vs-python --seconds 2`:
//!
//! ```text
//! 2 cores available; running 2 busy threads for 2 s of CPU time each...
//! CPU time 4.00 s over wall time 2.03 s = 197 % CPU (2 threads on 2 cores)
//! Python 3.11.7 (CPython, GIL on), 2 threads for 2.03 s:
//!   CPU over wall time Rust 197 % CPU      Python 100 % CPU      Python/Rust 0.51x
//! ```
//!
//! What to notice: the tutorial starts the same dead loop in one Python thread per core and
//! watches the CPU: the threads together use one core, not all of them, because CPython's GIL
//! lets only one thread run Python code at a time. Rust threads are OS threads with no global
//! lock, so N busy threads on N free cores use close to N × 100 %. Watch `top` while it runs.
//! Less than that means the cores were busy with something else.
//!
//! What Rust does differently: the loop is bounded: each thread spins until its own CPU clock
//! reads `--seconds`, so the program ends on its own, and however busy the machine, the threads
//! use exactly that much CPU; only the wall time, and so the percentage, tells whether they ran
//! side by side. The standard library has no CPU clock: `examples_thread::process_cpu_time`
//! asks the system (`getrusage` on Unix, `GetProcessTimes` on Windows).
//!
//! Try: put the loop under one global lock, as the GIL does: add
//! `static GIL: std::sync::Mutex<()> = std::sync::Mutex::new(());` and, inside `while`, around
//! the `for`, `let _gil = GIL.lock().unwrap();`: about 100 % CPU, and twice the wall time.

use examples_thread::{process_cpu_time, thread_cpu_time};
use shared::{Arg::Long, OrExit};
use std::time::{Duration, Instant};

const USAGE: &str = "\
usage: multicore [--seconds S] [--threads N] [--vs-python]

Runs N busy threads (default: one per available core), each until it has used S seconds of
CPU time (default 3, at most 60), then prints the process's CPU time over the wall time.
--vs-python then runs N Python threads (python3) as long, and prints what they got.";

/// The tutorial's dead loop (`x = x ^ 1`), bounded: spins until this thread has used `cpu`.
fn run_loop(cpu: Duration) {
    let mut x = 0u64;
    while thread_cpu_time() < cpu {
        for _ in 0..100_000 {
            x = std::hint::black_box(x ^ 1);
        }
    }
}

fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (mut seconds, mut threads, mut vs_python) = (3.0, cores, false);
    let mut args = shared::start(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            Long("seconds") => seconds = args.value_in(0.01..=60.0),
            Long("threads") => threads = args.value_in(1..=cores.max(64)),
            Long("vs-python") => vs_python = true,
            other => shared::unexpected(other),
        }
    }
    let each = if threads > 1 { " each" } else { "" };
    let (cores_, busy) = (count(cores, "core"), count(threads, "busy thread"));
    println!("{cores_} available; running {busy} for {seconds} s of CPU time{each}...");

    let cpu_before = process_cpu_time();
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(move || run_loop(Duration::from_secs_f64(seconds)));
        }
    });
    let wall = start.elapsed().as_secs_f64();
    let cpu = (process_cpu_time() - cpu_before).as_secs_f64();
    let percent = 100.0 * cpu / wall;
    let on = format!("{} on {}", count(threads, "thread"), count(cores, "core"));
    println!("CPU time {cpu:.2} s over wall time {wall:.2} s = {percent:.0} % CPU ({on})");
    if vs_python {
        examples_thread::vs_python::multicore(threads, wall, percent).or_exit();
    }
}

/// `1 thread`, `2 threads`.
fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}
