//! # spawn_cost: what a thread, a process and a new program cost
//!
//! Tutorial: 进程 vs. 线程 (Processes vs. threads: 创建进程的代价大, processes cost more), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017631469467456>
//!
//! Python sample: none; the tutorial makes the claim in words.
//!
//! ```text
//! cargo run --release -p examples-process --bin spawn_cost
//! cargo run --release -p examples-process --bin spawn_cost -- --count 3000 --samples 500
//! ```
//!
//! Output on a 2-core Linux machine (release build):
//!
//! ```text
//! Creating one and waiting for it to end, 200 samples each after a warm-up:
//!   thread (spawn + join):                 69.9 µs (min 56.1 µs, max 915.0 µs, 200 samples)
//!   process (fork + waitpid):              204.8 µs (min 138.7 µs, max 1.02 ms, 200 samples)
//!   new program (this one, spawn + wait):  760.9 µs (min 725.6 µs, max 1.18 ms, 200 samples)
//!   a process costs 2.9x a thread; a new program 10.9x.
//! 1000 at once:
//!   1000 processes forked in 86.31 ms; memory while all are alive: 50.8 MiB (51 KiB each)
//!   1000 threads started in 37.50 ms; memory while all are alive: 9.4 MiB (9 KiB each)
//! ```
//!
//! What to notice: a process costs several times a thread to create, and a new program (what
//! Windows and Python's "spawn" must do) costs more again: a fresh address space, loading the
//! executable, starting its runtime. Memory tells the same story: a thread needs a stack, a
//! process needs its own page tables and copies of every page it writes. Hundreds or thousands of
//! either still work on a modern machine, but the bill grows with the count; that is why the
//! tutorial warns against thousands of processes.
//!
//! What Rust does differently: these are the raw costs of the system calls (`clone` for a
//! thread, `fork` + `waitpid` for a process), with none of Python's interpreter start-up on top.
//! Process memory is the sum of each child's PSS (its private pages plus its share of shared
//! ones), so pages shared after `fork` are not counted twice. Timings of a debug build mean
//! little: build with `--release`. Unix only (fork).

#[cfg(unix)]
mod unix {
    use nix::sys::wait::waitpid;
    use nix::unistd::{ForkResult, Pid, close, fork, pipe, read};
    use shared::bench::{Stats, measure};
    use shared::mem::{mib, pss_of, rss};
    use std::os::fd::{AsRawFd, OwnedFd};
    use std::process::ExitCode;
    use std::sync::Barrier;
    use std::thread;
    use std::time::Instant;

    const USAGE: &str = "\
usage: spawn_cost [--samples K] [--count N]

Times K (default 200) creations of a thread, a forked process and a new program, then starts
N (default 1000) threads and N processes at once. Unix only.
(--child is how the new-program samples are started.)";

