//! # threadlocal: each thread its own student
//!
//! Tutorial: ThreadLocal, <https://www.liaoxuefeng.com/wiki/1016959663602400/1017630786314240>
//! Book: `book/src/threadlocal.md`, built as `book/book/threadlocal.html`; 中文版 `book/book/zh-CN/threadlocal.html`
//!
//! Python sample: [use_threadlocal.py](https://github.com/michaelliao/learn-python3/blob/master/samples/multitask/use_threadlocal.py)
//!
//! ```text
//! cargo run -p examples-thread --bin threadlocal
//! ```
//!
//! Output: (the two lines may come in any order)
//!
//! ```text
//! Hello, Alice (in Thread-A)
//! Hello, Bob (in Thread-B)
//! ```
//!
//! What to notice: `process_student` takes no argument, yet each thread's call finds that
//! thread's own student: `STUDENT` is one name with a separate value in every thread.
//!
//! What Rust does differently: Python's `threading.local()` is an object whose attributes are per
//! thread; Rust declares each per-thread value with `thread_local!` and reaches it with
//! `with_borrow` and `set`. A thread-local starts out empty in every thread (here `None`), and the
//! borrow inside `with_borrow` cannot escape to another thread, so one thread can never see
//! another's student. Python's `local_school.student` becomes `STUDENT`, one thread-local per
//! value. Both threads bind their student before either reads it (`BOTH_BOUND`, a `Barrier`), so
//! one shared global in place of the thread-local would show at once.
//!
//! Try: make it one value for all threads: in place of `thread_local!`, write
//! `static STUDENT: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);`, read it with
//! `STUDENT.lock().unwrap().clone().unwrap_or_default()` and bind it with
//! `*STUDENT.lock().unwrap() = Some(name.to_string());`: both threads greet the same student.

use shared::{Context, OrExit};
use std::cell::RefCell;
use std::sync::Barrier;
use std::thread;

const USAGE: &str = "usage: threadlocal\n\nThread-A and Thread-B each bind their own student in a thread-local and greet it.";

// 创建全局ThreadLocal对象 (create the global ThreadLocal object), empty in every thread:
thread_local! {
    static STUDENT: RefCell<Option<String>> = const { RefCell::new(None) };
}
static BOTH_BOUND: Barrier = Barrier::new(2);

fn process_student() {
    // 获取当前线程关联的student (get the student bound to the current thread):
    // (Unbound, Python raises AttributeError; here the `None` would end the thread with a panic.)
    let student = STUDENT.with_borrow(|s| s.clone().expect("bound by process_thread"));
    let thread = thread::current();
    println!(
        "Hello, {student} (in {})",
        thread.name().unwrap_or("<unnamed>")
    );
}

fn process_thread(name: &str) {
    // 绑定ThreadLocal的student (bind the ThreadLocal's student):
    STUDENT.set(Some(name.to_string()));
    BOTH_BOUND.wait();
    process_student();
}

fn main() {
    shared::start(USAGE).no_options();
    let t1 = thread::Builder::new()
        .name("Thread-A".to_string())
        .spawn(|| process_thread("Alice"))
        .context("cannot start Thread-A")
        .or_exit();
    let t2 = thread::Builder::new()
        .name("Thread-B".to_string())
        .spawn(|| process_thread("Bob"))
        .context("cannot start Thread-B")
        .or_exit();
    t1.join().expect("Thread-A finished");
    t2.join().expect("Thread-B finished");
}
