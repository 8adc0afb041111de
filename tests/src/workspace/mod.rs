//! Checks over the whole workspace, as functions of a workspace folder so that they can be tried
//! on a made-up workspace too: every binary of every examples package has a `//!` header that
//! names its tutorial section and Python sample and has every section of [`HEADER_SECTIONS`]
//! ([`headers`]), a README row that links to its source, with its `cargo run` command and the
//! same Python sample, in README.md and README.zh-CN.md ([`readme`]), figures that its header's
//! output shows ([`figures`]), and a test file named after it that runs it, its shared checks
//! run from the harness's table ([`crate::every_binary`]).

pub mod figures;
pub mod headers;
pub mod readme;

pub use figures::figure_problems;
pub use headers::{HEADER_SECTIONS, PYTHON_SAMPLES, TUTORIAL_PAGES, header_problems};

use std::fs;
use std::path::{Path, PathBuf};

/// One binary of an examples package.
#[derive(Debug)]
pub struct Binary {
    pub package: String,
    pub name: String,
    pub path: PathBuf,
}

/// Every `examples-*/src/bin/*.rs` below `root`, sorted.
pub fn binaries(root: &Path) -> Vec<Binary> {
    let mut found = Vec::new();
    for package in read_dir_sorted(root) {
        let package_name = file_name(&package);
        if !package_name.starts_with("examples-") {
            continue;
        }
        for file in read_dir_sorted(&package.join("src/bin")) {
            if file.extension().is_some_and(|e| e == "rs") {
                found.push(Binary {
                    package: package_name.clone(),
                    name: file.file_stem().unwrap().to_string_lossy().into_owned(),
                    path: file,
                });
            }
        }
    }
    found
}

fn read_dir_sorted(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    entries.sort();
    entries
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

fn manifest_of(root: &Path, package: &str) -> String {
    fs::read_to_string(root.join(package).join("Cargo.toml")).unwrap_or_default()
}

/// Whether `manifest` has a `[[bin]]` named `name` with `test = false`.
fn bin_test_off(manifest: &str, name: &str) -> bool {
    manifest.split("[[bin]]").skip(1).any(|entry| {
        let entry = entry.split("\n[").next().unwrap_or_default();
        let lines: Vec<String> = entry.lines().map(|l| l.replace(' ', "")).collect();
        lines.contains(&format!("name=\"{name}\"")) && lines.iter().any(|l| l == "test=false")
    })
}

/// Every problem found in the workspace at `root`, one line each; empty when all is well.
pub fn workspace_problems(root: &Path) -> Vec<String> {
    let readme = fs::read_to_string(root.join("README.md")).unwrap_or_default();
    let mut problems = Vec::new();
    for binary in binaries(root) {
        let at = format!("{}/src/bin/{}.rs", binary.package, binary.name);
        let source = fs::read_to_string(&binary.path).unwrap_or_default();
        let (header, sample) = header_problems(&binary.name, &source);
        problems.extend(header.into_iter().map(|p| format!("{at}: {p}")));
        problems.extend(readme::row_problems(&readme, &binary, &sample));

        // A binary without unit tests would print an empty `running 0 tests` block for each
        // `cargo test`: its `[[bin]]` entry says `test = false`.
        if !source.contains("#[cfg(test)]")
            && !bin_test_off(&manifest_of(root, &binary.package), &binary.name)
        {
            problems.push(format!(
                "{at}: has no unit tests, so its [[bin]] in {}/Cargo.toml says `test = false`",
                binary.package
            ));
        }
        problems.extend(
            test_problems(root, &binary)
                .into_iter()
                .map(|p| format!("{at}: {p}")),
        );
    }
    problems.extend(readme::chinese_readme_problems(root, &readme));
    problems.extend(figure_problems(root, &readme));
    let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
    for package in read_dir_sorted(root) {
        let name = file_name(&package);
        if name.starts_with("examples-") && !manifest.contains(&format!("\"{name}\"")) {
            problems.push(format!("{name} is not a member of the workspace"));
        }
    }
    problems
}

/// Where a newcomer looks for the tests of `binary`: `<package>/tests/examples/<name>.rs`, a
/// module of the package's one test binary (`tests/examples/main.rs`) that runs it, and the
/// checks every binary shares, run for it by `harness::every_binary!` in that `main.rs`.
fn test_problems(root: &Path, binary: &Binary) -> Vec<String> {
    let mut problems = Vec::new();
    let dir = format!("{}/tests/examples", binary.package);
    let file = format!("{dir}/{}.rs", binary.name);
    let marker = format!("CARGO_BIN_EXE_{}\"", binary.name);
    match fs::read_to_string(root.join(&file)) {
        Err(_) => problems.push(format!("its tests belong in {file}, which is missing")),
        Ok(text) if !text.contains(&marker) => problems.push(format!(
            "{file} does not run it (env!(\"CARGO_BIN_EXE_{}\"))",
            binary.name
        )),
        Ok(_) => {}
    }
    let main = fs::read_to_string(root.join(&dir).join("main.rs")).unwrap_or_default();
    let module = format!("mod {};", binary.name);
    if !main.lines().any(|l| l.trim() == module) {
        problems.push(format!("{dir}/main.rs does not declare `{module}`"));
    }
    if !listed(&main, "every_binary!(").contains(&binary.name.as_str()) {
        problems.push(format!(
            "{dir}/main.rs does not run the checks every binary shares for it \
             (harness::every_binary!)"
        ));
    }
    problems
}

/// The names in the `<macro>(...)` lists of a file, up to a `;`: `listed(text, "every_binary!(")`.
fn listed<'t>(text: &'t str, call: &str) -> Vec<&'t str> {
    text.split(call)
        .skip(1)
        .filter_map(|after| after.split_once(')'))
        .map(|(list, _)| list.split(';').next().unwrap_or_default())
        .flat_map(|list| list.split(',').map(str::trim))
        .filter(|name| !name.is_empty())
        .collect()
}
