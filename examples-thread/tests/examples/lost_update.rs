//! Two threads that read, then write, one shared balance lose each other's changes; an atomic
//! read-modify-write (`fetch_add`) or a lock loses none. Safe Rust refuses the tutorial's code.

use crate::common::*;

const PATH: &str = env!("CARGO_BIN_EXE_lost_update");

/// The balance and the lost changes on the line that starts with `label`, checked against
/// the number of changes made.
fn balance_and_lost(out: &Output, label: &str, times: u64) -> (i64, u64) {
    let line = out
        .lines()
        .into_iter()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no line for {label:?}\n{out}"));
    let balance = value_after(line, "balance = ") as i64;
    let [lost, of] = numbers(line.split("lost = ").nth(1).expect("lost count"))[..] else {
        panic!("no `lost = X of Y` in {line:?}");
    };
    assert_eq!(of, 2 * times, "{line}");
    assert!(lost <= of, "{line}");
    (balance, lost)
}

fn run(times: u64) -> Output {
    let out = bin(PATH).args(["--times", &times.to_string()]).run();
    out.assert_success();
    assert_eq!(
        out.lines()[0],
        format!("Two threads run change_it(5) and change_it(8), {times} times each.")
    );
    out
}

#[test]
fn the_atomic_and_the_locked_versions_lose_nothing() {
    let out = run(200_000);
    assert_eq!(
        balance_and_lost(&out, "fetch_add (atomic)", 200_000),
        (0, 0)
    );
    assert_eq!(balance_and_lost(&out, "Mutex (lock)", 200_000), (0, 0));
}

/// On every run, on one core as on all of them, the racy row reports lost changes. (The
/// change counter only goes up, so its lost updates cannot cancel out, as a balance's can.)
#[test]
fn the_racy_version_loses_changes_on_every_run() {
    let times = 200_000;
    for one_core in [false, true] {
        for _ in 0..5 {
            let cmd = bin(PATH).args(["--times", &times.to_string()]);
            #[cfg(target_os = "linux")]
            let cmd = if one_core { cmd.on_one_core() } else { cmd };
            let out = cmd.run();
            out.assert_success();
            let (_, lost) = balance_and_lost(&out, "read, then write (racy)", times);
            assert!(lost > 0, "no change lost (one core: {one_core})\n{out}");
        }
    }
}

#[test]
fn refuses_bad_counts() {
    assert_refused(
        PATH,
        &[
            &["--times", "0"],
            &["--times", "10000001"],
            &["--times", "99999999999"],
            &["--times", "18446744073709551615"],
            &["--times", "many"],
            &["--times"],
        ],
    );
}

/// The compiler error that `lost_update`'s header and the README quote.
const UNSYNCHRONISED_ERROR: &str =
    "error[E0499]: cannot borrow `balance` as mutable more than once at a time";

#[test]
fn the_unsynchronised_tutorial_code_does_not_compile() {
    let source = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/compile_fail/lost_update.rs"
    );
    // The rustc beside the cargo that builds these tests, so that rustup picks the same toolchain.
    let rustc = std::path::Path::new(env!("CARGO")).with_file_name("rustc");
    let rustc = if rustc.exists() {
        rustc
    } else {
        "rustc".into()
    };
    let target = std::env::temp_dir().join(format!("lost_update_{}", std::process::id()));
    let out = bin(rustc)
        .args([
            "--edition",
            "2024",
            "--crate-type",
            "bin",
            "--emit",
            "metadata",
        ])
        .arg("--out-dir")
        .arg(&target)
        .arg(source)
        .timeout(Duration::from_secs(120))
        .run();
    let _ = std::fs::remove_dir_all(&target);
    assert!(!out.status.success(), "it compiled:\n{out}");
    assert!(out.stderr.contains(UNSYNCHRONISED_ERROR), "{out}");
    let readme = include_str!("../../../README.md");
    assert!(
        readme.contains(UNSYNCHRONISED_ERROR),
        "the README must quote the compiler's error"
    );
    let header = include_str!("../../src/bin/lost_update.rs");
    assert!(header.contains(UNSYNCHRONISED_ERROR));
}

/// When the system refuses a thread (`ulimit -u`): one `error:` line, never a panic or a hang.
#[cfg(target_os = "linux")]
#[test]
fn a_thread_the_system_refuses_is_one_error_line() {
    a_refused_thread_is_one_error_line(env!("CARGO_BIN_EXE_lost_update"), &["--times", "10"], 2);
}
