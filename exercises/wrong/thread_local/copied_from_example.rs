//! Wrong: the example's `thread_local!` copied, a student per thread; the total still one for all.
//! Says: shared by all threads

use std::cell::RefCell;
use std::sync::Barrier;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

thread_local! {
    // One student in every thread, each starting out empty.
    static STUDENT: RefCell<Option<String>> = const { RefCell::new(None) };
}

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
    STUDENT.set(Some(student.to_string()));
    for &mark in marks {
        add_mark(mark);
    }
    all_added.wait(); // every mark added before any total is read
    let student = STUDENT.with_borrow(|s| s.clone().unwrap_or_default());
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
        students = vec![("Alice".into(), vec![90, 85]), ("Bob".into(), vec![70, 95, 80])];
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
        let marks: Result<Vec<u64>, _> = marks.split(',').map(|m| m.parse::<u32>().map(u64::from)).collect();
        Some((name.to_string(), marks.ok()?))
    });
    parsed.unwrap_or_else(|| shared::exit_usage(format!("{arg:?}: expected NAME=MARK,MARK,...")))
}
