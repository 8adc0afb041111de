//! # multi_processing: start a child process that runs a function
//!
//! Tutorial: 多进程 · multiprocessing (Multiprocessing: the multiprocessing module), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017628290184064>
//! Book: `book/src/multiprocessing.md`, built as `book/book/multiprocessing.html`; 中文版 `book/book/zh-CN/multiprocessing.html`
//!
//! Python sample: [multi_processing.py](https://github.com/michaelliao/learn-python3/blob/master/samples/multitask/multi_processing.py)
//!
//! ```text
//! cargo run -p examples-process --bin multi_processing
//! ```
//!
//! Output: (PIDs differ)
//!
//! ```text
//! Parent process 31880.
//! Child process will start.
//! Run child process test (31882)...
//! Child process end.
//! ```
//!
//! What to notice: the child is a real, separate process with its own PID. The parent waits for
//! it (`p.join()` in Python, `child.wait()` here) before it prints `Child process end.`.
//!
//! What Rust does differently: Python's `Process(target=run_proc, args=('test',))` hides how
//! the child gets to run `run_proc`. On Windows and macOS Python starts the interpreter again and
//! tells it which function to call: the "spawn" start method (Linux, from Python 3.14, has
//! "forkserver": children forked from a fresh server process). Rust does the same in plain sight:
//! the program starts its own executable again with `--child test`, and the first line of
//! `main`, `shared::run_if_child`, sees that and calls `run_proc("test")` (then ends the child):
//! Python's `if __name__=='__main__':` does the same job. This works on every platform, unlike
//! `fork`.
//!
//! Try: move `println!("Child process end.")` above `child.wait()`: it can now come before the
//! child's line.

use shared::{Context, OrExit};

const USAGE: &str = "\
usage: multi_processing

The parent starts this program again as a child process that runs run_proc(\"test\").
(--child NAME is how the child is started; you do not need to type it.)";

// 子进程要执行的代码 (the code the child process runs)
fn run_proc(name: &str) {
    println!("Run child process {name} ({})...", std::process::id());
}

fn main() {
    // In the child (this program started again with `--child test`): run_proc("test").
    shared::run_if_child(run_proc);
    shared::start(USAGE).no_options();
    println!("Parent process {}.", std::process::id());
    let mut p = shared::this_program();
    p.args(["--child", "test"]);
    println!("Child process will start.");
    let mut child = p
        .spawn()
        .context("cannot start the child process")
        .or_exit(); // p.start()
    let status = child
        .wait()
        .context("cannot wait for the child process")
        .or_exit(); // p.join()
    shared::process::check("the child process", status).or_exit();
    println!("Child process end.");
}
