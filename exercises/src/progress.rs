//! A learner's exercise: built (with the compiler's message when it does not compile), and
//! what is done, kept in `exercises/.progress` (not in git): a name and a digest of the file
//! that passed. A file that changed since (a `git checkout`, a `reset`) is not done.

use crate::lang::Lang;
use crate::{Exercise, root, say};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The digests of the files that passed, by name.
pub fn progress_file() -> PathBuf {
    root().join("exercises/.progress")
}

/// FNV-1a of the file's bytes: enough to notice that a file changed.
pub fn digest(exercise: &Exercise) -> Option<String> {
    let bytes = std::fs::read(root().join(exercise.file())).ok()?;
    let hash = bytes.iter().fold(0xcbf29ce484222325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    });
    Some(format!("{hash:016x}"))
}

pub fn passed() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(progress_file()).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(n, d)| (n.to_string(), d.to_string()))
        .collect()
}

/// Done: it passed, and its file is the one that passed.
pub fn is_done(exercise: &Exercise, passed: &BTreeMap<String, String>) -> bool {
    passed
        .get(exercise.name)
        .is_some_and(|d| Some(d) == digest(exercise).as_ref())
}

pub fn mark(exercise: &Exercise, solved: bool) {
    let mut names = passed();
    match (solved, digest(exercise)) {
        (true, Some(d)) => _ = names.insert(exercise.name.to_string(), d),
        _ => _ = names.remove(exercise.name),
    }
    let text: String = names.iter().map(|(n, d)| format!("{n} {d}\n")).collect();
    let _ = std::fs::write(progress_file(), text);
}

/// For the checker's own tests: the executable to check instead of the learner's build.
pub const CHECK_EXE: &str = "EXERCISES_CHECK_EXE";

/// Builds the exercise; its executable, or what the compiler said.
pub fn build(exercise: &Exercise, lang: Lang) -> Result<PathBuf, String> {
    if let Some(exe) = std::env::var_os(CHECK_EXE) {
        return Ok(exe.into());
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    if !root().join(exercise.file()).exists() {
        let (file, name) = (exercise.file(), exercise.name);
        return Err(say!(
            lang,
            "{file} is missing (cargo run -p exercises -- reset {name})",
            "找不到 {file}（可用 cargo run -p exercises -- reset {name} 恢复）",
        ));
    }
    let out = Command::new(cargo)
        .current_dir(root())
        .args([
            "build",
            "-p",
            "exercises",
            "--features",
            "learner",
            "--bin",
            exercise.name,
        ])
        .args(["--message-format", "json-render-diagnostics"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| say!(lang, "cannot run cargo: {e}", "无法运行 cargo：{e}"))?;
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        eprint!("{said}");
        return Err(say!(
            lang,
            "it does not compile yet: the compiler says why above",
            "它还不能通过编译：编译器在上面说明了原因"
        ));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let target = format!("\"name\":\"{}\"", exercise.name);
    let executable = stdout
        .lines()
        .filter(|l| l.contains("\"reason\":\"compiler-artifact\"") && l.contains(&target))
        .find_map(|l| l.split("\"executable\":\"").nth(1)?.split('"').next())
        .map(|path| PathBuf::from(path.replace("\\\\", "\\")));
    executable.ok_or_else(|| {
        format!(
            "cargo built {} but named no executable\n{said}",
            exercise.name
        )
    })
}
