//! Wrong: the child's stdin is closed before the text is written: the child answers nothing.
//! Says: other than the child's answer

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
    drop(child.stdin.take()); // closed too early
    let mut stdin = std::io::sink();
    let mut text = Vec::new();
    std::io::stdin().read_to_end(&mut text).or_exit();
    stdin.write_all(&text).or_exit();
    let output = child.wait_with_output().or_exit();
    println!("{}", String::from_utf8_lossy(&output.stdout).trim_end());
}
