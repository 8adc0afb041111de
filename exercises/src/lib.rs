//! 练习: the exercises, one or more for each section of the tutorial's two chapters, and the
//! checker that runs a learner's program as a real process and checks its lesson (that the
//! work ran in processes it can see, in parallel, that nothing was lost, that the waits
//! overlapped), never an exact interleaving, and never the text alone.
//!
//! One job a module: [`list`] declares each exercise once; [`progress`] builds it and keeps
//! what is done; [`run`] and [`running`] run a learner's program, whatever it does; [`observe`] watches it from outside; [`checks`] holds each exercise's
//! check; [`doubles`] plays the other side (a master, web servers); [`lang`] speaks Chinese or
//! English; [`lab`] is what the exercises' programs use from this package.

pub mod checks;
pub mod doubles;
pub mod lab;
pub mod lang;
pub mod list;
pub mod observe;
pub mod progress;
pub mod run;
pub mod running;

pub use list::{EXERCISES, Exercise};

use lang::Lang;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The exercise called `name`.
pub fn find(name: &str) -> Option<&'static Exercise> {
    EXERCISES.iter().find(|e| e.name == name)
}

impl Exercise {
    /// Its number, from 1, in the tutorial's order.
    pub fn number(&self) -> usize {
        EXERCISES
            .iter()
            .position(|e| e.name == self.name)
            .map_or(0, |i| i + 1)
    }

    /// Its file, from the workspace's root: `exercises/exercises/01_pool_of_five.rs`.
    pub fn file(&self) -> String {
        format!(
            "exercises/exercises/{}.rs",
            list::stem(self.number(), self.name)
        )
    }

    /// Its solution's file, from the workspace's root.
    pub fn solution(&self) -> String {
        format!(
            "exercises/solutions/{}.rs",
            list::stem(self.number(), self.name)
        )
    }

    /// The folder of its wrong solutions, from the workspace's root.
    pub fn wrong(&self) -> String {
        format!("exercises/wrong/{}", self.name)
    }

    /// Its section, in the language of `lang` (both, Chinese first, in Chinese).
    pub fn section(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh if self.section.0 != self.section.1 => {
                format!("{} {}", self.section.0, self.section.1)
            }
            Lang::Zh => self.section.0.to_string(),
            Lang::En => self.section.1.to_string(),
        }
    }

    /// Runs `program` and checks this exercise's lesson, within its one deadline.
    pub fn check(
        &self,
        program: &run::Program,
        lang: Lang,
        helper: &Path,
    ) -> Result<(), run::Failure> {
        let Some((check, limit)) = checks::of(self.name) else {
            return Err(run::Failure::new(format!("no check for {}", self.name)));
        };
        let check_with = run::Check {
            program,
            lang,
            deadline: Instant::now() + limit,
            helper: helper.to_path_buf(),
        };
        check(&check_with)
    }

    /// A part of its header, given the workspace's root: `To do`, `Hint 1` or `Hint 2` with the
    /// Chinese that comes before each (`要做`, `提示 1`, `提示 2`), in `lang` (in Chinese,
    /// both, Chinese first).
    pub fn part(&self, root: &Path, part: Part, lang: Lang) -> Option<String> {
        let text = std::fs::read_to_string(root.join(self.file())).ok()?;
        let (zh, en) = match part {
            Part::ToDo => ("要做：", "To do: "),
            Part::Hint1 => ("提示 1：", "Hint 1: "),
            Part::Hint2 => ("提示 2：", "Hint 2: "),
        };
        let (zh, en) = (paragraph(&text, zh), paragraph(&text, en)?);
        match (lang, zh) {
            (Lang::Zh, Some(zh)) => Some(format!("{zh}\n{en}")),
            _ => Some(en),
        }
    }
}

/// The parts of an exercise's header that the checker shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    ToDo,
    Hint1,
    Hint2,
}

/// The header's paragraph that starts with `key`, up to a blank line or the next key, joined
/// into one line (Chinese lines without spaces between them), without its key.
fn paragraph(source: &str, key: &str) -> Option<String> {
    const KEYS: [&str; 6] = [
        "要做：",
        "To do: ",
        "提示 1：",
        "Hint 1: ",
        "提示 2：",
        "Hint 2: ",
    ];
    let header = source
        .lines()
        .map_while(|l| l.strip_prefix("//!"))
        .map(str::trim);
    let mut lines = header.skip_while(|l| !l.starts_with(key));
    let first = lines.next()?.strip_prefix(key)?.to_string();
    let rest = lines.take_while(|l| !l.is_empty() && !KEYS.iter().any(|k| l.starts_with(k)));
    let mut text = first;
    for line in rest {
        let wide = |c: Option<char>| c.is_some_and(|c| c >= '\u{2E80}');
        if !(wide(text.chars().last()) && wide(line.chars().next())) {
            text.push(' ');
        }
        text.push_str(line);
    }
    Some(text)
}

/// The workspace's root, where the exercises are.
pub fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}
