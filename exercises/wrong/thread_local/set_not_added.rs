//! Wrong: one value per thread, but set like the example's student: each mark replaces the last.
//! Says: not replace it

use std::cell::RefCell;
use std::sync::Barrier;
use std::thread;

thread_local! {
    static TOTAL: RefCell<Option<u64>> = const { RefCell::new(None) };
}

/// Adds one mark to this thread's total.
fn add_mark(mark: u64) {
    TOTAL.set(Some(mark));
}

/// This thread's total, so far.
fn total() -> u64 {
    TOTAL.with_borrow(|t| t.unwrap_or_default())
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
