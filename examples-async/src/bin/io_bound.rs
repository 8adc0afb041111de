//! # io_bound: ten thousand waits, as tasks on one thread and as one thread each
//!
//! Tutorial: 进程 vs. 线程 · IO密集型 · 异步IO (IO-bound work and async IO), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017631469467456>
//! Book: `book/src/processes-vs-threads.md`, built as `book/book/processes-vs-threads.html`; 中文版 `book/book/zh-CN/processes-vs-threads.html`
//!
//! Python sample: none; the tutorial states it in words (and asyncio's samples wait with `sleep`).
//!
//! ```text
//! cargo run --release -p examples-async --bin io_bound
//! cargo run --release -p examples-async --bin io_bound -- --count 100000
//! cargo run --release -p examples-async --bin io_bound -- --timeline     # waits in flight over time
//! cargo run --release -p examples-async --bin io_bound -- --vs-python    # asyncio beside our tasks
//! ```
//!
//! Output: (times and memory differ from run to run)
//!
//! ```text
//! 10000 waits of 1 s each, all at once; median wall time of 3 runs, memory of the first:
//!   tasks on one thread:  1.01 s (min 1.01 s, max 1.01 s, 3 samples); memory while all wait: 4.4 MiB (0.5 KiB each)
//!   one OS thread each:   1.58 s (min 1.56 s, max 1.65 s, 3 samples); memory while all wait: 93.1 MiB (9.5 KiB each)
//! ```
//!
//! What to notice: IO-bound work mostly waits (for a disk, a network, a user). A wait needs no
//! CPU, so a single thread can keep thousands of them going, as long as none of them blocks it.
//! A task costs a few hundred bytes and starts in well under a microsecond; an OS thread needs
//! its own stack and a trip through the kernel, so thousands of them cost more time and far more
//! memory. That is the tutorial's point: for IO-bound work, one thread with async IO.
//!
//! What Rust does differently: the tasks are `tokio::spawn`ed on a single-threaded runtime, like
//! asyncio's event loop; the threads use a 64 KiB stack each (Rust's default is 2 MiB of
//! address space, of which only touched pages count). Threads are capped (`--max-threads`,
//! default 10000); if the system refuses one, or would (Linux's limits are counted first, see
//! `threads::room`), the program says so and measures the threads it got. Each wait is 1 s scaled by `TUTORIAL_TIME_SCALE`. Memory is this process's resident
//! memory growth in the first run (later runs reuse what the first freed), read from `/proc`
//! (Linux only). Build with `--release`.
//!
//! Try: drop `.stack_size(STACK)` so that each thread reserves Rust's default 2 MiB stack, and
//! run again: the threads' memory hardly moves, because only the pages a thread touches count.

use shared::{Arg::Long, OrExit, timeline};
use std::time::{Duration, Instant};

const USAGE: &str = "\
usage: io_bound [--count N] [--max-threads T] [--samples K] [--timeline] [--trace FILE] [--vs-python]

Runs N waits of 1 s (default 10000, at most 1000000) at once as tasks on one thread, then as one
OS thread each (at most T threads, default 10000), K times each (default 3); prints the median wall time and
the memory of the first run. --timeline draws how many waits are in flight over time; --trace
FILE writes the same as Chrome trace-event JSON (for ui.perfetto.dev); --vs-python runs the same
waits as asyncio tasks in python3, beside ours.";

/// One wait: what an IO-bound job does most of the time.
fn wait_time() -> Duration {
    shared::time::scaled(Duration::from_secs(1))
}

/// Memory grown since `before`, in bytes.
fn grown(before: Option<u64>) -> Option<u64> {
    Some(shared::mem::rss()?.saturating_sub(before?))
}

/// Memory grown, as `12.3 MiB (1.2 KiB each)`.
fn memory(grown: Option<u64>, count: usize) -> String {
    match grown {
        Some(grown) => {
            format!(
                "{} ({:.1} KiB each)",
                shared::mem::mib(grown),
                grown as f64 / 1024.0 / count.max(1) as f64
            )
        }
        None => "not measurable on this system".into(),
    }
}

/// One wait, counted in the timeline's `lane` while it lasts (with `--timeline`).
async fn one_wait(lane: &str) {
    timeline::count(lane, 1);
    tokio::time::sleep(wait_time()).await;
    timeline::count(lane, -1);
}

/// `count` waits as tasks on a single-threaded runtime: the wall time, and the memory grown
/// while all of them wait.
fn as_tasks(count: usize) -> (Duration, Option<u64>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap_or_else(|e| shared::exit_error(format!("cannot start the runtime: {e}")));
    let before = shared::mem::rss();
    let start = Instant::now();
    let memory = runtime.block_on(async {
        let tasks: Vec<_> = (0..count)
            .map(|_| tokio::spawn(one_wait("waits as tasks")))
            .collect();
        // The tasks start when this one waits; yield once so that every timer is registered.
        tokio::task::yield_now().await;
        let memory = grown(before);
        for task in tasks {
            task.await.expect("a sleep does not panic");
        }
        memory
    });
    (start.elapsed(), memory)
}

