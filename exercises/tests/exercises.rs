//! Every check, twice: each solution passes it, and each exercise as shipped fails it with the
//! message a learner would see: no check passes the exercise as shipped, and each passes the
//! solution given. The tests take turns (`harness::one_at_a_time`): the checks of parallel work
//! measure the CPU time of this process's children, which another test's child would blur.

use exercises::{EXERCISES, find};
use std::path::Path;

/// Each exercise's shipped program and solution, as this package's build made them.
const BUILT: [(&str, Option<&str>, &str); 13] = [
    (
        "pool_of_five",
        Some(env!("CARGO_BIN_EXE_pool_of_five")),
        env!("CARGO_BIN_EXE_pool_of_five_solution"),
    ),
    (
        "communicate",
        Some(env!("CARGO_BIN_EXE_communicate")),
        env!("CARGO_BIN_EXE_communicate_solution"),
    ),
    (
        "queue_end",
        Some(env!("CARGO_BIN_EXE_queue_end")),
        env!("CARGO_BIN_EXE_queue_end_solution"),
    ),
    // As shipped it does not compile: checked below with rustc.
    (
        "share_counter",
        None,
        env!("CARGO_BIN_EXE_share_counter_solution"),
    ),
    (
        "deadlock_order",
        Some(env!("CARGO_BIN_EXE_deadlock_order")),
        env!("CARGO_BIN_EXE_deadlock_order_solution"),
    ),
    (
        "thread_local",
        Some(env!("CARGO_BIN_EXE_thread_local")),
        env!("CARGO_BIN_EXE_thread_local_solution"),
    ),
    (
        "primes_rayon",
        Some(env!("CARGO_BIN_EXE_primes_rayon")),
        env!("CARGO_BIN_EXE_primes_rayon_solution"),
    ),
    (
        "threads_for_cores",
        Some(env!("CARGO_BIN_EXE_threads_for_cores")),
        env!("CARGO_BIN_EXE_threads_for_cores_solution"),
    ),
    (
        "worker",
        Some(env!("CARGO_BIN_EXE_worker")),
        env!("CARGO_BIN_EXE_worker_solution"),
    ),
    (
        "take_turns",
        Some(env!("CARGO_BIN_EXE_take_turns")),
        env!("CARGO_BIN_EXE_take_turns_solution"),
    ),
    (
        "fetch_concurrently",
        Some(env!("CARGO_BIN_EXE_fetch_concurrently")),
        env!("CARGO_BIN_EXE_fetch_concurrently_solution"),
    ),
    (
        "two_waits",
        Some(env!("CARGO_BIN_EXE_two_waits")),
        env!("CARGO_BIN_EXE_two_waits_solution"),
    ),
    (
        "escaped_route",
        Some(env!("CARGO_BIN_EXE_escaped_route")),
        env!("CARGO_BIN_EXE_escaped_route_solution"),
    ),
];

/// What each check says of the exercise as shipped: the start of the lesson's message.
const SHIPPED_SAYS: [(&str, &str); 12] = [
    (
        "pool_of_five",
        "the fifth task started only once another had finished",
    ),
    (
        "communicate",
        "it did not finish within 5 s: the child reads until its input ends",
    ),
    (
        "queue_end",
        "it did not finish within 5 s: the reader never ended",
    ),
    (
        "deadlock_order",
        "it did not finish within 5 s: each thread holds one lock",
    ),
    ("thread_local", "the threads greeted"),
    ("primes_rayon", "it used "),
    ("threads_for_cores", "64 threads did the work on "),
    ("worker", "the master got [], not"),
    ("take_turns", "producer and consumer should take turns"),
    ("fetch_concurrently", "at most 1 fetch at a time"),
    (
        "two_waits",
        "hello(2) started only once hello(1) had finished",
    ),
    (
        "escaped_route",
        "GET /hello/Bob answered 404: add the route /hello/{name}",
    ),
];

#[test]
fn every_solution_passes_and_every_exercise_as_shipped_fails() {
    let _turn = harness::one_at_a_time();
    assert_eq!(
        BUILT.map(|b| b.0),
        EXERCISES.map(|e| e.name),
        "one row each, in order"
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for (name, shipped, solution) in BUILT {
        let exercise = find(name).unwrap();
        if let Err(why) = (exercise.check)(Path::new(solution)) {
            panic!("{name}: the solution fails its check: {why}");
        }
        let Some(shipped) = shipped else { continue };
        let says = SHIPPED_SAYS.iter().find(|(n, _)| *n == name).unwrap().1;
        match (exercise.check)(Path::new(shipped)) {
            Ok(()) if name == "primes_rayon" && (cores < 2 || cfg!(not(unix))) => {} // one core: nothing to show
            Ok(()) => panic!("{name}: the exercise as shipped passes its check"),
            Err(why) => assert!(why.starts_with(says), "{name}: the check says {why:?}"),
        }
    }
}

/// `share_counter` as shipped is refused by the compiler, with the error that is its lesson.
#[test]
fn the_shared_counter_as_shipped_does_not_compile() {
    let _turn = harness::one_at_a_time();
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/exercises/04_share_counter.rs");
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
        .timeout(std::time::Duration::from_secs(120))
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
    let _turn = harness::one_at_a_time();
    let checker = env!("CARGO_BIN_EXE_exercises");
    let out = harness::bin(checker).arg("list").run();
    out.assert_success();
    for exercise in &EXERCISES {
        assert!(
            out.stdout.contains(exercise.name) && out.stdout.contains(exercise.file),
            "{out}"
        );
    }
    let out = harness::bin(checker).args(["hint", "deadlock_order"]).run();
    out.assert_success();
    assert!(
        out.stdout
            .starts_with("deadlock_order: if every thread takes lock A"),
        "{out}"
    );
    harness::bin(checker)
        .args(["check", "nothing"])
        .run()
        .assert_usage_error();
    harness::bin(checker)
        .args(["hint"])
        .run()
        .assert_usage_error();
    harness::bin(checker)
        .args(["list", "extra"])
        .run()
        .assert_usage_error();
    harness::assert_takes_help_and_refuses_unknown_options(checker);
}

/// Each exercise's file starts like an example's header: its section with the tutorial's
/// link, the example to read first, what to do, and one hint.
#[test]
fn every_exercise_file_has_its_header() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    for exercise in &EXERCISES {
        let text = std::fs::read_to_string(root.join(exercise.file)).unwrap();
        assert!(exercise.hint(root).is_some(), "{}: no hint", exercise.file);
        for part in [
            "//! # 练习 ",
            "//! Section: ",
            "https://www.liaoxuefeng.com/wiki/",
            "//! Read first: ",
            "//! To do: ",
            "//! Hint: ",
        ] {
            assert!(text.contains(part), "{}: no {part:?}", exercise.file);
        }
    }
}

/// No exercise, nor its solution, has the name of an example: two binaries of one name in a
/// workspace overwrite each other in `target/`, and a check would run the wrong one.
#[test]
fn no_exercise_is_named_like_an_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut examples = Vec::new();
    for package in std::fs::read_dir(root).unwrap().map(|e| e.unwrap().path()) {
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
    for exercise in &EXERCISES {
        for name in [
            exercise.name.to_string(),
            format!("{}_solution", exercise.name),
        ] {
            assert!(
                !examples.contains(&name),
                "{name} is also an example's name"
            );
        }
    }
}
