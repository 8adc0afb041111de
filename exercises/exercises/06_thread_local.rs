//! # 练习 6 · thread_local: 每个线程有自己的总分 · each thread its own total
//!
//! Section: ThreadLocal, <https://www.liaoxuefeng.com/wiki/1016959663602400/1017630786314240>
//!
//! Read first: `examples-thread/src/bin/threadlocal.rs`.
//!
//! 要做：每个命令行参数是一个学生和他的分数（`NAME=MARK,MARK,...`，默认 `Alice=90,85` 和
//! `Bob=70,95,80`），各由一个线程处理：线程用 `add_mark` 逐个加上本线程学生的分数，再用 `total`
//! 读出总分。这两个函数都不接收总分作为参数，可是 `TOTAL` 是所有线程共用的一个值：每个线程读出的都是
//! 全部分数的总和。让每个线程有自己的总分，使输出为 `Total for Alice: 175 (in Thread-1)` 和
//! `Total for Bob: 245 (in Thread-2)`，先后顺序不定。保留屏障（barrier）：它保证所有线程都加完分数之后，
//! 才有线程读总分。
//!
//! To do: each argument is a student and their marks (`NAME=MARK,MARK,...`; `Alice=90,85` and
//! `Bob=70,95,80` by default), each handled by a thread: the thread adds its student's marks one by
//! one with `add_mark`, then reads the total with `total`. Neither function takes the total as a
//! parameter, but `TOTAL` is one value for all threads: every thread reads the sum of all the
//! marks. Give each thread its own total, so that the output is
//! `Total for Alice: 175 (in Thread-1)` and `Total for Bob: 245 (in Thread-2)`, in any order.
//! Keep the barrier: it makes every thread add its marks before any reads its total.
//!
//! 提示 1：示例用 `thread_local!` 存放每个线程的学生，设置一次、读取一次；这里每个线程的值要在多次
//! 调用之间累加。它从几开始？
//! Hint 1: the example keeps each thread's student in a `thread_local!`, set once and read once;
//! here each thread's value adds up over several calls. What does it start from?
//!
//! 提示 2：在 `thread_local!` 里放一个初值为 0 的 `Cell<u64>`（`const { Cell::new(0) }`）；
//! `TOTAL.get()` 读出本线程的值，`TOTAL.set(...)` 写回。
//! Hint 2: a `Cell<u64>` starting at 0 in a `thread_local!` (`const { Cell::new(0) }`);
//! `TOTAL.get()` reads this thread's value and `TOTAL.set(...)` writes it back.

use std::sync::Barrier;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

static TOTAL: AtomicU64 = AtomicU64::new(0);

/// Adds one mark to this thread's total.
fn add_mark(mark: u64) {
    TOTAL.fetch_add(mark, Ordering::Relaxed);
}

/// This thread's total, so far.
fn total() -> u64 {
    TOTAL.load(Ordering::Relaxed)
}

fn process_thread(student: &str, marks: &[u64], all_added: &Barrier) {
    for &mark in marks {
        add_mark(mark);
    }
    all_added.wait(); // every mark added before any total is read
    let name = thread::current().name().unwrap_or("?").to_string();
    println!("Total for {student}: {} (in {name})", total());
}

fn main() {
    let mut students = Vec::new();
    let mut args = shared::start(
        "usage: thread_local [NAME=MARK,MARK,...]...\n\nA thread for each student adds up its marks (Alice=90,85 and Bob=70,95,80 by default).",
    );
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Value(value) => students.push(student(shared::cli::parse(value))),
            other => shared::unexpected(other),
        }
    }
    if students.is_empty() {
        students = vec![
            ("Alice".into(), vec![90, 85]),
            ("Bob".into(), vec![70, 95, 80]),
        ];
    }
    let all_added = Barrier::new(students.len());
    thread::scope(|s| {
        for (i, (student, marks)) in students.iter().enumerate() {
            let all_added = &all_added;
            thread::Builder::new()
                .name(format!("Thread-{}", i + 1))
                .spawn_scoped(s, move || process_thread(student, marks, all_added))
                .expect("a thread");
        }
    });
}

/// `Alice=90,85` as `("Alice", [90, 85])`; anything else is a usage error.
fn student(arg: String) -> (String, Vec<u64>) {
    let parsed = arg.split_once('=').and_then(|(name, marks)| {
        // Each mark below 2^32, so that no total can overflow.
        let marks: Result<Vec<u64>, _> = marks
            .split(',')
            .map(|m| m.parse::<u32>().map(u64::from))
            .collect();
        Some((name.to_string(), marks.ok()?))
    });
    parsed.unwrap_or_else(|| shared::exit_usage(format!("{arg:?}: expected NAME=MARK,MARK,...")))
}
