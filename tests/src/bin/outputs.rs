//! Runs every output that a header or the README shows, as a learner would (a release build,
//! the tutorial's sleeps unless the command scales them), and says which ones a fresh run no
//! longer matches; with `--write`, writes the fresh runs in their place. See `harness::expected`.
//!
//! `cargo run -p harness --bin outputs -- [--write] [NAME...]`

use harness::expected::{Block, in_header, in_readme, redact};
use std::io::Write;
use std::path::{Path, PathBuf};
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

/// Bad arguments: one line on stderr, exit status 2.
fn usage_error(why: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {why} (see --help)");
    ExitCode::from(2)
}

/// Writes `text` and a line break to stdout. A reader that has gone (`| head`) ends the run
/// quietly with status 141, as a Unix tool killed by SIGPIPE; any other failed write (a full
/// disk: `> /dev/full`) is one `error:` line and status 1. Never a panic.
fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}").and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(shared::process::STDOUT_CLOSED);
        }
        let _ = writeln!(std::io::stderr(), "error: cannot write to stdout: {e}");
        std::process::exit(1);
    }
}

fn main() -> ExitCode {
    let mut write = false;
    let mut names = Vec::new();
    for arg in std::env::args_os().skip(1) {
        let Some(arg) = arg.to_str() else {
            return usage_error(format!("{arg:?} is not valid text"));
        };
        match arg {
            "--help" | "-h" => {
                say(USAGE);
                return ExitCode::SUCCESS;
            }
            "--write" => write = true,
            "" => return usage_error("an empty name"),
            a if a.starts_with('-') => return usage_error(format!("unknown option {a}")),
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
        return usage_error(format!("no example is called {unknown}"));
    }
    let built = Command::new(env!("CARGO"))
        .args(["build", "--release", "--workspace", "--bins", "-q"])
        .current_dir(root)
        .status();
    if !built.is_ok_and(|s| s.success()) {
        eprintln!("error: cargo build --release failed");
        return ExitCode::FAILURE;
    }
    // Where that build put the programs (`CARGO_TARGET_DIR`, or a `build.target-dir` of a
    // config): what runs is what was just built, never an older build in `<root>/target`.
    let release = match target_dir(root) {
        Ok(dir) => dir.join("release"),
        Err(why) => {
            eprintln!("error: {why}");
            return ExitCode::FAILURE;
        }
    };
    let mut stale = 0;
    for binary in binaries {
        let name = &binary.name;
        if PAIRED.contains(&name.as_str()) || !(names.is_empty() || names.contains(name)) {
            continue;
        }
        let file = binary.path.strip_prefix(root).unwrap_or(&binary.path);
        let file = file.to_string_lossy().into_owned();
        let exe = release.join(name);
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
                    say(&format!("{block}: a fresh run prints\n{fresh}"));
                    stale += 1;
                    continue;
                }
                replace(&path, prefix, &block, &fresh);
                say(&format!("wrote {block}"));
            }
        }
    }
    if stale > 0 {
        say(&format!(
            "{stale} blocks differ from a fresh run: `--write` writes them"
        ));
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

/// The workspace's target directory, as cargo itself resolves it (`cargo metadata`).
fn target_dir(root: &Path) -> Result<PathBuf, String> {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(root)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    let json = String::from_utf8_lossy(&out.stdout);
    json_string(&json, "target_directory")
        .map(PathBuf::from)
        .ok_or_else(|| "cargo metadata did not say where the target directory is".to_string())
}

/// The string value of the first `"key":` in `json` (cargo's metadata: no serde for one field).
fn json_string(json: &str, key: &str) -> Option<String> {
    let rest = &json[json.find(&format!("\"{key}\":"))? + key.len() + 3..];
    let mut chars = rest.trim_start().strip_prefix('"')?.chars();
    let mut value = String::new();
    loop {
        match chars.next()? {
            '"' => return Some(value),
            '\\' => match chars.next()? {
                'n' => value.push('\n'),
                't' => value.push('\t'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    value.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                c => value.push(c), // \" \\ \/
            },
            c => value.push(c),
        }
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What `block`'s command prints (stdout, or stderr for a block on stderr).
fn run(exe: &Path, block: &Block) -> Option<String> {
    let mut cmd = Command::new(exe);
    cmd.args(&block.args);
    for (key, value) in &block.env {
        cmd.env(key, value);
    }
    // On the workspace's runner: both pipes read on threads, so that a full one cannot stall
    // the run; a run past 10 minutes is killed with all it started, not left behind.
    let options = shared::process::Options::new(Duration::from_secs(600));
    let mut child = shared::process::Spawned::spawn(&mut cmd, options).ok()?;
    child.run_to_end()?;
    // What is left in the pipes, to their end.
    child.pump(child.deadline, false);
    let (stdout, stderr) = (
        std::mem::take(&mut child.stdout),
        std::mem::take(&mut child.stderr),
    );
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
