//! The workspace-wide checks, on this workspace and on made-up ones that must fail them.

use harness::workspace::{binaries, workspace_problems};
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

#[test]
fn every_binary_has_its_header_readme_row_and_test() {
    let problems = workspace_problems(&root());
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// The harness's table of the checks every binary shares has a row for every binary, and no other.
#[test]
fn every_binary_has_its_row_in_the_shared_checks_table() {
    let problems = harness::every_binary::table_problems(&root());
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_workspace_has_binaries_to_check() {
    let found = binaries(&root());
    assert!(
        found
            .iter()
            .any(|b| b.package == "examples-thread" && b.name == "lock"),
        "found {found:?}"
    );
}

#[test]
fn ci_runs_the_test_command_of_the_readme() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let ci = fs::read_to_string(root().join(".ci/run")).unwrap();
    assert!(readme.contains("cargo test --workspace"));
    for step in [
        "cargo fmt --check",
        "cargo clippy --workspace --all-targets -- -D warnings",
        "cargo test --workspace",
        "cargo test --workspace -- --ignored",
    ] {
        assert!(ci.contains(step), ".ci/run does not run `{step}`");
    }
}

/// A made-up workspace with one binary, written to a fresh temporary folder.
struct Fake(PathBuf);

impl Fake {
    fn new(tag: &str, source: &str, readme: &str, test: &str) -> Fake {
        let dir =
            std::env::temp_dir().join(format!("workspace-check-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("examples-demo/src/bin")).unwrap();
        fs::create_dir_all(dir.join("examples-demo/tests/examples")).unwrap();
        fs::write(dir.join("Cargo.toml"), "members = [\"examples-demo\"]").unwrap();
        fs::write(
            dir.join("examples-demo/Cargo.toml"),
            "[[bin]]\nname = \"demo\"\ntest = false\n",
        )
        .unwrap();
        fs::write(dir.join("examples-demo/src/bin/demo.rs"), source).unwrap();
        fs::write(
            dir.join("README.md"),
            format!("{readme}\n[中文](README.zh-CN.md)\n"),
        )
        .unwrap();
        fs::write(
            dir.join("README.zh-CN.md"),
            format!("[English](README.md)\n{GOOD_ROW}"),
        )
        .unwrap();
        fs::write(dir.join("examples-demo/tests/examples/demo.rs"), test).unwrap();
        fs::write(dir.join("examples-demo/tests/examples/main.rs"), GOOD_MAIN).unwrap();
        Fake(dir)
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

const GOOD_HEADER: &str = "\
//! # demo
//!
//! Tutorial: 多线程, <https://www.liaoxuefeng.com/wiki/1016959663602400/1017629247922688>
//!
//! Python sample: [do_lock.py](https://github.com/michaelliao/learn-python3/blob/master/samples/multitask/do_lock.py)
//!
//! cargo run -p examples-demo --bin demo
//!
//! Output:
//!
//! ```text
//! 0
//! ```
//!
//! What to notice: it ends.
//!
//! What Rust does differently: nothing.
//!
//! Try: change nothing, watch nothing.
fn main() {}
";
const GOOD_ROW: &str = "| [demo](examples-demo/src/bin/demo.rs) | x | [do_lock.py](...) | `cargo run -p examples-demo --bin demo` | y |\n";
const GOOD_TEST: &str = "bin(env!(\"CARGO_BIN_EXE_demo\"));";
const GOOD_MAIN: &str =
    "mod other;\nmod demo;\n\nharness::every_binary!(other, demo; beside_python: other);\n";

#[test]
fn a_complete_made_up_workspace_passes() {
    let fake = Fake::new("good", GOOD_HEADER, GOOD_ROW, GOOD_TEST);
    assert_eq!(workspace_problems(&fake.0), Vec::<String>::new());
}

#[test]
fn a_binary_without_readme_row_fails() {
    let fake = Fake::new("norow", GOOD_HEADER, "# nothing here\n", GOOD_TEST);
    let problems = workspace_problems(&fake.0);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("README has no table row")),
        "{problems:?}"
    );
}

#[test]
fn a_binary_without_header_fails() {
    let fake = Fake::new("noheader", "fn main() {}\n", GOOD_ROW, GOOD_TEST);
    let problems = workspace_problems(&fake.0);
    assert!(
        problems.iter().any(|p| p.contains("no `//!` header")),
        "{problems:?}"
    );
}

#[test]
fn a_header_without_tutorial_or_sample_fails() {
    let source = GOOD_HEADER
        .replace("Tutorial:", "Chapter:")
        .replace("Python sample:", "Sample:");
    let fake = Fake::new("nosection", &source, GOOD_ROW, GOOD_TEST);
    let problems = workspace_problems(&fake.0);
    assert!(
        problems.iter().any(|p| p.contains("no `Tutorial:`")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("no `Python sample:`")),
        "{problems:?}"
    );
}

#[test]
fn a_readme_row_naming_another_sample_fails() {
    let row = GOOD_ROW.replace("do_lock.py", "do_queue.py");
    let fake = Fake::new("wrongsample", GOOD_HEADER, &row, GOOD_TEST);
    let problems = workspace_problems(&fake.0);
    assert!(
        problems.iter().any(|p| p.contains("should be do_lock.py")),
        "{problems:?}"
    );
}

#[test]
fn an_unknown_sample_or_page_fails() {
    let source = GOOD_HEADER
        .replace("do_lock.py)", "do_everything.py)")
        .replace("1017629247922688", "1");
    let fake = Fake::new("unknown", &source, GOOD_ROW, GOOD_TEST);
    let problems = workspace_problems(&fake.0);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("not a sample of the chapters")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("no page of the two chapters")),
        "{problems:?}"
    );
}

#[test]
fn an_untested_binary_fails() {
    let fake = Fake::new("untested", GOOD_HEADER, GOOD_ROW, "// nothing\n");
    let problems = workspace_problems(&fake.0);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("examples-demo/tests/examples/demo.rs does not run it")),
        "{problems:?}"
    );
    fs::remove_file(fake.0.join("examples-demo/tests/examples/demo.rs")).unwrap();
    let problems = workspace_problems(&fake.0);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("its tests belong in examples-demo/tests/examples/demo.rs")),
        "{problems:?}"
    );
}