    /// Forks a child that runs `then` and exits at once with `_exit(0)`.
    fn fork_child(then: impl FnOnce()) -> nix::Result<Pid> {
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

    fn thread_once() {
        thread::spawn(|| {})
            .join()
            .expect("an empty thread does not panic");
    }

    fn fork_once() {
        let child = fork_child(|| {}).unwrap_or_else(|e| fail(format!("fork: {e}")));
        waitpid(child, None).unwrap_or_else(|e| fail(format!("waitpid: {e}")));
    }

    fn program_once() {
        let status = shared::this_program()
            .arg("--child")
            .status()
            .unwrap_or_else(|e| fail(format!("cannot start this program again: {e}")));
        if !status.success() {
            fail(format!("the child failed: {status}"));
        }
    }

    fn fail(message: String) -> ! {
        shared::exit_error(message)
    }

    /// Starts `count` threads that all stay alive until every one has started.
    /// Memory is what this process grew by while they are all alive.
    fn many_threads(count: usize) {
        let before = rss();
        let all_started = Barrier::new(count + 1);
        let start = Instant::now();
        thread::scope(|s| {
            for _ in 0..count {
                let spawned = thread::Builder::new().spawn_scoped(s, || {
                    all_started.wait();
                });
                if let Err(e) = spawned {
                    // The started threads wait at the barrier for ever; nothing to do but exit.
                    fail(format!("the system refused a new thread: {e}"));
                }
            }
            let took = start.elapsed();
            let memory = rss()
                .zip(before)
                .map(|(now, before)| now.saturating_sub(before));
            println!(
                "  {count} threads started in {}; memory while all are alive: {}",
                shared::bench::human(took),
                per_each(memory, count)
            );
            all_started.wait();
        });
    }

    /// Forks `count` children that all stay alive until the parent closes a pipe.
    fn many_processes(count: usize) {
        let (read_end, write_end): (OwnedFd, OwnedFd) =
            pipe().unwrap_or_else(|e| fail(format!("pipe: {e}")));
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
                    refused = Some(e);
                    break;
                }
            }
        }
        let took = start.elapsed();
        let memory: Option<u64> = children
            .iter()
            .map(|child| pss_of(child.as_raw() as u32))
            .sum();
        // Closing the last write end lets every child's read return; then reap them all.
        drop(write_end);
        for child in &children {
            let _ = waitpid(*child, None);
        }
        if let Some(e) = refused {
            fail(format!(
                "the system refused a new process after {} ({e}); all of them have been reaped",
                children.len()
            ));
        }
        println!(
            "  {count} processes forked in {}; memory while all are alive: {}",
            shared::bench::human(took),
            per_each(memory, count)
        );
    }

    fn per_each(total: Option<u64>, count: usize) -> String {
        match total {
            Some(bytes) => format!("{} ({} KiB each)", mib(bytes), bytes / 1024 / count as u64),
            None => "not measurable on this system".into(),
        }
    }

    fn row(label: &str, stats: &Stats) {
        println!("  {label:<38} {stats}");
    }

    pub fn main() -> ExitCode {
        let mut samples: usize = 200;
        let mut count: usize = 1000;
        let mut child = false;
        let mut args = shared::start(USAGE);
        while let Some(arg) = args.next() {
            match arg {
                shared::Arg::Long("samples") => samples = args.value(),
                shared::Arg::Long("count") => count = args.value(),
                shared::Arg::Long("child") => child = true,
                other => shared::unexpected(other),
            }
        }
        if child {
            return ExitCode::SUCCESS; // a new program that ends at once
        }
        if !(1..=100_000).contains(&samples) {
            shared::exit_usage(format!("--samples must be from 1 to 100000, not {samples}"));
        }
        if !(1..=20_000).contains(&count) {
            shared::exit_usage(format!("--count must be from 1 to 20000, not {count}"));
        }
        shared::bench::warn_if_debug("cargo run --release -p examples-process --bin spawn_cost");

        let warmup = (samples / 10).max(1);
        println!("Creating one and waiting for it to end, {samples} samples each after a warm-up:");
        let thread = measure(warmup, samples, thread_once);
        row("thread (spawn + join):", &thread);
        let process = measure(warmup, samples, fork_once);
        row("process (fork + waitpid):", &process);
        let program = measure(warmup, samples, program_once);
        row("new program (this one, spawn + wait):", &program);
        let ratio = |s: &Stats| s.median.as_secs_f64() / thread.median.as_secs_f64();
        println!(
            "  a process costs {:.1}x a thread; a new program {:.1}x.",
            ratio(&process),
            ratio(&program)
        );

        println!("{count} at once:");
        // Processes first: a parent that has just run a thousand threads keeps their stacks
        // mapped (the C library caches them), and every fork would have to copy those mappings.
        many_processes(count);
        many_threads(count);
        ExitCode::SUCCESS
    }
}

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    unix::main()
}

#[cfg(not(unix))]
fn main() {
    eprintln!("spawn_cost compares threads with fork, which only exists on Unix (Linux, macOS).");
    std::process::exit(1);
}
