//! The checks every example binary shares, written once and run for every binary from one
//! table, [`TABLE`]:
//!
//! - `--help` prints its usage and exits 0; an option it does not know, or (for a binary that
//!   takes no operands) a stray argument, is a usage error: one `error:` line, exit status 2;
//! - a bad `TUTORIAL_TIME_SCALE` is a usage error that names it, with nothing on stdout; a
//!   missing or empty `--trace` file name is a usage error, for the programs whose help offers it;
//! - (Unix) a stdout closed before it starts (its reader gone, as `| head` leaves it) ends it
//!   quietly: exit status 141, as a shell reports a death by SIGPIPE, and nothing on stderr but
//!   a debug build's note;
//! - every output its `//!` header and the README show is what a fresh run prints (what varies
//!   redacted, [`crate::expected`]), or, for a binary shown running beside a partner (a server
//!   and its client), the file named in its row checks them; the runs beside Python
//!   (`--vs-python`: Python's standard library at scale) are tier 2 (`#[ignore]`, run by
//!   `cargo test --workspace -- --ignored`), for the binaries listed after `; beside_python:`;
//! - (not Unix) a Unix-only binary says so in one line and exits 1.
//!
//! Each examples package runs them for its binaries from its `tests/examples/main.rs`:
//!
//! ```text
//! harness::every_binary!(lock, deadlock, ..., cpu_bound; beside_python: cpu_bound);
//! ```
//!
//! which makes `every_binary::<name>::refusals` and `every_binary::<name>::header_outputs` for
//! each (so `cargo test -p examples-thread multi_threading` runs them beside its own tests),
//! `every_binary::beside_python::<name>` (tier 2) for those after `beside_python:`, and
//! `every_binary::the_list_is_the_tables`: the lists name exactly the table's rows of that
//! package. The workspace check (`tests/tests/workspace.rs`, [`table_problems`]) makes sure
//! that the table has a row for every binary of the workspace.

use crate::bin;
use std::path::PathBuf;

/// How the outputs that a binary's header shows are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Header {
    /// Each output block's command is run alone and its output compared.
    Own,
    /// It runs beside a partner (a server and its client): this file of its package (under
    /// `tests/examples/`) runs the pair and checks the outputs of its header and the README.
    WithPartner(&'static str),
}

/// One binary of an examples package, and what its shared checks need to know.
#[derive(Debug)]
pub struct Row {
    pub package: &'static str,
    pub name: &'static str,
    /// It takes operands (hosts, say): a stray argument is not refused as unknown.
    pub operands: bool,
    /// The arguments of the run whose stdout is closed: one that prints at once and, for a
    /// server, listens on a free port.
    pub closed_stdout_args: &'static [&'static str],
    /// Its header's runs measure CPU time or threads side by side: they take the machine to
    /// themselves ([`crate::one_at_a_time`]).
    pub alone: bool,
    /// `cfg(unix)` only; elsewhere its `main` says so.
    pub unix_only: bool,
    /// Its header or the README shows a run beside Python (`--vs-python`): Python's standard
    /// library at the header's scale, checked in tier 2.
    pub beside_python: bool,
    pub header: Header,
}

const fn row(package: &'static str, name: &'static str) -> Row {
    Row {
        package,
        name,
        operands: false,
        closed_stdout_args: &[],
        alone: false,
        unix_only: false,
        beside_python: false,
        header: Header::Own,
    }
}

const THREAD: &str = "examples-thread";
const PROCESS: &str = "examples-process";
const ASYNC: &str = "examples-async";
const IPC: &str = "examples-ipc";

