//! The checker of the exercises: `cargo run -p exercises`.
//!
//! It lists the exercises with what is done, then checks the first one not done: it builds it
//! (the compiler's message, if it does not compile), runs it as a real process and checks its
//! lesson, and says in a line or two what is still wrong. On a terminal it then waits, and
//! checks again each time the file is saved, then moves on to the next. Saving is noticed by
//! polling the file's modification time twice a second: one file's time stamp needs no
//! file-watching crate, and polling works the same on every system and editor (some save by
//! writing a new file and renaming it, which a watch on the old file misses).
//!
//! What is done is kept in `exercises/.progress` (one name a line; not in git).

use exercises::{EXERCISES, Exercise};
use shared::Arg::Value;
use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, SystemTime};

const USAGE: &str = "\
usage: cargo run -p exercises [-- list | check NAME | hint NAME]

Without a command: the list of exercises, then the first one not done, checked (and on a
terminal, checked again each time you save its file). list: the exercises and what is done.
check NAME: builds NAME, runs it and checks its lesson. hint NAME: one line of help.";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
}

fn progress() -> PathBuf {
    root().join("exercises/.progress")
}

fn done() -> BTreeSet<String> {
    let text = std::fs::read_to_string(progress()).unwrap_or_default();
    text.lines().map(String::from).collect()
}

fn mark(name: &str, solved: bool) {
    let mut names = done();
    let changed = if solved {
        names.insert(name.to_string())
    } else {
        names.remove(name)
    };
    if changed {
        let text: String = names.iter().map(|n| format!("{n}\n")).collect();
        let _ = std::fs::write(progress(), text);
    }
}

/// Builds the exercise; its executable, or what the compiler said.
fn build(exercise: &Exercise) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(root())
        .args([
            "build",
            "-p",
            "exercises",
            "--features",
            "learner",
            "--bin",
            exercise.name,
        ])
        .args(["--message-format", "json-render-diagnostics"])
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        return Err(said);
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let target = format!("\"name\":\"{}\"", exercise.name);
    let executable = stdout
        .lines()
        .filter(|l| l.contains("\"reason\":\"compiler-artifact\"") && l.contains(&target))
        .find_map(|l| l.split("\"executable\":\"").nth(1)?.split('"').next())
        .map(|path| PathBuf::from(path.replace("\\\\", "\\")));
    executable.ok_or(format!(
        "cargo built {} but named no executable\n{said}",
        exercise.name
    ))
}

/// Builds and checks one exercise, and says how it went: whether it is done.
fn check(exercise: &Exercise) -> bool {
    println!(
        "Checking {} ({}), {} ...",
        exercise.name, exercise.section, exercise.file
    );
    let checked = build(exercise).map_err(|compiler| {
        eprint!("{compiler}");
        "it does not compile yet: the compiler says why above".to_string()
    });
    match checked.and_then(|exe| (exercise.check)(&exe)) {
        Ok(()) => {
            println!("✓ {}: done.", exercise.name);
            mark(exercise.name, true);
            true
        }
        Err(why) => {
            println!("✗ {}: {why}", exercise.name);
            println!(
                "  (a hint: cargo run -p exercises -- hint {})",
                exercise.name
            );
            mark(exercise.name, false);
            false
        }
    }
}

fn list() {
    let done = done();
    let count = EXERCISES.iter().filter(|e| done.contains(e.name)).count();
    println!("练习 Exercises: {count} of {} done", EXERCISES.len());
    for (i, e) in EXERCISES.iter().enumerate() {
        let mark = if done.contains(e.name) { "x" } else { " " };
        let section = padded(e.section, 38);
        println!("  [{mark}] {:2} {:20} {section} {}", i + 1, e.name, e.file);
    }
}

/// `text` padded to `width` columns of a terminal, where a Chinese character takes two.
fn padded(text: &str, width: usize) -> String {
    let columns: usize = text
        .chars()
        .map(|c| if c >= '\u{1100}' { 2 } else { 1 })
        .sum();
    format!("{text}{}", " ".repeat(width.saturating_sub(columns)))
}

fn modified(exercise: &Exercise) -> Option<SystemTime> {
    std::fs::metadata(root().join(exercise.file))
        .ok()?
        .modified()
        .ok()
}

/// The list, the first exercise not done, and (on a terminal) again at each save.
fn next() -> ExitCode {
    list();
    let done = done();
    let Some(mut at) = EXERCISES.iter().position(|e| !done.contains(e.name)) else {
        println!("All done.");
        return ExitCode::SUCCESS;
    };
    let mut passed = check(&EXERCISES[at]);
    if !std::io::stdout().is_terminal() {
        return if passed {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    loop {
        if passed {
            at += 1;
            let Some(exercise) = EXERCISES.get(at) else {
                println!("All done.");
                return ExitCode::SUCCESS;
            };
            println!("Next: {}, in {}", exercise.name, exercise.file);
        }
        println!("(Save the file to check it again; Ctrl-C to stop.)");
        let exercise = &EXERCISES[at];
        let seen = modified(exercise);
        while modified(exercise) == seen {
            std::thread::sleep(Duration::from_millis(500));
        }
        passed = check(exercise);
    }
}

fn named(args: &mut shared::Args) -> &'static Exercise {
    let name: String = match args.next() {
        Some(Value(name)) => shared::cli::parse(name),
        _ => shared::exit_usage("name an exercise (cargo run -p exercises -- list)"),
    };
    exercises::find(&name).unwrap_or_else(|| {
        shared::exit_usage(format!(
            "no exercise {name:?} (cargo run -p exercises -- list)"
        ))
    })
}

fn main() -> ExitCode {
    let mut args = shared::start(USAGE);
    let command: Option<String> = match args.next() {
        Some(Value(command)) => Some(shared::cli::parse(command)),
        Some(other) => shared::unexpected(other),
        None => None,
    };
    let code = match command.as_deref() {
        None => return next(),
        Some("list") => {
            list();
            ExitCode::SUCCESS
        }
        Some("hint") => {
            let exercise = named(&mut args);
            let hint = exercise
                .hint(root())
                .unwrap_or_else(|| "read its header".into());
            println!("{}: {hint}", exercise.name);
            ExitCode::SUCCESS
        }
        Some("check") => match check(named(&mut args)) {
            true => ExitCode::SUCCESS,
            false => ExitCode::FAILURE,
        },
        Some(other) => shared::exit_usage(format!("unknown command {other:?} (try --help)")),
    };
    args.no_options();
    code
}
