//! The checker of the exercises: `cargo run -p exercises`.
//!
//! Without a command it lists the exercises with what is done, then checks the first one not
//! done: it builds it (the compiler's message, if it does not compile), runs it as a real
//! process and checks its lesson, and says in a line or two what is still wrong, with what the
//! program printed. On a terminal it then watches the file: each save checks it again, and once
//! it passes the next one not done is checked at once. Keys (then Enter): h a hint (again: the
//! second), r run it, n the next exercise, q quit. Saving is noticed by polling the file's
//! modification time twice a second: one file's time stamp needs no file-watching crate, and
//! polling works the same with every editor (some save by writing a new file and renaming it).
//!
//! What is done: see [`exercises::progress`].

use exercises::lang::Lang;
use exercises::progress::{build, is_done, mark, passed};
use exercises::run::{Failure, Program, shown};
use exercises::{EXERCISES, Exercise, Part, root, say};
use shared::Arg::Value;
use std::io::{BufRead, IsTerminal};
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

const USAGE: &str = "\
usage: cargo run -p exercises [-- COMMAND]

Without a command: the list of exercises, then the first one not done, checked (and on a
terminal, checked again each time you save its file; then the next).
  list          the exercises and what is done
  check NAME    builds NAME, runs it and checks its lesson
  run NAME      builds NAME and runs it, to see its output
  hint NAME [2] a hint (2: the second, closer to the answer)
  reset NAME    puts NAME's file back as it was shipped (from git)
Messages are in Chinese where LANG or LC_ALL says zh (LANG=zh_CN.UTF-8).";

/// The last lines of what the program printed, to show under a failure.
fn show_output(failure: &Failure, lang: Lang) {
    for (bytes, which) in [(&failure.stdout, "stdout"), (&failure.stderr, "stderr")] {
        if bytes.is_empty() {
            continue;
        }
        let text = shown(bytes);
        let lines: Vec<&str> = text.lines().collect();
        let from = lines.len().saturating_sub(12);
        let skipped = if from > 0 {
            say!(lang, " (its last 12 lines)", "（最后 12 行）")
        } else {
            String::new()
        };
        println!(
            "  {}",
            say!(lang, "its {which}{skipped}:", "它的 {which}{skipped}：")
        );
        for line in &lines[from..] {
            let line: String = line.chars().take(200).collect();
            println!("  | {line}");
        }
    }
}

/// Builds and checks one exercise, and says how it went: whether it is done.
fn check(exercise: &Exercise, lang: Lang) -> bool {
    let (n, name, file) = (exercise.number(), exercise.name, exercise.file());
    let section = exercise.section(lang);
    println!(
        "{}",
        say!(
            lang,
            "Checking {n}. {name} ({section}), {file} ...",
            "正在检查 {n}. {name}（{section}），{file} ……"
        )
    );
    let helper = std::env::current_exe().unwrap_or_default();
    let checked = build(exercise, lang).map_err(Failure::new).and_then(|exe| {
        let program = Program::built(exe, root().join(exercise.file()));
        exercise.check(&program, lang, &helper)
    });
    match checked {
        Ok(()) => {
            println!("✓ {}", say!(lang, "{name}: done.", "{name}：完成。"));
            mark(exercise, true);
            true
        }
        Err(failure) => {
            println!("✗ {name}: {}", failure.why);
            show_output(&failure, lang);
            println!(
                "  {}",
                say!(
                    lang,
                    "(a hint: cargo run -p exercises -- hint {name})",
                    "（提示：cargo run -p exercises -- hint {name}）"
                )
            );
            mark(exercise, false);
            false
        }
    }
}

/// Builds it and runs it, its output on the terminal.
fn run(exercise: &Exercise, lang: Lang) -> bool {
    let exe = match build(exercise, lang) {
        Ok(exe) => exe,
        Err(why) => {
            println!("✗ {}: {why}", exercise.name);
            return false;
        }
    };
    let name = exercise.name;
    println!(
        "{}",
        say!(
            lang,
            "Running {name} (Ctrl-C to stop it):",
            "正在运行 {name}（按 Ctrl-C 停止）："
        )
    );
    match Command::new(exe).status() {
        Ok(status) => status.success(),
        Err(e) => {
            println!(
                "✗ {}",
                say!(lang, "cannot run {name}: {e}", "无法运行 {name}：{e}")
            );
            false
        }
    }
}

fn hint(exercise: &Exercise, level: u32, lang: Lang) {
    let part = if level >= 2 { Part::Hint2 } else { Part::Hint1 };
    let name = exercise.name;
    let text = exercise
        .part(&root(), part, lang)
        .unwrap_or_else(|| say!(lang, "read its header", "请读它的文件头注释"));
    println!("{name}: {text}");
    if level < 2 {
        println!(
            "{}",
            say!(
                lang,
                "(closer to the answer: cargo run -p exercises -- hint {name} 2)",
                "（更接近答案的提示：cargo run -p exercises -- hint {name} 2）"
            )
        );
    }
}