/// Every binary of every examples package.
pub const TABLE: &[Row] = &[
    Row {
        alone: true,
        ..row(THREAD, "context_switch")
    },
    Row {
        alone: true,
        beside_python: true,
        ..row(THREAD, "cpu_bound")
    },
    row(THREAD, "deadlock"),
    row(THREAD, "lock"),
    Row {
        alone: true,
        ..row(THREAD, "lost_update")
    },
    row(THREAD, "master_worker"),
    row(THREAD, "multi_threading"),
    Row {
        alone: true,
        beside_python: true,
        ..row(THREAD, "multicore")
    },
    row(THREAD, "threadlocal"),
    row(PROCESS, "crash_isolation"),
    Row {
        unix_only: true,
        ..row(PROCESS, "fork")
    },
    row(PROCESS, "multi_processing"),
    row(PROCESS, "pooled_processing"),
    row(PROCESS, "spawn_cost"),
    row(PROCESS, "subprocess"),
    Row {
        closed_stdout_args: &["--addr", "127.0.0.1:0"],
        header: Header::WithPartner("async_wget.rs"),
        ..row(ASYNC, "aio_web")
    },
    row(ASYNC, "async_hello"),
    Row {
        operands: true,
        header: Header::WithPartner("async_wget.rs"),
        ..row(ASYNC, "async_wget")
    },
    row(ASYNC, "coroutine"),
    row(ASYNC, "io_bound"),
    row(IPC, "pipe"),
    row(IPC, "queue"),
    Row {
        beside_python: true,
        ..row(IPC, "queue_bench")
    },
    Row {
        closed_stdout_args: &["--addr", "127.0.0.1:0"],
        header: Header::WithPartner("task_master.rs"),
        ..row(IPC, "task_master")
    },
    Row {
        header: Header::WithPartner("task_master.rs"),
        ..row(IPC, "task_worker")
    },
];

/// The row of binary `name` of `package`; fails the test if the table has none.
pub fn row_of(package: &str, name: &str) -> &'static Row {
    TABLE
        .iter()
        .find(|r| r.package == package && r.name == name)
        .unwrap_or_else(|| {
            panic!("harness::every_binary::TABLE has no row for {package}'s {name}: add one")
        })
}

/// The folder of the workspace.
pub fn root() -> PathBuf {
    let harness = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    harness.parent().expect("the workspace").to_path_buf()
}

/// Fails unless `listed` (the `every_binary!` list of `package`) names exactly the table's
/// binaries of `package`, and `beside_python` (its list after `; beside_python:`) those of them
/// whose rows say [`Row::beside_python`].
pub fn assert_listed(package: &str, listed: &[&str], beside_python: &[&str]) {
    fn sorted<'a>(names: &[&'a str]) -> Vec<&'a str> {
        let mut names = names.to_vec();
        names.sort_unstable();
        names
    }
    let rows: Vec<&Row> = TABLE.iter().filter(|r| r.package == package).collect();
    let names: Vec<&str> = rows.iter().map(|r| r.name).collect();
    assert_eq!(
        sorted(listed),
        sorted(&names),
        "{package}'s harness::every_binary! list is not the table's rows of {package}"
    );
    let python: Vec<&str> = rows
        .iter()
        .filter(|r| r.beside_python)
        .map(|r| r.name)
        .collect();
    assert_eq!(
        sorted(beside_python),
        sorted(&python),
        "{package}'s `beside_python:` list is not the table's rows of {package} that say so"
    );
}

/// The values of `TUTORIAL_TIME_SCALE` that every binary refuses.
pub const BAD_TIME_SCALES: [&str; 5] = ["fast", "-1", "NaN", "1e9", ""];

/// What is wrong with [`TABLE`] for the workspace at `root`: a binary without a row, a row
/// without a binary, a binary shown beside a partner whose outputs the README shows and the
/// partner's file does not check (`in_readme`).
pub fn table_problems(root: &std::path::Path) -> Vec<String> {
    let binaries = crate::workspace::binaries(root);
    let mut problems = Vec::new();
    for b in &binaries {
        if !TABLE
            .iter()
            .any(|r| r.package == b.package && r.name == b.name)
        {
            problems.push(format!(
                "{}'s {}: no row in every_binary::TABLE",
                b.package, b.name
            ));
        }
    }
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap_or_default();
    for row in TABLE {
        if !binaries
            .iter()
            .any(|b| b.package == row.package && b.name == row.name)
        {
            problems.push(format!(
                "every_binary::TABLE: {}'s {} is no binary",
                row.package, row.name
            ));
        }
        let Header::WithPartner(partner) = row.header else {
            continue;
        };
        let at = format!("{}/tests/examples/{partner}", row.package);
        let text = std::fs::read_to_string(root.join(&at)).unwrap_or_default();
        let shown = !crate::expected::in_readme(&readme, row.name).is_empty();
        if shown && !(text.contains("in_readme(") && text.contains(&format!("\"{}\"", row.name))) {
            problems.push(format!(
                "{at}: the README shows {}'s output, and this file does not check it (in_readme)",
                row.name
            ));
        }
    }
    problems
}

