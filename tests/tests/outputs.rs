//! The outputs tool (`cargo run -p harness --bin outputs`) as a user meets it: bad arguments are
//! one line and exit status 2, a closed or full stdout ends it without a panic. (What it runs is
//! what it built: it asks cargo where the target directory is; see `target_dir` in the tool.)

#![cfg(unix)]

use harness::bin;

const OUTPUTS: &str = env!("CARGO_BIN_EXE_outputs");

#[test]
fn bad_arguments_are_one_line_and_exit_2() {
    use std::os::unix::ffi::OsStrExt;
    let not_text = std::ffi::OsStr::from_bytes(b"\xff");
    let out = bin(OUTPUTS).arg(not_text).run();
    out.assert_code(2);
    assert_eq!(out.stderr.lines().count(), 1, "{out}");
    assert!(out.stderr.starts_with("error: "), "{out}");
    for bad in [
        "--help=3",
        "-hx",
        "--trace",
        "--write=1",
        "",
        "no_such_example",
    ] {
        let out = bin(OUTPUTS).args([bad, ""]).run();
        out.assert_code(2);
        assert_eq!(out.stdout, "", "{bad:?}: {out}");
        assert_eq!(out.stderr.lines().count(), 1, "{bad:?}: {out}");
        assert!(out.stderr.starts_with("error: "), "{bad:?}: {out}");
    }
    let help = bin(OUTPUTS).arg("--help").run();
    help.assert_success();
    assert!(help.stdout.starts_with("usage: outputs "), "{help}");
}

#[test]
fn a_closed_or_full_stdout_ends_it_without_a_panic() {
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = bin(OUTPUTS).arg("--help").stdout_to(full).run();
    out.assert_code(1);
    assert_eq!(out.stderr.lines().count(), 1, "{out}");
    assert!(
        out.stderr.starts_with("error: cannot write to stdout: "),
        "{out}"
    );
    let (read_end, write_end) = nix::unistd::pipe().unwrap();
    drop(read_end);
    let out = bin(OUTPUTS).arg("--help").stdout_to(write_end).run();
    out.assert_code(shared::process::STDOUT_CLOSED);
    assert_eq!(out.stderr, "", "{out}");
}
