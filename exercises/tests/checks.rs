//! The checks, tested: each solution passes its check; each wrong solution of
//! `exercises/wrong/` and each exercise as shipped fails it, with a message about the lesson;
//! all of that again while every core is busy with another process; the checker survives
//! hostile programs. The programs are modules of one executable, `exercise_programs`
//! (`EXERCISES_PROGRAM=NAME/solution`), so this costs one link, not forty.
//!
//! Tier 1 (`cargo test`): the solutions, the messages in Chinese, the table against the files.
//! Tier 2 (`cargo test -- --ignored`): every wrong solution and shipped exercise (some only
//! fail at their deadline), the busy machine, the hostile programs.

use exercises::lang::Lang;
use exercises::run::{Failure, Program};
use exercises::{EXERCISES, Exercise, find};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PROGRAMS: &str = env!("CARGO_BIN_EXE_exercise_programs");
const CHECKER: &str = env!("CARGO_BIN_EXE_exercises");

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The program `pick` of the test executable (`pool_of_five/solution`), with its source file.
fn program(pick: &str, source: &str) -> Program {
    Program {
        exe: PROGRAMS.into(),
        env: vec![("EXERCISES_PROGRAM".into(), pick.into())],
        source: Some(root().join(source)),
    }
}

fn check(exercise: &Exercise, pick: &str, source: &str, lang: Lang) -> Result<(), Failure> {
    exercise.check(&program(pick, source), lang, Path::new(CHECKER))
}

fn solution_passes(name: &str) {
    let exercise = find(name).unwrap();
    let pick = format!("{name}/solution");
    if let Err(failure) = check(exercise, &pick, &exercise.solution(), Lang::En) {
        let out = exercises::run::shown(&failure.stdout);
        let err = exercises::run::shown(&failure.stderr);
        panic!("{name}: the solution fails: {}\n{out}\n{err}", failure.why);
    }
}

macro_rules! solutions_pass {
    ($($name:ident)*) => {$(
        #[test]
        fn $name() {
            solution_passes(stringify!($name));
        }
    )*};
}

/// Each solution passes its check: one test each, so that they run side by side.
mod solution_passes {
    use super::solution_passes;
    solutions_pass!(pool_of_five communicate queue_end share_counter deadlock_order thread_local
        primes_rayon threads_for_cores worker take_turns fetch_concurrently two_waits escaped_route);
}

/// A wrong solution: its exercise, its program's pick, its file, and what its failure says.
struct Wrong {
    exercise: &'static Exercise,
    pick: String,
    file: String,
    says: String,
}

fn wrong_solutions() -> Vec<Wrong> {
    let mut all = Vec::new();
    for exercise in EXERCISES {
        let folder = root().join(exercise.wrong());
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let what = path.file_stem().unwrap().to_string_lossy().into_owned();
            let file = format!("{}/{what}.rs", exercise.wrong());
            assert!(
                text.starts_with("//! Wrong: "),
                "{file}: no `//! Wrong: ` line first"
            );
            let says = text
                .lines()
                .find_map(|l| l.strip_prefix("//! Says: "))
                .unwrap_or_else(|| panic!("{file}: no `//! Says: ` line"));
            all.push(Wrong {
                exercise,
                pick: format!("{}/wrong/{what}", exercise.name),
                file,
                says: says.to_string(),
            });
        }
    }
    all
}

/// Runs `jobs` on `threads` threads at once; the failures' descriptions.
fn side_by_side<T: Sync>(
    jobs: &[T],
    threads: usize,
    job: impl Fn(&T) -> Option<String> + Sync,
) -> Vec<String> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failed = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                while let Some(item) =
                    jobs.get(next.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
                {
                    if let Some(why) = job(item) {
                        failed.lock().unwrap().push(why);
                    }
                }
            });
        }
    });
    failed.into_inner().unwrap()
}

