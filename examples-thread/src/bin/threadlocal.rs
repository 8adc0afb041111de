//! # threadlocal: each thread its own student
//!
//! Tutorial: ThreadLocal, <https://www.liaoxuefeng.com/wiki/1016959663602400/1017630786314240>
//!
//! Python sample: [use_threadlocal.py](https://github.com/michaelliao/learn-python3/blob/master/samples/multitask/use_threadlocal.py)
//!
//! ```text
//! cargo run -p examples-thread --bin threadlocal
//! ```
//!
//! Output (the two lines may come in either order):
//!
//! ```text
//! Hello, Alice (in Thread-A)
//! Hello, Bob (in Thread-B)
//! ```
//!
//! What to notice: `process_student` takes no argument, yet each thread's call finds that
//! thread's own student: `STUDENT` is one name with a separate value in every thread.
//!
//! What Rust does differently: Python's `threading.local()` is an object whose attributes are
//! per thread; Rust declares each per-thread value with `thread_local!` and reaches it with
//! `with`. A thread-local starts out empty in every thread (here `None`), and the borrow
//! inside `with` cannot escape to another thread, so one thread can never see another's student.

use std::cell::RefCell;
use std::thread;

const USAGE: &str = "usage: threadlocal\n\nThread-A and Thread-B each bind their own student in a thread-local and greet it.";

thread_local! {
    // 每个线程绑定自己的 student (every thread binds its own student).
    static STUDENT: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn process_student() {
    // 获取当前线程关联的 student (the student bound to the current thread).
    let student = STUDENT.with_borrow(|s| s.clone().unwrap_or_default());
    let thread = thread::current();
    println!(
        "Hello, {student} (in {})",
        thread.name().unwrap_or("<unnamed>")
    );
}

fn process_thread(name: &str) {
    STUDENT.set(Some(name.to_string()));
    process_student();
}

fn main() {
    shared::start(USAGE).no_options();
    let start = |thread_name: &str, student: &'static str| {
        thread::Builder::new()
            .name(thread_name.to_string())
            .spawn(move || process_thread(student))
            .unwrap_or_else(|e| shared::exit_error(format!("cannot start a thread: {e}")))
    };
    let t1 = start("Thread-A", "Alice");
    let t2 = start("Thread-B", "Bob");
    t1.join().expect("Thread-A finished");
    t2.join().expect("Thread-B finished");
}