/// Puts the file back as git has it.
fn reset(exercise: &Exercise, lang: Lang) -> bool {
    let file = exercise.file();
    let restored = Command::new("git")
        .current_dir(root())
        .args(["checkout", "HEAD", "--", &file])
        .stdin(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    mark(exercise, false);
    match restored {
        true => println!(
            "{}",
            say!(lang, "{file}: as shipped again.", "{file}：已恢复原样。")
        ),
        false => println!(
            "✗ {}",
            say!(
                lang,
                "cannot reset {file}: git cannot restore it here",
                "无法恢复 {file}：git 无法在这里恢复它"
            )
        ),
    }
    restored
}

fn list(lang: Lang) {
    let passed = passed();
    let done = EXERCISES.iter().filter(|e| is_done(e, &passed)).count();
    let total = EXERCISES.len();
    println!(
        "练习 Exercises: {}",
        say!(
            lang,
            "{done} of {total} done",
            "完成 {done} 个，共 {total} 个"
        )
    );
    for e in EXERCISES {
        let mark = if is_done(e, &passed) { "x" } else { " " };
        let section = padded(&e.section(lang), 52);
        println!(
            "  [{mark}] {:2} {:20} {section} {}",
            e.number(),
            e.name,
            e.file()
        );
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
    std::fs::metadata(root().join(exercise.file()))
        .ok()?
        .modified()
        .ok()
}

/// The first exercise not done after `from` (wrapping around), if any.
fn next_not_done(from: usize) -> Option<usize> {
    let passed = passed();
    (0..EXERCISES.len())
        .map(|i| (from + i) % EXERCISES.len())
        .find(|&i| !is_done(&EXERCISES[i], &passed))
}

/// The list, the first exercise not done, and (on a terminal) again at each save, then on.
fn watch(lang: Lang) -> ExitCode {
    list(lang);
    let Some(mut at) = next_not_done(0) else {
        println!("{}", say!(lang, "All done.", "全部完成。"));
        return ExitCode::SUCCESS;
    };
    let passed = check(&EXERCISES[at], lang);
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return if passed {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    // One thread reads the keys for the whole session.
    let (keys, typed) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if keys.send(line.trim().to_string()).is_err() {
                break;
            }
        }
    });
    let mut passed = passed;
    let mut hints = 0;
    loop {
        if passed {
            let Some(next) = next_not_done(at + 1) else {
                println!("{}", say!(lang, "All done.", "全部完成。"));
                return ExitCode::SUCCESS;
            };
            at = next;
            hints = 0;
            passed = check(&EXERCISES[at], lang);
            continue;
        }
        let exercise = &EXERCISES[at];
        println!(
            "{}",
            say!(
                lang,
                "(save the file to check it again; keys, then Enter: h hint, r run, n next, q quit)",
                "（保存文件即可再次检查；按键后回车：h 提示，r 运行，n 下一个，q 退出）"
            )
        );
        let seen = modified(exercise);
        loop {
            match typed.recv_timeout(Duration::from_millis(500)) {
                Ok(key) if key == "q" => return ExitCode::SUCCESS,
                Ok(key) if key == "h" => {
                    hints += 1;
                    hint(exercise, hints, lang);
                }
                Ok(key) if key == "r" => _ = run(exercise, lang),
                Ok(key) if key == "n" => {
                    at = next_not_done(at + 1).unwrap_or(at);
                    hints = 0;
                    let e = &EXERCISES[at];
                    let (name, file) = (e.name, e.file());
                    println!(
                        "{}",
                        say!(lang, "Next: {name}, in {file}", "下一个：{name}，在 {file}")
                    );
                    break;
                }
                Ok(_) => println!(
                    "{}",
                    say!(
                        lang,
                        "keys: h hint, r run, n next, q quit",
                        "按键：h 提示，r 运行，n 下一个，q 退出"
                    )
                ),
                Err(mpsc::RecvTimeoutError::Timeout) if modified(exercise) != seen => {
                    passed = check(exercise, lang);
                    break;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => return ExitCode::SUCCESS,
            }
        }
    }
}

fn named(args: &mut shared::Args, lang: Lang) -> &'static Exercise {
    let name: String = match args.next() {
        Some(Value(name)) => shared::cli::parse(name),
        _ => shared::exit_usage(say!(
            lang,
            "name an exercise (cargo run -p exercises -- list)",
            "请给出练习名（cargo run -p exercises -- list）"
        )),
    };
    exercises::find(&name).unwrap_or_else(|| {
        shared::exit_usage(say!(
            lang,
            "no exercise {name:?} (cargo run -p exercises -- list)",
            "没有名为 {name:?} 的练习（cargo run -p exercises -- list）"
        ))
    })
}

fn main() -> ExitCode {
    shared::run_if_child(|role| match role {
        exercises::doubles::MASTER_ROLE => exercises::doubles::serve_master(),
        other => shared::exit_usage(format!("unknown child role {other:?}")),
    });
    exercises::run::kill_on_interrupt();
    let lang = Lang::from_env();
    let mut args = shared::start(USAGE);
    let command: Option<String> = match args.next() {
        Some(Value(command)) => Some(shared::cli::parse(command)),
        Some(other) => shared::unexpected(other),
        None => None,
    };
    let ok = match command.as_deref() {
        None => return watch(lang),
        Some("list") => {
            list(lang);
            true
        }
        Some("hint") => {
            let exercise = named(&mut args, lang);
            let level = match args.next() {
                Some(Value(level)) => shared::cli::parse::<u32>(level),
                Some(other) => shared::unexpected(other),
                None => 1,
            };
            hint(exercise, level, lang);
            true
        }
        Some("check") => check(named(&mut args, lang), lang),
        Some("run") => run(named(&mut args, lang), lang),
        Some("reset") => reset(named(&mut args, lang), lang),
        Some(other) => shared::exit_usage(say!(
            lang,
            "unknown command {other:?} (try --help)",
            "未知命令 {other:?}（试试 --help）"
        )),
    };
    args.no_options();
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
