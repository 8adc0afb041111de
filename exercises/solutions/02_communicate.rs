//! # 练习 2 · communicate: 读到输入结束的子进程 · a child that reads its input to the end
//!
//! Section: 多进程 · 子进程 (Subprocesses), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017628290184064>
//!
//! Read first: `examples-process/src/bin/subprocess.rs`.
//!
//! 要做：子进程（还是这个程序，以 `--child upper` 启动）读完全部输入，再把它转成大写输出。父进程把
//! 自己的标准输入转交给子进程，然后等待子进程的回答，却永远等不到。让它
//! 像 Python 的 `communicate()` 那样结束。
//!
//! To do: the child (this program again, `--child upper`) reads all its input, then prints it in
//! capitals. The parent passes its own stdin on to the child, then waits for the answer, and waits
//! for ever. Make it end, as Python's `communicate()` does.
//!
//! 提示 1：子进程一直读到输入结束为止；它的标准输入什么时候结束？
//! Hint 1: the child reads until its input ends; when does its stdin end?
//!
//! 提示 2：管道的所有写端都关闭之后，读端才会读到结束：写完之后 `drop(stdin)`，再等待子进程。
//! Hint 2: a pipe ends for its reader once every write end is closed: `drop(stdin)` once written,
//! then wait for the child.

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
        "usage: communicate < TEXT\n\nA child process answers its stdin in capitals\n(try: echo hello | cargo run -p exercises -- run communicate).",
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
    let mut text = Vec::new();
    std::io::stdin().read_to_end(&mut text).or_exit();
    stdin.write_all(&text).or_exit();
    drop(stdin); // the child's input ends here: it can answer
    let output = child.wait_with_output().or_exit();
    println!("{}", String::from_utf8_lossy(&output.stdout).trim_end());
}
