//! Builds the executable of the exercises' tests, `exercise_programs`: every solution, every
//! wrong solution and every exercise as shipped (but those the compiler refuses), each a plain
//! file a learner reads, made a module here (its `//!` header a comment, its `main` public), so
//! that fifty programs cost one link, not fifty. Then the hostile programs of the tests
//! (`tests/hostile/`): `hostile/WHAT`. `EXERCISES_PROGRAM=NAME/solution` (or
//! `NAME/shipped`, `NAME/wrong/WHAT`) picks one; its child processes inherit the choice.

#[path = "src/list.rs"]
#[allow(dead_code)]
mod list;

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut modules = String::new();
    let mut table = String::from(
        "/// Each program: its name and its `main`.\npub const PROGRAMS: &[(&str, fn())] = &[\n",
    );
    let mut add = |file: &Path, module: String, name: String, lenient: bool| {
        println!("cargo:rerun-if-changed={}", file.display());
        let text =
            std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut body = String::new();
        for line in text.lines() {
            let line = match line.strip_prefix("//!") {
                Some(rest) => format!("//{rest}"),
                None => line.replacen(
                    "fn main()",
                    "pub fn main()",
                    usize::from(line.starts_with("fn main()")),
                ),
            };
            body.push_str(&line);
            body.push('\n');
        }
        let allow = if lenient {
            "#[allow(unused, dead_code, clippy::all)]\n"
        } else {
            ""
        };
        let _ = writeln!(
            modules,
            "// {}\n{allow}pub mod {module} {{\n{body}}}\n",
            file.display()
        );
        let _ = writeln!(table, "    (\"{name}\", {module}::main),");
    };
    for (i, exercise) in list::EXERCISES.iter().enumerate() {
        let stem = list::stem(i + 1, exercise.name);
        let name = exercise.name;
        add(
            &root.join(format!("solutions/{stem}.rs")),
            format!("{name}_solution"),
            format!("{name}/solution"),
            false,
        );
        if !exercise.compile_error {
            add(
                &root.join(format!("exercises/{stem}.rs")),
                format!("{name}_shipped"),
                format!("{name}/shipped"),
                false,
            );
        }
        let folder = root.join(format!("wrong/{name}"));
        println!("cargo:rerun-if-changed={}", folder.display());
        let mut wrong: Vec<_> = std::fs::read_dir(&folder)
            .map(|d| {
                d.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "rs"))
                    .collect()
            })
            .unwrap_or_default();
        wrong.sort();
        for file in wrong {
            let what = file
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            add(
                &file,
                format!("{name}_wrong_{what}"),
                format!("{name}/wrong/{what}"),
                true,
            );
        }
    }
    // Programs no learner would write, that a checker must survive (tests/hostile/).
    let folder = root.join("tests/hostile");
    println!("cargo:rerun-if-changed={}", folder.display());
    let mut hostile: Vec<_> = std::fs::read_dir(&folder)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "rs"))
                .collect()
        })
        .unwrap_or_default();
    hostile.sort();
    // They are Unix programs, as are the tests that run them.
    if std::env::var_os("CARGO_CFG_UNIX").is_none() {
        hostile.clear();
    }
    for file in hostile {
        let what = file
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        add(
            &file,
            format!("hostile_{what}"),
            format!("hostile/{what}"),
            true,
        );
    }
    table.push_str("];\n");
    let out =
        Path::new(&std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("programs.rs");
    std::fs::write(out, modules + &table).expect("OUT_DIR is writable");
    println!("cargo:rerun-if-changed=src/list.rs");
}
