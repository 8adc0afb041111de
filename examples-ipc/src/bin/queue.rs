//! # queue: a writer process and a reader process share a queue
//!
//! Tutorial: 多进程 · 进程间通信 (Multiprocessing: inter-process communication), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017628290184064>
//!
//! Python sample: [do_queue.py](https://github.com/michaelliao/learn-python3/blob/master/samples/multitask/do_queue.py)
//!
//! ```text
//! cargo run -p examples-ipc --bin queue
//! cargo run --release -p examples-ipc --bin queue -- --bench 1000000
//! ```
//!
//! Output (PIDs differ; the two processes' lines interleave differently from run to run):
//!
//! ```text
//! Process to write: 50563
//! Put A to queue...
//! Process to read: 50564
//! Get A from queue.
//! Put B to queue...
//! Get B from queue.
//! Put C to queue...
//! Get C from queue.
//! ```
//!
//! What to notice: the parent makes the queue, then starts the writer and the reader, and each
//! child gets its end of it. Whatever the writer puts, the reader gets, in order, although they
//! are separate processes with separate memory: the bytes go through the kernel.
//!
//! What Rust does differently: the queue is what Python's `multiprocessing.Queue` is built on,
//! an OS pipe: one message a line, and the children get their ends by `fork`. The reader needs no
//! `terminate()`: its loop ends when the pipe says end-of-file, which happens once *every* copy
//! of the write end is closed: the writer's (when it exits), the parent's, and the reader's own
//! inherited copy, which it closes first thing. Forget one and the reader waits for ever. The
//! random pauses are scaled by `TUTORIAL_TIME_SCALE`. `--bench N` sends N messages with no pause
//! and prints the median rate over 5 runs. Unix only, like `fork`.

#[cfg(unix)]
mod unix {
    use nix::sys::wait::{WaitStatus, waitpid};
    use nix::unistd::{ForkResult, Pid, fork, pipe};
    use std::fs::File;
    use std::io::{BufRead, BufReader, Write};
    use std::os::fd::OwnedFd;
    use std::process::ExitCode;

    const USAGE: &str = "\
usage: queue [--bench N]

The parent makes a queue (a pipe); a writer process puts A, B and C, a reader process gets
them. --bench N sends N messages with no pause and prints messages per second. Unix only.";

    /// 写数据进程执行的代码 (the writer process): one message a line.
    fn write(q: File, values: &[&str], quiet: bool) {
        if !quiet {
            println!("Process to write: {}", std::process::id());
        }
        let mut q = q;
        for value in values {
            if !quiet {
                println!("Put {value} to queue...");
            }
            // One `write` call a message: the reader can have it at once.
            if let Err(e) = q.write_all(format!("{value}\n").as_bytes()) {
                shared::exit_error(format!("writing to the queue: {e}"));
            }
            if !quiet {
                shared::time::sleep_secs(fastrand::f64());
            }
        }
    } // `q` is closed here, and for good when this process exits

    /// 读数据进程执行的代码 (the reader process): until the queue's end.
    fn read(q: File, quiet: bool) -> usize {
        if !quiet {
            println!("Process to read: {}", std::process::id());
        }
        let mut count = 0;
        // `lines()` ends at end-of-file: when no process holds the write end any more.
        for value in BufReader::new(q).lines().map_while(Result::ok) {
            if !quiet {
                println!("Get {value} from queue.");
            }
            count += 1;
        }
        count
    }

    /// `fork`: `None` in the new child process, `Some(child's PID)` in the parent.
    fn fork_process() -> Option<Pid> {
        // SAFETY: this program has no other thread when it forks (it never starts one), so the
        // child is a complete copy of a single-threaded process and may do anything the parent
        // could: print, allocate, sleep.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => None,
            Ok(ForkResult::Parent { child }) => Some(child),
            Err(e) => shared::exit_error(format!("fork: {e}")),
        }
    }

    /// Runs a writer and a reader over a new pipe and waits for both.
    fn run(values: &[&str], quiet: bool) -> usize {
        // 父进程创建 Queue，并传给各个子进程 (the parent makes the queue for its children).
        let (read_end, write_end): (OwnedFd, OwnedFd) =
            pipe().unwrap_or_else(|e| shared::exit_error(format!("pipe: {e}")));

        let pw = match fork_process() {
            None => {
                drop(read_end);
                write(File::from(write_end), values, quiet);
                std::process::exit(0);
            }
            Some(child) => child,
        };
        let pr = match fork_process() {
            None => {
                // Forked after the writer, the reader holds a copy of the write end too: close
                // it, or the pipe never ends for this reader.
                drop(write_end);
                let got = read(File::from(read_end), quiet);
                std::process::exit(if got == values.len() { 0 } else { 1 });
            }
            Some(child) => child,
        };
        // The parent's copies: closed too, or the reader would wait for ever.
        drop((read_end, write_end));

        for (child, who) in [(pw, "writer"), (pr, "reader")] {
            match waitpid(child, None) {
                Ok(WaitStatus::Exited(_, 0)) => {}
                Ok(status) => shared::exit_error(format!("the {who} failed: {status:?}")),
                Err(e) => shared::exit_error(format!("waitpid: {e}")),
            }
        }
        values.len()
    }

    pub fn main() -> ExitCode {
        let mut bench: Option<usize> = None;
        let mut args = shared::start(USAGE);
        while let Some(arg) = args.next() {
            match arg {
                shared::Arg::Long("bench") => bench = Some(args.value()),
                other => shared::unexpected(other),
            }
        }
        match bench {
            None => {
                run(&["A", "B", "C"], false);
            }
            Some(count) => {
                if !(1..=100_000_000).contains(&count) {
                    shared::exit_usage(format!("--bench must be from 1 to 100000000, not {count}"));
                }
                shared::bench::warn_if_debug(
                    "cargo run --release -p examples-ipc --bin queue -- --bench 1000000",
                );
                let messages = vec!["m"; count];
                let stats = shared::bench::measure(1, 5, || run(&messages, true));
                println!("{count} messages through the queue: {stats}");
                println!(
                    "median rate: {:.0} messages/s",
                    count as f64 / stats.median.as_secs_f64()
                );
            }
        }
        ExitCode::SUCCESS
    }
}

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    unix::main()
}

#[cfg(not(unix))]
fn main() {
    eprintln!("queue hands the pipe to its children with fork, which only exists on Unix.");
    std::process::exit(1);
}