/// `--help`, an unknown option, a stray argument, a bad `TUTORIAL_TIME_SCALE` and a closed
/// stdout, for the binary `name` of `package` at `exe`.
pub fn refusals(package: &str, name: &str, exe: &str) {
    let row = row_of(package, name);
    if row.unix_only && cfg!(not(unix)) {
        let out = bin(exe).run();
        out.assert_code(1);
        assert!(
            out.stderr
                .starts_with("error: this example runs only on Unix"),
            "{out}"
        );
        return;
    }
    crate::assert_takes_help_and_refuses_unknown_options(exe);
    if !row.operands {
        let out = bin(exe).arg("extra").run();
        out.assert_usage_error();
        assert!(out.stdout.is_empty(), "{out}");
    }
    // A program that takes `--trace FILE` (its help says so) refuses a missing or empty name.
    if bin(exe).arg("--help").run().stdout.contains("--trace") {
        for bad in [&["--trace", ""][..], &["--trace="], &["--trace"]] {
            let out = bin(exe).args(bad).run();
            out.assert_usage_error();
            assert!(out.stderr.contains("--trace"), "{bad:?}\n{out}");
        }
    }
    for bad in BAD_TIME_SCALES {
        let out = bin(exe).env(crate::TIME_SCALE_VAR, bad).run();
        out.assert_usage_error();
        assert!(out.stderr.contains("TUTORIAL_TIME_SCALE"), "{bad:?}\n{out}");
        assert!(out.stdout.is_empty(), "{bad:?}\n{out}");
    }
    #[cfg(unix)]
    {
        let (status, stderr) = run_with_closed_stdout(exe, row.closed_stdout_args);
        let said: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.starts_with("note: this is a debug build"))
            .collect();
        assert_eq!(
            (status.code(), said),
            (Some(141), vec![]),
            "{name} with its stdout closed: not a quiet end as by SIGPIPE ({status})\n{stderr}"
        );
    }
}

/// The outputs that the header of `name` of `package` (at `exe`) and the README show, checked
/// against fresh runs; for a binary shown beside a partner, that the partner's file checks them.
pub fn header_outputs(package: &str, name: &str, exe: &str) {
    let row = row_of(package, name);
    if row.unix_only && cfg!(not(unix)) {
        return; // `refusals` checks that it says it runs only on Unix
    }
    let root = root();
    let file = format!("{package}/src/bin/{name}.rs");
    match row.header {
        Header::Own => {
            let _alone = row.alone.then(crate::one_at_a_time);
            let (here, beside_python) = shown_blocks(&root, &file, name);
            assert_eq!(
                row.beside_python,
                !beside_python.is_empty(),
                "{file}: whether it shows runs beside Python (--vs-python, tier 2) and its row's \
                 `beside_python` (and its package's `every_binary!(...; beside_python: ...)`) differ"
            );
            crate::expected::run_and_check(exe, here);
        }
        Header::WithPartner(partner) => {
            let at = format!("{package}/tests/examples/{partner}");
            let text = std::fs::read_to_string(root.join(&at)).unwrap_or_default();
            let include = format!("include_str!(\"../../src/bin/{name}.rs\")");
            assert!(
                text.contains(&include),
                "{at} must check {name}'s header outputs beside its partner ({include})"
            );
        }
    }
}