/// Every wrong solution fails, with a message about its lesson; each says what it gets wrong.
fn every_wrong_solution_fails(threads: usize) -> Vec<String> {
    let wrong = wrong_solutions();
    side_by_side(&wrong, threads, |w| {
        match check(w.exercise, &w.pick, &w.file, Lang::En) {
            Ok(()) => Some(format!("{}: passes", w.file)),
            Err(f) if !f.why.contains(&w.says) => {
                Some(format!("{}: says {:?}, not {:?}", w.file, f.why, w.says))
            }
            Err(_) => None,
        }
    })
}

#[test]
fn at_least_three_wrong_solutions_for_every_exercise() {
    let wrong = wrong_solutions();
    for exercise in EXERCISES {
        let n = wrong
            .iter()
            .filter(|w| w.exercise.name == exercise.name)
            .count();
        assert!(
            n >= 3,
            "{}: {n} wrong solutions in {}",
            exercise.name,
            exercise.wrong()
        );
    }
}

#[test]
#[ignore = "tier 2: every wrong solution, some fail only at their deadline"]
fn every_wrong_solution_is_rejected() {
    let _alone = alone();
    let failed = every_wrong_solution_fails(4);
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
#[ignore = "tier 2: every exercise as shipped, some fail only at their deadline"]
fn every_exercise_as_shipped_fails() {
    let _alone = alone();
    let shipped: Vec<&Exercise> = EXERCISES.iter().filter(|e| !e.compile_error).collect();
    let failed = side_by_side(&shipped, 4, |e| {
        check(e, &format!("{}/shipped", e.name), &e.file(), Lang::En)
            .is_ok()
            .then(|| format!("{}: passes as shipped", e.name))
    });
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// Processes that keep every core busy while they live.
struct Busy(Vec<std::process::Child>);

impl Busy {
    fn every_core() -> Busy {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let loops = (0..cores)
            .map(|_| {
                std::process::Command::new("sh")
                    .args(["-c", "while :; do :; done"])
                    .spawn()
                    .unwrap()
            })
            .collect();
        Busy(loops)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// With a busy loop on every core, each solution passes five runs of five, and no wrong
/// solution passes.
#[test]
#[ignore = "tier 2: a busy machine, every solution five times and every wrong solution"]
fn steady_on_a_busy_machine() {
    let _alone = alone();
    let _busy = Busy::every_core();
    let started = Instant::now();
    let mut failed = Vec::new();
    for exercise in EXERCISES {
        for run in 1..=5 {
            let pick = format!("{}/solution", exercise.name);
            if let Err(f) = check(exercise, &pick, &exercise.solution(), Lang::En) {
                failed.push(format!("{} run {run}: {}", exercise.name, f.why));
            }
        }
    }
    failed.extend(every_wrong_solution_fails(2));
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    eprintln!(
        "busy machine: 65 solution runs and every wrong solution in {:.0?}",
        started.elapsed()
    );
}

/// Messages in Chinese: a check's verdict, under a Chinese locale.
#[test]
fn verdicts_in_chinese() {
    let exercise = find("take_turns").unwrap();
    let wrong = "exercises/wrong/take_turns/five_turns.rs";
    let zh = check(exercise, "take_turns/wrong/five_turns", wrong, Lang::Zh).unwrap_err();
    let en = check(exercise, "take_turns/wrong/five_turns", wrong, Lang::En).unwrap_err();
    let chinese = |t: &str| t.chars().filter(|&c| c >= '\u{4e00}').count();
    assert!(chinese(&zh.why) >= 10, "{}", zh.why);
    assert_eq!(chinese(&en.why), 0, "{}", en.why);
    for (variable, value) in [("LANG", "zh_CN.UTF-8"), ("LC_ALL", "zh_TW.UTF-8")] {
        let out = harness::bin(CHECKER)
            .env(variable, value)
            .args(["hint", "take_turns"])
            .run();
        out.assert_success();
        assert!(
            out.stdout.contains("提示") || chinese(&out.stdout) > 5,
            "{out}"
        );
    }
    let out = harness::bin(CHECKER)
        .env("LANG", "zh_CN.UTF-8")
        .arg("list")
        .run();
    assert!(out.stdout.contains("完成 "), "{out}");
    let out = harness::bin(CHECKER)
        .env("LANG", "en_US.UTF-8")
        .env("LC_ALL", "C")
        .arg("list")
        .run();
    assert!(out.stdout.contains(" done"), "{out}");
}

/// The table (src/list.rs) against everything that names the exercises: the files, the
/// `[[bin]]` entries, the book's pages, the headers in both languages.
#[test]
fn the_table_agrees_with_the_files_the_manifest_and_the_book() {
    let root = root();
    let manifest = std::fs::read_to_string(root.join("exercises/Cargo.toml")).unwrap();
    let bins: Vec<(String, String)> = manifest
        .split("[[bin]]")
        .skip(1)
        .filter(|b| b.contains("required-features = [\"learner\"]"))
        .map(|b| {
            let field = |key: &str| {
                b.lines()
                    .find_map(|l| l.strip_prefix(key))
                    .map(|v| v.trim().trim_matches('"').to_string())
                    .unwrap_or_default()
            };
            (field("name = "), format!("exercises/{}", field("path = ")))
        })
        .collect();
    let table: Vec<(String, String)> = EXERCISES
        .iter()
        .map(|e| (e.name.to_string(), e.file()))
        .collect();
    assert_eq!(
        bins, table,
        "exercises/Cargo.toml's [[bin]] entries (learner) against src/list.rs"
    );
    for folder in ["exercises/exercises", "exercises/solutions"] {
        let mut files: Vec<String> = std::fs::read_dir(root.join(folder))
            .unwrap()
            .map(|e| format!("{folder}/{}", e.unwrap().file_name().to_string_lossy()))
            .collect();
        files.sort();
        let want: Vec<String> = match folder {
            "exercises/exercises" => EXERCISES.iter().map(Exercise::file).collect(),
            _ => EXERCISES.iter().map(Exercise::solution).collect(),
        };
        assert_eq!(files, want, "{folder} against src/list.rs");
    }
    let book = std::fs::read_to_string(root.join("tests/src/book.rs")).unwrap();
    let on_pages: Vec<String> = book
        .lines()
        .filter_map(|l| l.trim().strip_prefix("exercises: &["))
        .flat_map(|l| {
            l.split('"')
                .skip(1)
                .step_by(2)
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect();
    let stems: Vec<String> = EXERCISES
        .iter()
        .map(|e| exercises::list::stem(e.number(), e.name))
        .collect();
    assert_eq!(
        on_pages, stems,
        "the book's pages (tests/src/book.rs) against src/list.rs"
    );
    for exercise in EXERCISES {
        let text = std::fs::read_to_string(root.join(exercise.file())).unwrap();
        let title = format!("//! # 练习 {} · {}: ", exercise.number(), exercise.name);
        assert!(
            text.starts_with(&title),
            "{}: starts {title:?}",
            exercise.file()
        );
        for part in [
            "//! Section: ",
            "https://www.liaoxuefeng.com/wiki/",
            "//! Read first: ",
            "//! 要做：",
            "//! To do: ",
            "//! 提示 1：",
            "//! Hint 1: ",
            "//! 提示 2：",
            "//! Hint 2: ",
        ] {
            assert!(text.contains(part), "{}: no {part:?}", exercise.file());
        }
        let solution = std::fs::read_to_string(root.join(exercise.solution())).unwrap();
        let header = |t: &str| {
            t.lines()
                .take_while(|l| l.starts_with("//!"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            header(&solution),
            header(&text),
            "{}: the exercise's header",
            exercise.solution()
        );
    }
}

/// `share_counter` as shipped is refused by the compiler, with the error that is its lesson.
#[test]
fn the_shared_counter_as_shipped_does_not_compile() {
    let source = root().join(find("share_counter").unwrap().file());
    let rustc = Path::new(env!("CARGO")).with_file_name("rustc");
    let rustc = if rustc.exists() {
        rustc
    } else {
        "rustc".into()
    };
    let target = std::env::temp_dir().join(format!("share_counter_{}", std::process::id()));
    let out = harness::bin(rustc)
        .args([
            "--edition",
            "2024",
            "--crate-type",
            "bin",
            "--emit",
            "metadata",
            "--out-dir",
        ])
        .arg(&target)
        .arg(source)
        .timeout(Duration::from_secs(120))
        .run();
    let _ = std::fs::remove_dir_all(&target);
    assert!(!out.status.success(), "it compiles: {out}");
    assert!(
        out.stderr
            .contains("error[E0499]: cannot borrow `count` as mutable more than once at a time"),
        "{out}"
    );
}

/// The checker's own commands, without building anything.
#[test]
fn the_checker_lists_hints_and_refuses_unknown_names() {
    let out = harness::bin(CHECKER).env("LC_ALL", "C").arg("list").run();
    out.assert_success();
    for exercise in EXERCISES {
        assert!(
            out.stdout.contains(exercise.name) && out.stdout.contains(&exercise.file()),
            "{out}"
        );
    }
    let out = harness::bin(CHECKER)
        .env("LC_ALL", "C")
        .args(["hint", "deadlock_order"])
        .run();
    out.assert_success();
    assert!(
        out.stdout
            .starts_with("deadlock_order: if every thread takes lock A"),
        "{out}"
    );
    let out = harness::bin(CHECKER)
        .env("LC_ALL", "C")
        .args(["hint", "deadlock_order", "2"])
        .run();
    assert!(out.stdout.contains("A.lock()"), "{out}");
    harness::bin(CHECKER)
        .args(["check", "nothing"])
        .run()
        .assert_usage_error();
    harness::bin(CHECKER)
        .args(["hint"])
        .run()
        .assert_usage_error();
    harness::bin(CHECKER)
        .args(["list", "extra"])
        .run()
        .assert_usage_error();
    harness::bin(CHECKER)
        .args(["reset", "nothing"])
        .run()
        .assert_usage_error();
    harness::assert_takes_help_and_refuses_unknown_options(CHECKER);
}

/// No exercise has the name of an example: two binaries of one name in a workspace overwrite
/// each other in `target/`, and a check would run the wrong one.
#[test]
fn no_exercise_is_named_like_an_example() {
    let mut examples = Vec::new();
    for package in std::fs::read_dir(root())
        .unwrap()
        .map(|e| e.unwrap().path())
    {
        if let Ok(bins) = std::fs::read_dir(package.join("src/bin")) {
            examples.extend(bins.map(|b| {
                b.unwrap()
                    .path()
                    .file_stem()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            }));
        }
    }
    assert!(examples.iter().any(|e| e == "coroutine"), "{examples:?}");
    for exercise in EXERCISES {
        assert!(
            !examples.iter().any(|e| e == exercise.name),
            "{} is also an example's name",
            exercise.name
        );
    }
}

/// The tier-2 tests that watch the whole process (its threads, its memory) take turns.
static ALONE: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    ALONE.lock().unwrap_or_else(|e| e.into_inner())
}

/// The threads of this process that checks started (they are all named so), and its sockets.
#[cfg(target_os = "linux")]
fn threads_and_sockets() -> (usize, usize) {
    let threads = std::fs::read_dir("/proc/self/task")
        .unwrap()
        .flatten()
        .filter(|t| {
            std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| {
                c.trim() == &exercises::run::THREAD[..exercises::run::THREAD.len().min(15)]
            })
        })
        .count();
    let sockets = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .flatten()
        .filter(|f| {
            std::fs::read_link(f.path()).is_ok_and(|l| l.to_string_lossy().starts_with("socket:"))
        })
        .count();
    (threads, sockets)
}

/// A process is gone, or a zombie.
#[cfg(target_os = "linux")]
fn gone(pid: u32) -> bool {
    let until = Instant::now() + Duration::from_secs(3);
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat
            .rsplit_once(") ")
            .map_or('?', |(_, r)| r.chars().next().unwrap_or('?'));
        if stat.is_empty() || state == 'Z' || state == 'X' {
            return true;
        }
        if Instant::now() > until {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(target_os = "linux")]
fn hostile(what: &str, env: &[(&str, &str)]) -> Program {
    let mut program = program(
        &format!("hostile/{what}"),
        "exercises/tests/hostile/floods.rs",
    );
    program
        .env
        .extend(env.iter().map(|(k, v)| (k.into(), v.into())));
    program
}

/// Programs no learner means to write: each check ends by its one deadline, its memory bounded,
/// with nothing left running, no thread or socket of the checker left behind, and bytes that
/// are not UTF-8 shown as bytes.
#[cfg(target_os = "linux")]
#[test]
#[ignore = "tier 2: hostile programs (a flood, a detached child, a trickle until the deadline)"]
fn the_checker_survives_hostile_programs() {
    let _alone = alone();
    let helper = Path::new(CHECKER);
    let two_waits = find("two_waits").unwrap();
    let (threads, sockets) = threads_and_sockets();
    let rss = shared::mem::rss().unwrap_or(0);
    // A flood: stopped at the cap, at once.
    let started = Instant::now();
    let failure = two_waits
        .check(&hostile("floods", &[]), Lang::En, helper)
        .unwrap_err();
    assert!(failure.why.contains("more than 1 MiB"), "{}", failure.why);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(failure.stdout.len() <= exercises::run::CAP);
    let grown = shared::mem::rss().unwrap_or(0).saturating_sub(rss);
    assert!(grown < 64 << 20, "the checker grew by {grown} bytes");
    // A detached child that holds the output: the check ends at once, and so does the child.
    let pids = std::env::temp_dir().join(format!("hostile-{}", std::process::id()));
    let started = Instant::now();
    let env = [("HOSTILE_PIDS", pids.to_str().unwrap())];
    let _ = two_waits.check(&hostile("detaches", &env), Lang::En, helper);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let child: u32 = std::fs::read_to_string(&pids)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let _ = std::fs::remove_file(&pids);
    assert!(gone(child), "the detached child {child} still runs");
    // A trickle: ended by the check's one deadline (10 s for two_waits).
    let started = Instant::now();
    let failure = two_waits
        .check(&hostile("trickles", &[]), Lang::En, helper)
        .unwrap_err();
    assert!(
        failure.why.contains("did not finish within 10 s"),
        "{}",
        failure.why
    );
    assert!(
        started.elapsed() < Duration::from_secs(13),
        "{:?}",
        started.elapsed()
    );
    // Bytes that are not UTF-8, shown as bytes.
    let failure = two_waits
        .check(&hostile("not_utf8", &[]), Lang::En, helper)
        .unwrap_err();
    assert_eq!(
        exercises::run::shown(&failure.stdout),
        "Hello \\xFF\\xFE world\n"
    );
    // Nothing of the checks left: threads, sockets (the master's and the servers' too).
    for name in ["worker", "fetch_concurrently", "escaped_route"] {
        for _ in 0..3 {
            solution_passes(name);
        }
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        threads_and_sockets(),
        (threads, sockets),
        "threads and sockets of checks left"
    );
}

/// Ctrl-C on the checker ends the learner's program and what it started.
#[cfg(target_os = "linux")]
#[test]
#[ignore = "tier 2: Ctrl-C on a running check"]
fn ctrl_c_ends_the_check_and_the_program() {
    let pids = std::env::temp_dir().join(format!("hostile-c-{}", std::process::id()));
    let _ = std::fs::remove_file(&pids);
    let checker = harness::bin(CHECKER)
        .env("EXERCISES_CHECK_EXE", PROGRAMS)
        .env("EXERCISES_PROGRAM", "hostile/waits_forever")
        .env("HOSTILE_PIDS", &pids)
        .args(["check", "two_waits"])
        .spawn();
    let until = Instant::now() + Duration::from_secs(10);
    let written = loop {
        let text = std::fs::read_to_string(&pids).unwrap_or_default();
        if text.lines().count() == 2 || Instant::now() > until {
            break text;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = std::fs::remove_file(&pids);
    checker.signal(nix::sys::signal::Signal::SIGINT);
    let out = checker.finish();
    assert_eq!(out.status.code(), Some(130), "{out}");
    for pid in written.lines().map(|l| l.parse::<u32>().unwrap()) {
        assert!(gone(pid), "{pid} still runs after Ctrl-C");
    }
}