/// The stack of each thread: small, as a server with thousands of threads would choose.
const STACK: usize = 64 * 1024;

/// `count` waits as one OS thread each: the wall time, the memory while all of them wait, and
/// how many threads the system allowed (it says so, once, when it refuses one).
fn as_threads(count: usize, say_refusal: bool) -> (Duration, String, usize) {
    let before = shared::mem::rss();
    let start = Instant::now();
    let mut threads = Vec::with_capacity(count);
    for n in 1..=count {
        let spawned = std::thread::Builder::new().stack_size(STACK).spawn(|| {
            timeline::count("waits as threads", 1);
            std::thread::sleep(wait_time());
            timeline::count("waits as threads", -1);
        });
        match spawned {
            Ok(thread) => threads.push(thread),
            Err(e) => {
                if say_refusal {
                    println!(
                        "  the system refused thread number {n} ({e}); measuring the threads it got"
                    );
                }
                break;
            }
        }
    }
    let memory = memory(grown(before), threads.len());
    let started = threads.len();
    for thread in threads {
        thread.join().expect("a sleep does not panic");
    }
    (start.elapsed(), memory, started)
}

fn main() {
    let mut count: usize = 10_000;
    let mut max_threads: usize = 10_000;
    let mut samples: usize = 3;
    let mut vs_python = false;
    let mut args = shared::start_with_timeline(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            Long("count") => count = args.value_in(1..=1_000_000),
            Long("max-threads") => max_threads = args.value_in(1..=1_000_000),
            Long("samples") => samples = args.value_in(1..=100),
            Long("vs-python") => vs_python = true,
            other => shared::unexpected(other),
        }
    }
    shared::bench::warn_if_debug("cargo run --release -p examples-async --bin io_bound");

    println!(
        "{count} waits of {} s each, all at once; median wall time of {samples} runs, memory of the first:",
        wait_time().as_secs_f64()
    );
    // Memory counts only in the first run: memory freed after it stays with the process and is
    // used again by the next runs, which would look cheaper than they are.
    let mut first_memory = None;
    let times = (0..samples)
        .map(|_| {
            let (wall, memory) = as_tasks(count);
            first_memory.get_or_insert(memory);
            wall
        })
        .collect();
    let (tasks, tasks_memory) = (shared::bench::Stats::of(times), first_memory.flatten());
    println!(
        "  tasks on one thread:  {tasks}; memory while all wait: {}",
        memory(tasks_memory, count)
    );

    let mut threads = count.min(max_threads);
    if threads < count {
        println!("  (threads capped at {threads} by --max-threads)");
    }
    // Past Linux's limits a new thread may abort the whole process instead of failing to
    // start: stop short of them (see `threads::room`).
    let room = examples_async::threads::room(STACK as u64).map_or(threads, |r| r as usize);
    if room < threads {
        println!(
            "  the system would refuse thread number {} (vm.max_map_count or ulimit -v); measuring the {room} threads it allows",
            room + 1
        );
        threads = room.max(1);
    }
    let (mut first_memory, mut fewest) = (None, threads);
    let times = (0..samples)
        .map(|sample| {
            let (wall, memory, started) = as_threads(threads, sample == 0);
            first_memory.get_or_insert(memory);
            fewest = fewest.min(started);
            wall
        })
        .collect();
    println!(
        "  one OS thread each:   {}; memory while all wait: {}{}",
        shared::bench::Stats::of(times),
        first_memory.unwrap_or_default(),
        if fewest < threads {
            format!(" (only {fewest} threads)")
        } else {
            String::new()
        }
    );
    if vs_python {
        python_rows(count, samples, &tasks, tasks_memory);
    }
    timeline::print().or_exit(); // with --timeline: how many waits were in flight, over time
}

/// `--vs-python`: the same waits as asyncio tasks in the learner's `python3`, beside our tasks.
fn python_rows(count: usize, samples: usize, tasks: &shared::bench::Stats, grown: Option<u64>) {
    let Some(py) = shared::python::find().or_exit() else {
        return; // it has said so in one line
    };
    println!(
        "Python on the same machine, {}; asyncio tasks, median of {samples} runs:",
        py.describe()
    );
    let python = py.io_bound(count, wait_time(), samples).or_exit();
    let time_row = shared::python::time_row;
    println!(
        "{}",
        time_row("wall time", tasks.median, python.wall.median)
    );
    if let (Some(ours), Some(theirs)) = (grown, python.grown()) {
        let ratio = shared::python::ratio(ours as f64, theirs as f64);
        let mib = shared::mem::mib;
        println!(
            "{}",
            shared::python::row("memory", mib(ours), mib(theirs), ratio)
        );
    }
}
