//! # multi_processing: start a child process that runs a function
//!
//! Tutorial: 多进程 · multiprocessing (Multiprocessing: the multiprocessing module), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017628290184064>
//!
//! Python sample: [multi_processing.py](https://github.com/michaelliao/learn-python3/blob/master/samples/multitask/multi_processing.py)
//!
//! ```text
//! cargo run -p examples-process --bin multi_processing
//! ```
//!
//! Output (PIDs differ):
//!
//! ```text
//! Parent process 928.
//! Child process will start.
//! Run child process test (929)...
//! Child process end.
//! ```
//!
//! What to notice: the child is a real, separate process with its own PID. The parent waits for
//! it (`p.join()` in Python, `child.wait()` here) before it prints `Child process end.`.
//!
//! What Rust does differently: Python's `Process(target=run_proc, args=('test',))` hides how
//! the child gets to run `run_proc`. On Windows (and by default on macOS) Python starts the
//! interpreter again and tells it which function to call: the "spawn" start method. Rust does the
//! same in plain sight: the program starts its own executable again (`std::env::current_exe`)
//! with the arguments `--child test`, and `main` sees them and calls `run_proc("test")`. This
//! works on every platform, unlike `fork`.

use std::process::{Command, ExitCode};

const USAGE: &str = "\
usage: multi_processing

The parent starts this program again as a child process that runs run_proc(\"test\").
(--child NAME is how the child is started; you do not need to type it.)";

/// The code the child process runs (子进程要执行的代码).
fn run_proc(name: &str) {
    println!("Run child process {name} ({})...", std::process::id());
}

fn main() -> ExitCode {
    let mut child_name: Option<String> = None;
    let mut args = shared::start(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Long("child") => child_name = Some(args.value()),
            other => shared::unexpected(other),
        }
    }
    if let Some(name) = child_name {
        run_proc(&name);
        return ExitCode::SUCCESS;
    }

    println!("Parent process {}.", std::process::id());
    let this_program = std::env::current_exe()
        .unwrap_or_else(|e| shared::exit_error(format!("cannot find this program: {e}")));
    let mut p = Command::new(this_program);
    p.args(["--child", "test"]);
    println!("Child process will start.");
    let status = match p.spawn().and_then(|mut child| child.wait()) {
        Ok(status) => status,
        Err(e) => shared::exit_error(format!("cannot run the child process: {e}")),
    };
    if !status.success() {
        shared::exit_error(format!("the child process failed: {status}"));
    }
    println!("Child process end.");
    ExitCode::SUCCESS
}
