//! # subprocess: run another program, talk to it through pipes
//!
//! Tutorial: 多进程 · 子进程 (Multiprocessing: subprocesses), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017628290184064>
//! Book: `book/src/multiprocessing.md`, built as `book/book/multiprocessing.html`; 中文版 `book/book/zh-CN/multiprocessing.html`
//!
//! Python sample: [do_subprocess.py](https://github.com/michaelliao/learn-python3/blob/master/samples/multitask/do_subprocess.py)
//!
//! ```text
//! cargo run -p examples-process --bin subprocess
//! ```
//!
//! Output:
//!
//! ```text
//! $ subprocess calc 1 + 2
//! 1 + 2 = 3
//! Exit code: 0
//! $ subprocess calc
//! 6 * 7 = 42
//! 1 / 0: cannot divide by zero
//! Exit code: 1
//! ```
//!
//! What to notice: in the first part the child shares our terminal: its output goes straight
//! there, and we only learn its exit code (`subprocess.call`). In the second part the child's
//! stdin, stdout and stderr are pipes: we write its input, close stdin so that it sees the end,
//! and read everything it wrote and its exit code (`Popen(...).communicate(input)`). The sample
//! prints only the child's stdout; this prints its stderr too, where `1 / 0` is answered.
//!
//! What Rust does differently: `std::process::Command` does both: `status()` is `call`;
//! `spawn()` with `Stdio::piped()`, a write to stdin, then `wait_with_output()` is
//! `communicate`. The sample runs `nslookup`, which needs the network; the child here is this
//! program as a small calculator that works the way `nslookup` does: one question as arguments,
//! or one a line on stdin until `exit` (it is in this package's `src/lib.rs`).
//!
//! Try: run `nslookup` as the sample does (online, with nslookup installed): the first child
//! `Command::new("nslookup").arg("www.python.org")`, the second `Command::new("nslookup")` with
//! `b"set q=mx\npython.org\nexit\n"` as its input (and its `println!("$ nslookup")` label): you
//! see the sample's answers. Without nslookup: `error: cannot start the child: No such file or
//! directory (os error 2)`.

use shared::process::exit_code;
use shared::{Context, OrExit};
use std::io::Write;
use std::process::Stdio;

const USAGE: &str = "\
usage: subprocess

Runs a child process twice: once sharing our terminal (call), once through pipes (communicate).
The child is this program as a calculator: `subprocess calc 1 + 2`, or `subprocess calc` and
one sum a line on stdin until `exit`.";

fn main() {
    // This program as the child: `subprocess calc [SUM]` (see `USAGE`).
    examples_process::calculator_if_asked(USAGE);
    shared::start(USAGE).no_options();

    println!("$ subprocess calc 1 + 2");
    let r = shared::this_program()
        .args(["calc", "1", "+", "2"])
        .status()
        .context("cannot start the child")
        .or_exit();
    println!("Exit code: {}", exit_code(r));

    println!("$ subprocess calc");
    let mut p = shared::this_program()
        .arg("calc")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot start the child")
        .or_exit();
    // communicate(b'...'): the input is written from a thread, as Python does, so that a child
    // that answers before it has read everything cannot fill its stdout pipe and wait for us ...
    let input = b"6 * 7\n1 / 0\nexit\n";
    let mut stdin = p.stdin.take().expect("stdin is piped");
    let writer = std::thread::spawn(move || stdin.write_all(input)); // stdin closes at its end
    // ... while we read its stdout and stderr to the end and wait for it.
    let output = p
        .wait_with_output()
        .context("cannot wait for the child")
        .or_exit();
    let written = writer.join().expect("a write does not panic");
    written.context("cannot write to the child").or_exit();
    print!("{}", String::from_utf8_lossy(&output.stdout)); // print(output.decode('utf-8'))
    print!("{}", String::from_utf8_lossy(&output.stderr)); // (the sample prints stdout only)
    println!("Exit code: {}", exit_code(output.status));
}
