//! # multicore: one busy thread per core, and how much CPU they really get
//!
//! Tutorial: 多线程 · 多核CPU (Multithreading: multi-core CPUs), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017629247922688>
//!
//! Python sample: none; the dead loop (`x = x ^ 1` in one thread per core) is in the tutorial's text.
//!
//! ```text
//! cargo run -p examples-thread --bin multicore
//! cargo run -p examples-thread --bin multicore -- --seconds 10 --threads 4
//! ```
//!
//! Output on a 2-core machine:
//!
//! ```text
//! 2 cores available; running 2 busy threads for 3 s...
//! CPU time 5.98 s over wall time 3.00 s = 199 % CPU (2 threads on 2 cores)
//! ```
//!
//! What to notice: the tutorial starts the same dead loop in one Python thread per core and
//! sees about 100 % CPU (105 % on a 2-core machine), because CPython's GIL lets only one thread
//! run Python code at a time. Rust threads are OS threads with no global lock, so N busy threads
//! on N free cores use close to N × 100 %. Watch `top` while it runs. Less than that means the
//! cores were busy with something else.
//!
//! What Rust does differently: the loop is bounded (`--seconds`), so the program ends on its
//! own. CPU time comes from `getrusage`, a Unix call, so this example is Unix only.

#[cfg(unix)]
use std::time::{Duration, Instant};

#[cfg(unix)]
const USAGE: &str = "\
usage: multicore [--seconds S] [--threads N]

Runs N busy threads (default: one per available core) for S seconds (default 3),
then prints CPU time over wall time.";

/// The tutorial's dead loop, bounded: flip a bit until the deadline.
#[cfg(unix)]
fn run_loop(deadline: Instant) {
    let mut x = 0u64;
    while Instant::now() < deadline {
        for _ in 0..100_000 {
            x = std::hint::black_box(x ^ 1);
        }
    }
}

/// User plus system CPU time used so far by all threads of this process.
#[cfg(unix)]
fn cpu_time() -> Duration {
    use nix::sys::resource::{UsageWho, getrusage};
    let usage = getrusage(UsageWho::RUSAGE_SELF)
        .unwrap_or_else(|e| shared::exit_error(format!("getrusage: {e}")));
    let micros = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(t.tv_sec() as u64) + Duration::from_micros(t.tv_usec() as u64)
    };
    micros(usage.user_time()) + micros(usage.system_time())
}

#[cfg(unix)]
fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut seconds: f64 = 3.0;
    let mut threads = cores;
    let mut args = shared::start(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Long("seconds") => seconds = args.value(),
            shared::Arg::Long("threads") => threads = args.value(),
            other => shared::unexpected(other),
        }
    }
    if !(seconds > 0.0 && seconds <= 3600.0) {
        shared::exit_usage(format!(
            "--seconds must be above 0 and at most 3600, not {seconds}"
        ));
    }
    if threads == 0 || threads > 1024 {
        shared::exit_usage(format!("--threads must be from 1 to 1024, not {threads}"));
    }

    println!("{cores} cores available; running {threads} busy threads for {seconds} s...");
    let cpu_before = cpu_time();
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(move || run_loop(deadline));
        }
    });
    let wall = start.elapsed();
    let cpu = cpu_time() - cpu_before;
    println!(
        "CPU time {:.2} s over wall time {:.2} s = {:.0} % CPU ({threads} threads on {cores} cores)",
        cpu.as_secs_f64(),
        wall.as_secs_f64(),
        100.0 * cpu.as_secs_f64() / wall.as_secs_f64()
    );
}

#[cfg(not(unix))]
fn main() {
    eprintln!("multicore measures CPU time with getrusage, which only Unix systems have.");
    std::process::exit(1);
}