#[test]
fn a_header_without_a_section_or_a_try_line_fails() {
    for section in harness::workspace::HEADER_SECTIONS {
        let source = GOOD_HEADER.replace(section, "Something:");
        let fake = Fake::new("nosection2", &source, GOOD_ROW, GOOD_TEST);
        let problems = workspace_problems(&fake.0);
        let wanted = format!("no `{section}` section");
        assert!(problems.iter().any(|p| p.contains(&wanted)), "{problems:?}");
    }
}

#[test]
fn a_readme_row_without_a_link_to_the_source_fails() {
    let row = GOOD_ROW.replace("(examples-demo/src/bin/demo.rs)", "(demo.rs)");
    let fake = Fake::new("nolink", GOOD_HEADER, &row, GOOD_TEST);
    let problems = workspace_problems(&fake.0);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("does not link to its source")),
        "{problems:?}"
    );
}

#[test]
fn a_binary_without_unit_tests_and_without_test_false_fails() {
    let fake = Fake::new("testfalse", GOOD_HEADER, GOOD_ROW, GOOD_TEST);
    fs::write(fake.0.join("examples-demo/Cargo.toml"), "[package]\n").unwrap();
    let problems = workspace_problems(&fake.0);
    assert!(
        problems.iter().any(|p| p.contains("`test = false`")),
        "{problems:?}"
    );
    let with_unit_tests = format!("{GOOD_HEADER}\n#[cfg(test)]\nmod tests {{}}\n");
    fs::write(
        fake.0.join("examples-demo/src/bin/demo.rs"),
        with_unit_tests,
    )
    .unwrap();
    assert_eq!(workspace_problems(&fake.0), Vec::<String>::new());
}

#[test]
fn a_header_without_an_output_block_or_a_test_of_it_fails() {
    let source = GOOD_HEADER.replace("//! ```text\n//! 0\n//! ```\n", "//! 0\n");
    let fake = Fake::new("nooutput", &source, GOOD_ROW, GOOD_TEST);
    let problems = workspace_problems(&fake.0);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("header shows no output")),
        "{problems:?}"
    );
    for main in [
        "mod demo;\n",
        "mod demo;\nharness::every_binary!(demos, other);\n",
        "harness::every_binary!(demo);\n",
    ] {
        let fake = Fake::new("unchecked", GOOD_HEADER, GOOD_ROW, GOOD_TEST);
        fs::write(fake.0.join("examples-demo/tests/examples/main.rs"), main).unwrap();
        let problems = workspace_problems(&fake.0);
        let wanted = if main.contains("mod demo;") {
            "does not run the checks every binary shares"
        } else {
            "does not declare `mod demo;`"
        };
        assert!(
            problems.iter().any(|p| p.contains(wanted)),
            "{main}: {problems:?}"
        );
    }
}

#[test]
fn a_chinese_readme_out_of_step_fails() {
    let fake = Fake::new("zh", GOOD_HEADER, GOOD_ROW, GOOD_TEST);
    let zh = GOOD_ROW.replace("cargo run -p", "cargo run --release -p");
    fs::write(
        fake.0.join("README.zh-CN.md"),
        format!("[English](README.md)\n{zh}"),
    )
    .unwrap();
    let problems = workspace_problems(&fake.0);
    assert!(
        problems.iter().any(|p| p.contains("is not README.md's")),
        "{problems:?}"
    );
    fs::write(fake.0.join("README.zh-CN.md"), "[English](README.md)\n").unwrap();
    let problems = workspace_problems(&fake.0);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("README.zh-CN.md has no row")),
        "{problems:?}"
    );
}

#[test]
fn a_readme_figure_that_its_header_does_not_show_fails() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    assert_eq!(
        harness::workspace::figure_problems(&root(), &readme),
        Vec::<String>::new()
    );
    // The cpu_bound row quotes the run its header shows; a figure from another run fails.
    let row = readme
        .lines()
        .find(|l| l.starts_with("| Compute-bound work"))
        .expect("the cpu_bound row");
    let figure = row
        .split("1 thread ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .unwrap();
    let other = readme.replace(row, &row.replace(figure, "999.99"));
    let problems = harness::workspace::figure_problems(&root(), &other);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("the figure 999.99 is not in the output")),
        "{problems:?}"
    );
}
