//! Runs every output that a header or the README shows, as a learner would (a release build,
//! the tutorial's sleeps unless the command scales them), and says which ones a fresh run no
//! longer matches; with `--write`, writes the fresh runs in their place. See `harness::expected`.
//!
//! `cargo run -p harness --bin outputs -- [--write] [NAME...]`

use harness::expected::{Block, in_header, in_readme, redact};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

const USAGE: &str = "\
usage: outputs [--write] [NAME...]

Runs the command of every output block in the examples' headers and the README (of the binaries
NAME..., or all), with a release build and the tutorial's sleeps, and reports each block that the
fresh run does not match once both are redacted. --write puts the fresh run in every block run.
Blocks of programs that need a partner (task_master, task_worker, async_wget, aio_web) are left alone.";

/// Programs whose shown runs need another program beside them: their tests run the pair.
const PAIRED: [&str; 4] = ["task_master", "task_worker", "async_wget", "aio_web"];

fn main() -> ExitCode {
    let mut write = false;
    let mut names = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "--write" => write = true,
            a if a.starts_with('-') => {
                eprintln!("error: unknown option {a} (see --help)");
                return ExitCode::from(2);
            }
            a => names.push(a.to_string()),
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace");
    let binaries = harness::workspace::binaries(root);
    if let Some(unknown) = names
        .iter()
        .find(|n| !binaries.iter().any(|b| &b.name == *n))
    {
        eprintln!("error: no example is called {unknown} (see --help)");
        return ExitCode::from(2);
    }
    let built = Command::new(env!("CARGO"))
        .args(["build", "--release", "--workspace", "--bins", "-q"])
        .current_dir(root)
        .status();
    if !built.is_ok_and(|s| s.success()) {
        eprintln!("error: cargo build --release failed");
        return ExitCode::FAILURE;
    }
    let mut stale = 0;
    for binary in binaries {
        let name = &binary.name;
        if PAIRED.contains(&name.as_str()) || !(names.is_empty() || names.contains(name)) {
            continue;
        }
        let file = binary.path.strip_prefix(root).unwrap_or(&binary.path);
        let file = file.to_string_lossy().into_owned();
        let exe = root.join("target/release").join(name);
        for (path, prefix, blocks) in [
            (
                binary.path.clone(),
                "//!",
                in_header(&file, name, &read(&binary.path)),
            ),
            (
                root.join("README.md"),
                "",
                in_readme(&read(&root.join("README.md")), name),
            ),
        ] {
            // From the last block up, so that the line numbers of the others hold.
            for block in blocks.into_iter().rev() {
                let Some(fresh) = run(&exe, &block) else {
                    eprintln!("{block}: no output within 10 minutes");
                    stale += 1;
                    continue;
                };
                if same(&fresh, &block) && !write {
                    continue;
                }
                if !write {
                    println!("{block}: a fresh run prints\n{fresh}");
                    stale += 1;
                    continue;
                }
                replace(&path, prefix, &block, &fresh);
                println!("wrote {block}");
            }
        }
    }
    if stale > 0 {
        println!("{stale} blocks differ from a fresh run: `--write` writes them");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Whether `fresh` matches `block` once both are redacted (as a set of lines where the block's
/// lines come in any order).
fn same(fresh: &str, block: &Block) -> bool {
    let lines = |text: &str| {
        let redacted = redact(text);
        let mut lines: Vec<String> = redacted.lines().map(String::from).collect();
        if block.unordered {
            lines.sort();
        }
        lines
    };
    lines(fresh) == lines(&block.text)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What `block`'s command prints (stdout, or stderr for a block on stderr).
fn run(exe: &Path, block: &Block) -> Option<String> {
    let mut cmd = Command::new(exe);
    cmd.args(&block.args).stdin(Stdio::null());
    for (key, value) in &block.env {
        cmd.env(key, value);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    // Both pipes read on threads, so that a full one cannot stall the run; a run past 10
    // minutes is killed, not left behind.
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = read(Box::new(child.stdout.take()?));
    let stderr = read(Box::new(child.stderr.take()?));
    let deadline = std::time::Instant::now() + Duration::from_secs(600);
    while child.try_wait().ok()?.is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let (stdout, stderr) = (stdout.join().ok()?, stderr.join().ok()?);
    let text = if block.stderr { stderr } else { stdout };
    let text = String::from_utf8_lossy(&text);
    Some(
        text.lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
            + "\n",
    )
}

/// Puts `fresh` in the place of `block`'s lines in the file at `path`, each line after `prefix`.
fn replace(path: &Path, prefix: &str, block: &Block, fresh: &str) {
    let text = read(path);
    let fence: usize = block
        .at
        .rsplit(':')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a line");
    let lines: Vec<&str> = text.lines().collect();
    let body_end = (fence..lines.len())
        .find(|&i| lines[i].trim_start_matches(prefix).trim() == "```")
        .expect("a closing fence");
    let mut out: Vec<String> = lines[..fence].iter().map(|l| l.to_string()).collect();
    for line in fresh.lines() {
        out.push(match (prefix, line.is_empty()) {
            ("", _) => line.to_string(),
            (p, true) => p.to_string(),
            (p, false) => format!("{p} {line}"),
        });
    }
    out.extend(lines[body_end..].iter().map(|l| l.to_string()));
    std::fs::write(path, out.join("\n") + "\n").expect("write");
}
