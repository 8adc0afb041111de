//! # 练习 6 · thread_local: 每个线程有自己的学生 · each thread its own student
//!
//! Section: ThreadLocal, <https://www.liaoxuefeng.com/wiki/1016959663602400/1017630786314240>
//!
//! Read first: `examples-thread/src/bin/threadlocal.rs`.
//!
//! 要做：每个命令行参数是一个学生（默认是 Alice 和 Bob），各由一个线程处理：线程先绑定自己的学生，
//! 然后由 `process_student` 问候本线程的学生。可是 `STUDENT` 是所有线程共用的一个值：它们问候的都是
//! 同一个学生。让每个线程有自己的值，使输出
//! 为 `Hello, Alice (in Thread-1)` 和 `Hello, Bob (in Thread-2)`，先后顺序不定。保留屏障
//! （barrier）：它保证所有线程都绑定之后，才有线程开始问候。
//!
//! To do: each argument is a student (Alice and Bob by default), each handled by a thread: the
//! thread binds its student, then `process_student` greets the student of its own thread. But
//! `STUDENT` is one value for all threads: they all greet the same student. Give each thread its
//! own, so that the output is `Hello, Alice (in Thread-1)` and `Hello, Bob (in Thread-2)`, in any
//! order. Keep the barrier: it makes every thread bind before any greets.
//!
//! 提示 1：Python 的 `threading.local()` 在 Rust 里对应什么？
//! Hint 1: what is Python's `threading.local()` in Rust?
//!
//! 提示 2：`thread_local!` 为每个线程声明一个值；放在其中
//! 的 `RefCell<Option<String>>` 用 `with_borrow` 和 `set` 访问。
//! Hint 2: `thread_local!` declares one value per thread; a `RefCell<Option<String>>` in it is
//! reached with `with_borrow` and `set`.

use std::cell::RefCell;
use std::sync::Barrier;
use std::thread;

thread_local! {
    // One student in every thread, each starting out empty.
    static STUDENT: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn process_student() {
    let student = STUDENT.with_borrow(|s| s.clone().unwrap_or_default());
    let name = thread::current().name().unwrap_or("?").to_string();
    println!("Hello, {student} (in {name})");
}

fn process_thread(name: &str, all_bound: &Barrier) {
    STUDENT.set(Some(name.to_string()));
    all_bound.wait(); // every student bound before any is greeted
    process_student();
}

fn main() {
    let mut students = Vec::new();
    let mut args = shared::start("usage: thread_local [STUDENT...]\n\nA thread for each student greets its own (Alice and Bob by default).");
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Value(name) => students.push(shared::cli::parse::<String>(name)),
            other => shared::unexpected(other),
        }
    }
    if students.is_empty() {
        students = ["Alice", "Bob"].map(String::from).to_vec();
    }
    let all_bound = Barrier::new(students.len());
    thread::scope(|s| {
        for (i, student) in students.iter().enumerate() {
            let all_bound = &all_bound;
            thread::Builder::new()
                .name(format!("Thread-{}", i + 1))
                .spawn_scoped(s, move || process_thread(student, all_bound))
                .expect("a thread");
        }
    });
}
