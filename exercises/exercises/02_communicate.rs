//! # 练习 2 · communicate: a child that reads its input to the end
//!
//! Section: 多进程 · 子进程 (Subprocesses), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017628290184064>
//!
//! Read first: `examples-process/src/bin/subprocess.rs`.
//!
//! To do: the child (this program again, `--child upper`) reads all its input, then prints it
//! in capitals. The parent writes its input and waits for the answer, and waits for ever. Make
//! it end, as Python's `communicate()` does.
//!
//! Hint: the child reads until its input ends; when does its stdin end?

use shared::{Context, OrExit};
use std::io::{Read, Write};
use std::process::Stdio;

/// The child: all of stdin, in capitals.
fn upper() -> shared::Result {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    print!("{}", input.to_uppercase());
    Ok(())
}

fn main() {
    shared::run_if_child(|role| match role {
        "upper" => upper(),
        other => shared::exit_usage(format!("unknown child role {other:?}")),
    });
    shared::start(
        "usage: communicate\n\nA child process reads its input and answers it in capitals.",
    )
    .no_options();
    let mut child = shared::this_program()
        .args(["--child", "upper"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start the child")
        .or_exit();
    let mut stdin = child.stdin.take().expect("piped");
    stdin.write_all(b"hello, child\n").or_exit();
    let output = child.wait_with_output().or_exit();
    println!("{}", String::from_utf8_lossy(&output.stdout).trim_end());
    drop(stdin);
}
