//! # crash_isolation: a crashing process, a panicking thread, an aborting thread
//!
//! Tutorial: 进程 vs. 线程 (Processes vs. threads: stability), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017631469467456>
//! Book: `book/src/processes-vs-threads.md`, built as `book/book/processes-vs-threads.html`; 中文版 `book/book/zh-CN/processes-vs-threads.html`
//!
//! Python sample: none; the tutorial says it in words: a crashing process leaves the others
//! alive, a crashing thread can take its whole process down.
//!
//! ```text
//! cargo run -p examples-process --bin crash_isolation
//! ```
//!
//! Output: (PIDs differ; on Windows a crash shows as its status, `crashed with status 0xC0000409`)
//!
//! ```text
//! 1. A child process crashes.
//! child process 31873 was killed by signal 6 (SIGABRT)
//! the parent process 31871 lives on.
//! 2. A thread panics.
//! the thread panicked: "something went wrong in the worker thread"
//! join() returned the panic as an error; process 31871 lives on.
//! 3. A thread aborts, inside a child process.
//! process 31875: the main thread waits for its worker thread...
//! child process 31875 was killed by signal 6 (SIGABRT)
//! the abort of one thread took its whole process down, main thread and all.
//! ```
//!
//! What to notice: case 1 is the tutorial's point about processes: each has its own memory, so
//! when one crashes the others, the parent included, are untouched. Case 3 is its point about
//! threads: one thread that brings its process down takes every other thread with it. It runs
//! inside a child process, so that this demo survives to tell you.
//!
//! What Rust does differently: case 2. A Rust panic is not a crash: it unwinds the panicking
//! thread only, and `join()` hands the panic to whoever joins, as an `Err`. The process goes on,
//! and the program can decide what to do. (An uncaught exception in a Python thread also ends
//! only that thread, with its traceback printed; but Python's `join()` does not tell you.) A crash that no one can recover from is `abort()`,
//! which is what cases 1 and 3 use. (The children switch off core dumps first: a crash on
//! purpose should leave no core file.)
//!
//! Try: in case 2, replace `panic!(...)` with `std::process::abort()`: the demo itself dies in case
//! 2 (`Aborted`, exit status 134): `2. A thread panics.` is the last line you see, and case 3
//! never runs. (Call `no_core_dumps()` first, or a crash on purpose may leave a core file.)

use shared::{Context, OrExit};
use std::thread;

const USAGE: &str = "\
usage: crash_isolation

Shows three crashes: a child process aborting, a thread panicking, a thread aborting inside a
child process. (--child abort|thread-abort is how the children are started.)";

/// What the child process does: crash in the way `role` says.
fn run_child(role: &str) {
    no_core_dumps();
    match role {
        "abort" => std::process::abort(),
        "thread-abort" => {
            println!(
                "process {}: the main thread waits for its worker thread...",
                std::process::id()
            );
            let worker = thread::spawn(|| std::process::abort());
            let _ = worker.join();
            println!("the main thread goes on (this line is never printed)");
        }
        other => shared::exit_usage(format!("unknown child role {other:?}")),
    }
}

/// A crash on purpose should not write a core file.
fn no_core_dumps() {
    #[cfg(unix)]
    {
        use nix::sys::resource::{Resource, setrlimit};
        let _ = setrlimit(Resource::RLIMIT_CORE, 0, 0);
    }
}

/// Starts this program as a child in `role`, waits for it, and says how it ended.
fn crash_child(role: &str) {
    let mut child = shared::this_program()
        .args(["--child", role])
        .spawn()
        .context("cannot start a child process")
        .or_exit();
    let pid = child.id();
    let status = child
        .wait()
        .context("cannot wait for the child process")
        .or_exit();
    let how = shared::process::how_it_ended(status);
    println!("child process {pid} {how}");
}

fn run() {
    let me = std::process::id();

    println!("1. A child process crashes.");
    crash_child("abort");
    println!("the parent process {me} lives on.");

    println!("2. A thread panics.");
    // The default panic message would go to stderr; here `join()` reports the panic instead.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let worker = thread::spawn(|| panic!("something went wrong in the worker thread"));
    let result = worker.join();
    std::panic::set_hook(default_hook);
    match result {
        Ok(()) => shared::exit_error("the thread was meant to panic"),
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            println!("the thread panicked: {message:?}");
        }
    }
    println!("join() returned the panic as an error; process {me} lives on.");

    println!("3. A thread aborts, inside a child process.");
    crash_child("thread-abort");
    println!("the abort of one thread took its whole process down, main thread and all.");
}

fn main() {
    // In a child (this program started again with `--child abort` or `--child thread-abort`).
    shared::run_if_child(run_child);
    shared::start(USAGE).no_options();
    run();
}
