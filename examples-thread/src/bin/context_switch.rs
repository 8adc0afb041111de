//! # context_switch: what one switch costs, and what too many threads do to the work
//!
//! Tutorial: 进程 vs. 线程 · 线程切换 (Processes vs. threads: switching), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017631469467456>
//! Book: `book/src/processes-vs-threads.md`, built as `book/book/processes-vs-threads.html`; 中文版 `book/book/zh-CN/processes-vs-threads.html`
//!
//! Python sample: none; the tutorial makes the claim in words.
//!
//! ```text
//! cargo run --release -p examples-thread --bin context_switch
//! cargo run --release -p examples-thread --bin context_switch -- --vs-python
//! ```
//!
//! Output of `cargo run --release -p examples-thread --bin context_switch -- --rounds 2000
//! --work 100`: (times and counts differ from run to run)
//!
//! ```text
//! One switch: a token handed back and forth 2000 times, median of 5 runs after a warm-up:
//!   two threads (a channel each way):  18.41µs a switch (min 16.30µs, max 19.56µs)
//!   two processes (a pipe each way):   9.50µs a switch (min 6.96µs, max 9.85µs)
//!   two async tasks on one thread:     106.00ns a switch (min 104.00ns, max 123.00ns)
//! The same work, 100 million steps, on 2 cores:
//!   2 threads: 55.17ms, 10 context switches
//!   32 threads: 68.23ms, 126 context switches
//!   512 threads: 91.60ms, 1818 context switches
//! ```
//!
//! What to notice: handing the token to another thread or process costs microseconds: the
//! system puts one to sleep, wakes the other (on a virtual machine, through the hypervisor),
//! saves and restores their state. Handing it to another async task on the same thread costs
//! two hundred times less: no system call, no system switch; a function returns and another
//! resumes. With many more runnable threads than cores, the same work takes no less time (the
//! cores were busy already; here it took a quarter more), and costs forty times as many switches
//! (each thread sleeps at least once, waiting to start with the others, and the rest is the
//! system taking turns): the tutorial's "busy switching", which costs without doing any work.
//!
//! What Rust does differently: nothing hides the switch. A thread is the system's own thread, a
//! process is this program started again (`--child echo`, its stdin and stdout the pipes), and
//! the async tasks run on tokio's one-thread runtime, as asyncio's on its event loop. The
//! switch counts are the system's own (`getrusage`, Unix); timings of a debug build mean little:
//! build with `--release`.
//!
//! Try: `-- --work 20000`, and watch `top` while the last row (256 × cores threads) runs: every core at 100 %,
//! and the row takes no less time than the first: busy, not faster.

use shared::Arg::Long;
use shared::bench::Stats;
use shared::{Context, OrExit};
use std::io::{Read, Write};
use std::process::Stdio;
use std::sync::{Barrier, mpsc};
use std::thread;
use std::time::{Duration, Instant};

const USAGE: &str = "\
usage: context_switch [--rounds N] [--samples K] [--work M] [--vs-python]

Hands a token back and forth N times (default 20000, at most 1000000) between two threads, two
processes and two async tasks on one thread, K times each (default 5, at most 100) after a
warm-up, and prints the median cost of one switch. Then M million steps of work (default 2000, at
most 100000) on as many threads as cores, 16 times and 256 times as many: how long, and how many
context switches. --vs-python times the same handoffs in your python3.
(--child echo is how the process row is started.)";

/// Two threads: each waits for the token, then hands it back.
fn threads(rounds: u32) -> Duration {
    let (to_pong, pong_gets) = mpsc::sync_channel(0);
    let (to_ping, ping_gets) = mpsc::sync_channel(0);
    let started = Instant::now();
    thread::scope(|s| {
        s.spawn(move || {
            while pong_gets.recv().is_ok() {
                let _ = to_ping.send(());
            }
        });
        for _ in 0..rounds {
            to_pong.send(()).expect("pong waits");
            ping_gets.recv().expect("pong answers");
        }
        drop(to_pong); // pong's loop ends
    });
    started.elapsed()
}

