//! # 练习 6 · thread_local: each thread its own student
//!
//! Section: ThreadLocal, <https://www.liaoxuefeng.com/wiki/1016959663602400/1017630786314240>
//!
//! Read first: `examples-thread/src/bin/threadlocal.rs`.
//!
//! To do: each thread binds its student, then `process_student` greets the student of its own
//! thread. But `STUDENT` is one value for all threads: both greet the same student. Give each
//! thread its own, so that the output is `Hello, Alice (in Thread-A)` and `Hello, Bob (in
//! Thread-B)`, in either order. Keep the barrier: it makes both bind before either greets.
//!
//! Hint: `thread_local!` declares one value per thread; a `RefCell<Option<String>>` in it is
//! reached with `with_borrow` and `set`.

use std::sync::{Barrier, Mutex};
use std::thread;

static STUDENT: Mutex<Option<String>> = Mutex::new(None);

fn process_student() {
    let student = STUDENT.lock().unwrap().clone().unwrap_or_default();
    let name = thread::current().name().unwrap_or("?").to_string();
    println!("Hello, {student} (in {name})");
}

fn process_thread(name: &str, both_bound: &Barrier) {
    *STUDENT.lock().unwrap() = Some(name.to_string());
    both_bound.wait(); // both students bound before either is greeted
    process_student();
}

fn main() {
    shared::start("usage: thread_local\n\nTwo threads greet their own students.").no_options();
    let both_bound = Barrier::new(2);
    thread::scope(|s| {
        for (thread_name, student) in [("Thread-A", "Alice"), ("Thread-B", "Bob")] {
            let both_bound = &both_bound;
            thread::Builder::new()
                .name(thread_name.into())
                .spawn_scoped(s, move || process_thread(student, both_bound))
                .expect("a thread");
        }
    });
}