/// Tier 2: the outputs of the runs beside Python (`--vs-python`) that the header of `name` of
/// `package` (at `exe`) and the README show: Python's standard library at the header's scale
/// (two million messages through `multiprocessing.Queue`, seconds of CPU time), checked against
/// fresh runs.
pub fn header_outputs_beside_python(package: &str, name: &str, exe: &str) {
    let row = row_of(package, name);
    let file = format!("{package}/src/bin/{name}.rs");
    let (_, beside_python) = shown_blocks(&root(), &file, name);
    assert!(
        row.beside_python && !beside_python.is_empty(),
        "{file}: shows no run beside Python"
    );
    let _alone = row.alone.then(crate::one_at_a_time);
    crate::expected::run_and_check(exe, beside_python);
}

/// The output blocks of the header of `name` (its source `file`) and of the README: those of
/// tier 1, then those of runs beside Python (`--vs-python`, tier 2). Fails if the header shows
/// no output at all.
fn shown_blocks(
    root: &std::path::Path,
    file: &str,
    name: &str,
) -> (Vec<crate::expected::Block>, Vec<crate::expected::Block>) {
    let source = std::fs::read_to_string(root.join(file)).expect("its source");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let header = crate::expected::in_header(file, name, &source);
    assert!(
        !header.is_empty(),
        "{file}: its header shows no output block"
    );
    header
        .into_iter()
        .chain(crate::expected::in_readme(&readme, name))
        .partition(|block| !block.args.iter().any(|a| a == "--vs-python"))
}

/// Runs `exe` with its stdout a pipe whose reader has already gone, as in `| head -0`, so that
/// its first write fails, every time. Returns how it ended and what it wrote on stderr (read to
/// its end: every process holding it has ended).
#[cfg(unix)]
pub fn run_with_closed_stdout(exe: &str, args: &[&str]) -> (std::process::ExitStatus, String) {
    let (read_end, write_end) = nix::unistd::pipe().expect("pipe");
    drop(read_end);
    let out = crate::run::bin(exe)
        .args(args)
        .stdout_to(std::process::Stdio::from(write_end))
        .timeout(std::time::Duration::from_secs(40))
        .run();
    (out.status, out.stderr)
}

/// The shared checks for the named binaries of the calling package, in its
/// `tests/examples/main.rs`: `harness::every_binary!(lock, deadlock)`. See the module's doc.
#[macro_export]
macro_rules! every_binary {
    ($($name:ident),+ $(,)?) => {
        $crate::every_binary!(@checks [$($name),+] []);
    };
    ($($name:ident),+ ; beside_python: $($python:ident),+ $(,)?) => {
        $crate::every_binary!(@checks [$($name),+] [$($python),+]);
    };
    (@checks [$($name:ident),+] [$($python:ident),*]) => {
        /// The checks every binary shares, from the harness's table (`harness::every_binary`).
        mod every_binary {
            #[test]
            fn the_list_is_the_tables() {
                $crate::every_binary::assert_listed(
                    env!("CARGO_PKG_NAME"),
                    &[$(stringify!($name)),+],
                    &[$(stringify!($python)),*],
                );
            }

            $(
                mod $name {
                    const EXE: &str = env!(concat!("CARGO_BIN_EXE_", stringify!($name)));

                    #[test]
                    fn refusals() {
                        $crate::every_binary::refusals(
                            env!("CARGO_PKG_NAME"),
                            stringify!($name),
                            EXE,
                        );
                    }

                    #[test]
                    fn header_outputs() {
                        $crate::every_binary::header_outputs(
                            env!("CARGO_PKG_NAME"),
                            stringify!($name),
                            EXE,
                        );
                    }
                }
            )+

            /// Tier 2: the outputs of the runs beside Python that headers show.
            mod beside_python {
                $(
                    #[test]
                    #[ignore = "tier 2: Python's stdlib at scale (a header's --vs-python outputs)"]
                    fn $python() {
                        $crate::every_binary::header_outputs_beside_python(
                            env!("CARGO_PKG_NAME"),
                            stringify!($python),
                            env!(concat!("CARGO_BIN_EXE_", stringify!($python))),
                        );
                    }
                )*
            }
        }
    };
}
