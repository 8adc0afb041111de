//! # subprocess: run another program, talk to it through pipes
//!
//! Tutorial: 多进程 · 子进程 (Multiprocessing: subprocesses), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017628290184064>
//!
//! Python sample: [do_subprocess.py](https://github.com/michaelliao/learn-python3/blob/master/samples/multitask/do_subprocess.py)
//!
//! ```text
//! cargo run -p examples-process --bin subprocess
//! cargo run -p examples-process --bin subprocess -- \
//!     --call "nslookup www.python.org" --communicate nslookup --input 'set q=mx\npython.org\nexit\n'
//! ```
//!
//! Output:
//!
//! ```text
//! $ cargo --version
//! cargo 1.95.0 (f2d3ce0bd 2026-03-21)
//! Exit code: 0
//! $ subprocess --calculator
//! 1 + 2 = 3
//! 6 * 7 = 42
//! [stderr] cannot compute "2 ^ 10": use + - * /
//! Exit code: 1
//! ```
//!
//! What to notice: in the first part the child shares our terminal: its output goes straight
//! there, and we only learn its exit code (`subprocess.call`). In the second part the child's
//! stdin, stdout and stderr are pipes: we write its input, close stdin so it sees the end, and
//! read everything it wrote (`Popen(...).communicate(input)`), and its exit code.
//!
//! What Rust does differently: `std::process::Command` does both: `status()` is `call`,
//! `spawn()` with `Stdio::piped()` then `wait_with_output()` is `communicate`; the input is
//! written from a thread, so a child that writes a lot before reading cannot deadlock us.
//! The Python sample runs `nslookup`, which needs the network and is often not installed, so by
//! default part 1 runs `cargo --version` (you have cargo) and part 2 runs this program as a tiny
//! calculator that reads sums on stdin. Pass your own commands with `--call` and `--communicate`
//! (split at spaces; `\n` in `--input` is a newline). A command that cannot start gets one error
//! line and exit status 1.

use std::io::{BufRead, Write};
use std::process::{Command, ExitCode, Stdio};

const USAGE: &str = "\
usage: subprocess [--call CMD] [--communicate CMD] [--input TEXT]

Part 1 runs CMD (default \"cargo --version\") and prints its exit code.
Part 2 starts CMD (default: this program as a small calculator) with pipes, writes TEXT to its
stdin (\\n is a newline), and prints its output and exit code.
Commands are split at spaces. (--calculator is how part 2's default child is started.)";

const CALCULATOR_INPUT: &str = "1 + 2\n6 * 7\n2 ^ 10\nexit\n";

/// Part 2's default child: computes `a op b` lines from stdin until `exit`; exit code 1 if a
/// line could not be computed.
fn calculator() -> ExitCode {
    let mut failed = false;
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let result = match words[..] {
            ["exit"] => break,
            [a, op, b] => match (a.parse::<i64>(), b.parse::<i64>()) {
                (Ok(a), Ok(b)) => match op {
                    "+" => a.checked_add(b),
                    "-" => a.checked_sub(b),
                    "*" => a.checked_mul(b),
                    "/" => a.checked_div(b),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        match result {
            Some(value) => println!("{line} = {value}"),
            None => {
                eprintln!("cannot compute {line:?}: use + - * /");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// A command from words split at spaces; `None` means this program in its calculator role.
fn command(words: &Option<String>) -> (Command, String) {
    match words {
        Some(line) => {
            let mut parts = line.split_whitespace();
            let program = parts.next().unwrap_or_default();
            let mut command = Command::new(program);
            command.args(parts);
            (command, line.clone())
        }
        None => {
            let mut command = shared::this_program();
            command.arg("--calculator");
            (command, "subprocess --calculator".to_string())
        }
    }
}

fn run(call: &str, communicate: &Option<String>, input: &str) -> Result<(), String> {
    // Part 1: subprocess.call(...): the child writes straight to our stdout.
    let (mut first, shown) = command(&Some(call.to_string()));
    println!("$ {shown}");
    std::io::stdout().flush().map_err(|e| e.to_string())?;
    let status = first
        .status()
        .map_err(|e| format!("cannot run `{shown}`: {e}"))?;
    println!("Exit code: {}", exit_code(status));

    // Part 2: Popen(..., stdin=PIPE, stdout=PIPE, stderr=PIPE).communicate(input)
    let (mut second, shown) = command(communicate);
    println!("$ {shown}");
    let mut child = second
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `{shown}`: {e}"))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = input.to_string();
    // Write from a thread while we read: a child that fills its stdout pipe before reading all its
    // input would otherwise wait for us while we wait for it. Dropping `stdin` closes the pipe.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("waiting for `{shown}`: {e}"))?;
    // A child that exits without reading all its input is not our error.
    let _ = writer.join();
    print!("{}", String::from_utf8_lossy(&output.stdout));
    for line in String::from_utf8_lossy(&output.stderr).lines() {
        println!("[stderr] {line}");
    }
    println!("Exit code: {}", exit_code(output.status));
    Ok(())
}

/// The exit code, or how the child died if a signal killed it.
fn exit_code(status: std::process::ExitStatus) -> String {
    match status.code() {
        Some(code) => code.to_string(),
        None => status.to_string(),
    }
}

fn main() -> ExitCode {
    let mut call = "cargo --version".to_string();
    let mut communicate = None;
    let mut input = None;
    let mut calculator_role = false;
    let mut args = shared::start(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Long("call") => call = args.value(),
            shared::Arg::Long("communicate") => communicate = Some(args.value()),
            shared::Arg::Long("input") => input = Some(args.value::<String>()),
            shared::Arg::Long("calculator") => calculator_role = true,
            other => shared::unexpected(other),
        }
    }
    if calculator_role {
        return calculator();
    }
    for words in std::iter::once(&call).chain(&communicate) {
        if words.split_whitespace().next().is_none() {
            shared::exit_usage("a command cannot be empty");
        }
    }
    let input = match input {
        Some(text) => text.replace("\\n", "\n"),
        None if communicate.is_none() => CALCULATOR_INPUT.to_string(),
        None => String::new(),
    };
    shared::cli::finish(run(&call, &communicate, &input))
}
