//! Wrong: a thread_local!, but bound in the main thread: each thread finds its own empty.
//! Says: greeted their own student

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
    let _ = name;
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
    STUDENT.set(students.first().cloned()); // the main thread's own
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