/// Two processes: this one writes a byte into the child's stdin, the child writes it back.
fn processes(rounds: u32) -> shared::Result<Duration> {
    let mut child = shared::this_program()
        .args(["--child", "echo"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start the child process")?;
    let mut to_child = child.stdin.take().expect("piped");
    let mut from_child = child.stdout.take().expect("piped");
    let mut token = [b'\n'];
    let started = Instant::now();
    for _ in 0..rounds {
        to_child
            .write_all(&token)
            .context("the child stopped reading")?;
        from_child
            .read_exact(&mut token)
            .context("the child stopped answering")?;
    }
    let took = started.elapsed();
    drop(to_child); // the child's stdin ends, and so does the child
    shared::process::check(
        "the child",
        child.wait().context("cannot wait for the child")?,
    )?;
    Ok(took)
}

/// The child of [`processes`]: hands back every byte it gets, until its stdin ends.
fn echo() -> shared::Result {
    let (mut stdin, mut stdout) = (std::io::stdin().lock(), std::io::stdout().lock());
    let mut token = [0u8];
    while stdin.read(&mut token)? == 1 {
        stdout.write_all(&token)?; // a line break: the line-buffered stdout sends it at once
    }
    Ok(())
}

/// Two async tasks on one thread, each awaiting the token from the other.
fn tasks(rounds: u32) -> shared::Result<Duration> {
    let event_loop = tokio::runtime::Builder::new_current_thread()
        .build()
        .context("cannot start the runtime")?;
    Ok(event_loop.block_on(async {
        let (to_pong, mut pong_gets) = tokio::sync::mpsc::channel(1);
        let (to_ping, mut ping_gets) = tokio::sync::mpsc::channel(1);
        let pong = tokio::spawn(async move {
            while pong_gets.recv().await.is_some() {
                let _ = to_ping.send(()).await;
            }
        });
        let started = Instant::now();
        for _ in 0..rounds {
            to_pong.send(()).await.expect("pong waits");
            ping_gets.recv().await.expect("pong answers");
        }
        let took = started.elapsed();
        drop(to_pong);
        let _ = pong.await;
        took
    }))
}

/// `steps` steps of work split over `count` threads started together: how long it took, and how
/// many context switches this process made meanwhile (Unix).
fn crowd(count: usize, steps: u64) -> shared::Result<(Duration, Option<i64>)> {
    let start_together = Barrier::new(count + 1);
    let switches = context_switches();
    let started = thread::scope(|s| -> shared::Result<Instant> {
        for _ in 0..count {
            thread::Builder::new()
                .spawn_scoped(s, || {
                    start_together.wait();
                    let mut x = 1u64;
                    for i in 0..steps / count as u64 {
                        x = std::hint::black_box(
                            x.wrapping_mul(6364136223846793005).wrapping_add(i),
                        );
                    }
                })
                .context("the system refused a thread")?;
        }
        // The clock starts before the threads are let go: once they run, this thread may wait
        // for a core as long as they do.
        let started = Instant::now();
        start_together.wait();
        Ok(started)
    })?;
    let switches = switches
        .zip(context_switches())
        .map(|(before, after)| after - before);
    Ok((started.elapsed(), switches))
}

/// How many context switches this process has made, voluntary or not (Unix).
fn context_switches() -> Option<i64> {
    #[cfg(unix)]
    {
        use nix::sys::resource::{UsageWho, getrusage};
        let usage = getrusage(UsageWho::RUSAGE_SELF).ok()?;
        Some(usage.voluntary_context_switches() + usage.involuntary_context_switches())
    }
    #[cfg(not(unix))]
    None
}

fn main() {
    shared::run_if_child(|role| match role {
        "echo" => echo(),
        other => shared::exit_usage(format!("unknown child role {other:?}")),
    });
    let (mut rounds, mut samples, mut work, mut vs_python) = (20_000u32, 5usize, 2000u64, false);
    let mut args = shared::start(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            Long("rounds") => rounds = args.value_in(1..=1_000_000),
            Long("samples") => samples = args.value_in(1..=100),
            Long("work") => work = args.value_in(1..=100_000),
            Long("vs-python") => vs_python = true,
            other => shared::unexpected(other),
        }
    }
    shared::bench::warn_if_debug("cargo run --release -p examples-thread --bin context_switch");

    println!(
        "One switch: a token handed back and forth {rounds} times, median of {samples} runs after a warm-up:"
    );
    let per_switch = |took: Duration| took / (2 * rounds);
    let measure = |job: &dyn Fn() -> shared::Result<Duration>| {
        job()?;
        let runs = (0..samples).map(|_| job().map(per_switch));
        Ok::<_, shared::Error>(Stats::of(runs.collect::<shared::Result<_>>()?))
    };
    let rows: [(&str, &dyn Fn() -> shared::Result<Duration>); 3] = [
        ("two threads (a channel each way):  ", &|| {
            Ok(threads(rounds))
        }),
        ("two processes (a pipe each way):   ", &|| processes(rounds)),
        ("two async tasks on one thread:     ", &|| tasks(rounds)),
    ];
    let mut medians = Vec::new();
    for (name, job) in rows {
        let stats = measure(job).or_exit();
        let (median, min, max) = (stats.median, stats.min, stats.max);
        println!("  {name}{median:.2?} a switch (min {min:.2?}, max {max:.2?})");
        medians.push(median);
    }

    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    println!("The same work, {work} million steps, on {cores} cores:");
    for count in [cores, 16 * cores, 256 * cores] {
        let (took, switches) = crowd(count, work * 1_000_000).or_exit();
        let switches = switches.map_or("no".to_string(), |n| n.to_string());
        println!("  {count} threads: {took:.2?}, {switches} context switches");
    }
    if vs_python {
        examples_thread::vs_python::context_switch(rounds, samples, &medians).or_exit();
    }
}
