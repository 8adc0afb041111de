//! Wrong: one shared value, the barrier removed: right only as long as the threads happen not to overlap.
//! Says: no thread_local!

use std::sync::{Barrier, Mutex};
use std::thread;

static STUDENT: Mutex<Option<String>> = Mutex::new(None);

fn process_student() {
    let student = STUDENT.lock().unwrap().clone().unwrap_or_default();
    let name = thread::current().name().unwrap_or("?").to_string();
    println!("Hello, {student} (in {name})");
}

fn process_thread(name: &str, all_bound: &Barrier) {
    *STUDENT.lock().unwrap() = Some(name.to_string());
    let _ = all_bound;
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
