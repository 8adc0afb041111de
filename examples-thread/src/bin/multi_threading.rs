//! # multi_threading: start a thread, name it, join it
//!
//! Tutorial: 多线程 (Multithreading), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017629247922688>
//! Book: `book/src/multithreading.md`, built as `book/book/multithreading.html`; 中文版 `book/book/zh-CN/multithreading.html`
//!
//! Python sample: [multi_threading.py](https://github.com/michaelliao/learn-python3/blob/master/samples/multitask/multi_threading.py)
//!
//! ```text
//! cargo run -p examples-thread --bin multi_threading
//! ```
//!
//! Output: five seconds, one line a second:
//!
//! ```text
//! thread main is running...
//! thread LoopThread is running...
//! thread LoopThread >>> 1
//! thread LoopThread >>> 2
//! thread LoopThread >>> 3
//! thread LoopThread >>> 4
//! thread LoopThread >>> 5
//! thread LoopThread ended.
//! thread main ended.
//! ```
//!
//! What to notice: the main thread waits in `join` until `LoopThread` has ended, so
//! `thread main ended.` is always the last line.
//!
//! What Rust does differently: Python calls its first thread `MainThread`, Rust calls it `main`.
//! A thread gets its name from `thread::Builder::name`, like `name='LoopThread'` in Python.
//! `spawn` can fail (the system may refuse a new thread), so it returns a `Result`; and `join`
//! returns an error if the thread panicked, where Python's `join` would not tell. Python's
//! function is called `loop`, a keyword in Rust, hence `run_loop`.
//!
//! Try: delete the line `t.join().expect("LoopThread finished");` (and write `let _t` for `let
//! t`): `thread main ended.` comes at once and the program ends, killing LoopThread before it gets
//! far: on most runs it prints nothing at all. Python waits for every non-daemon thread; Rust's
//! `main` does not.

use shared::{Context, OrExit};
use std::thread;
use std::time::Duration;

const USAGE: &str = "usage: multi_threading\n\nThe main thread starts LoopThread, which counts to 5, one a second, and joins it.";

// 新线程执行的代码 (the code the new thread runs):
fn run_loop() {
    println!("thread {} is running...", current_name());
    let mut n = 0;
    while n < 5 {
        n += 1;
        println!("thread {} >>> {n}", current_name());
        shared::time::sleep(Duration::from_secs(1));
    }
    println!("thread {} ended.", current_name());
}

/// The current thread's name, like Python's `threading.current_thread().name`.
fn current_name() -> String {
    thread::current().name().unwrap_or("<unnamed>").to_string()
}

fn main() {
    shared::start(USAGE).no_options();
    println!("thread {} is running...", current_name());
    let t = thread::Builder::new()
        .name("LoopThread".to_string())
        .spawn(run_loop)
        .context("cannot start LoopThread")
        .or_exit();
    t.join().expect("LoopThread finished");
    println!("thread {} ended.", current_name());
}
