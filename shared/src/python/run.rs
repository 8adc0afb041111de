//! Running one of our scripts in the interpreter, sandboxed: written to a private temporary
//! directory (removed afterwards; one a killed run left behind is removed by a later run), the
//! interpreter in a process group of its own that dies with this program (Linux), under a
//! timeout that kills the whole group, its output bounded, and its `result key=value ...` line
//! parsed into [`Fields`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use super::Python;
use crate::bench::{Stats, human};
use crate::process::{Options, Spawned};
use crate::{Error, Result};

/// How long a script may run beyond the waits it is asked to do.
pub(super) const TIMEOUT: Duration = Duration::from_secs(600);
/// The most output kept of each of the interpreter's stdout and stderr.
const MAX_OUTPUT: usize = 64 * 1024;
/// The prefix of the temporary directories the scripts run from.
const TEMP_PREFIX: &str = "tutorial-vs-python-";
/// What the scripts share (`from tutorial_common import ...`), written beside each of them.
const COMMON: &str = include_str!("../../python/tutorial_common.py");

/// A script of `shared/python/`, built into the program.
pub(super) struct Script {
    name: &'static str,
    source: &'static str,
}

impl Script {
    pub(super) const fn new(name: &'static str, source: &'static str) -> Script {
        Script { name, source }
    }
}

impl Python {
    /// Runs `script` with `args`; its `result` line, or what went wrong in one line.
    pub(super) fn run(
        &self,
        script: &Script,
        args: &[String],
        timeout: Duration,
    ) -> Result<Fields> {
        let dir =
            TempDir::new().map_err(|e| self.error(format!("cannot write its script: {e}")))?;
        let file = dir.0.join(format!("{}.py", script.name));
        std::fs::write(&file, script.source)
            .and_then(|()| std::fs::write(dir.0.join("tutorial_common.py"), COMMON))
            .map_err(|e| self.error(format!("cannot write its script: {e}")))?;
        let mut command = Command::new(&self.program);
        command
            .args(&self.first_args)
            .arg(&file)
            .args(args)
            .current_dir(&dir.0);
        // The interpreter leads its own process group (Unix), so that what it leaves behind
        // (pool workers, forked children) is killed with it, at its end or at the timeout;
        // Linux: it also gets SIGKILL when the thread that started it ends, even if this
        // program is killed.
        let mut options = Options::new(timeout);
        options.cap = MAX_OUTPUT;
        options.dies_with_parent = true;
        let mut child = Spawned::spawn(&mut command, options)
            .map_err(|e| self.error(format!("cannot start: {e}")))?;
        let status = child.run_to_end().map(|(status, _)| status);
        let (stdout, stderr) = (
            std::mem::take(&mut child.stdout),
            std::mem::take(&mut child.stderr),
        );
        let context = format!("{}.py", script.name);
        match status {
            None => Err(self.error(format!(
                "{context} did not finish within {} and was stopped",
                human(timeout)
            ))),
            Some(status) if !status.success() => {
                let last = String::from_utf8_lossy(&stderr)
                    .lines()
                    .map(str::trim)
                    .rfind(|line| !line.is_empty())
                    .map(|line| line.chars().take(300).collect::<String>());
                Err(self.error(match last {
                    Some(line) => format!("{context} failed ({status}): {line}"),
                    None => format!("{context} failed ({status})"),
                }))
            }
            Some(_) => Fields::parse(&String::from_utf8_lossy(&stdout))
                .ok_or_else(|| self.error(format!("{context} printed no result line"))),
        }
    }

    fn error(&self, message: String) -> Error {
        Error::new(format!("{}: {message}", self.name))
    }
}

/// A private directory for one run's script, removed when dropped. Creating one first removes
/// those a killed run left behind more than an hour ago.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> std::io::Result<TempDir> {
        let base = std::env::temp_dir();
        remove_stale(&base);
        let unique = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = base.join(format!("{TEMP_PREFIX}{}-{unique}", std::process::id()));
        #[cfg_attr(not(unix), expect(unused_mut, reason = "the mode is set on Unix only"))]
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&dir)?; // fails if it exists: never a directory someone prepared
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn remove_stale(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(3600));
        if stale && entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The `key=value` pairs of a script's last `result` line.
#[derive(Debug)]
pub(super) struct Fields(HashMap<String, String>);

impl Fields {
    fn parse(stdout: &str) -> Option<Fields> {
        let line = stdout
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("result "))?;
        let pairs = line
            .split_whitespace()
            .filter_map(|pair| pair.split_once('='));
        Some(Fields(
            pairs.map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ))
    }

    pub(super) fn text(&self, key: &str) -> Result<&str> {
        self.0
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| Error::new(format!("python: no `{key}` in the script's result line")))
    }

    fn parsed<T: std::str::FromStr>(&self, key: &str, text: &str) -> Result<T> {
        text.parse()
            .map_err(|_| Error::new(format!("python: `{key}={text}` is not a valid value")))
    }

    pub(super) fn number<T: std::str::FromStr>(&self, key: &str) -> Result<T> {
        self.parsed(key, self.text(key)?)
    }

    pub(super) fn optional_number(&self, key: &str) -> Result<Option<u64>> {
        match self.text(key)? {
            "None" | "none" => Ok(None),
            text => self.parsed(key, text).map(Some),
        }
    }

    pub(super) fn flag(&self, key: &str, yes: &str, no: &str) -> Result<bool> {
        match self.text(key)? {
            text if text == yes => Ok(true),
            text if text == no => Ok(false),
            text => Err(Error::new(format!(
                "python: `{key}={text}` is neither {yes} nor {no}"
            ))),
        }
    }

    fn duration(&self, key: &str, text: &str) -> Result<Duration> {
        let secs: f64 = self.parsed(key, text)?;
        Duration::try_from_secs_f64(secs)
            .map_err(|_| Error::new(format!("python: `{key}={text}` is not a duration")))
    }

    pub(super) fn seconds(&self, key: &str) -> Result<Duration> {
        self.duration(key, self.text(key)?)
    }

    /// `key=0.1,0.2,0.3` (seconds) as statistics.
    pub(super) fn samples(&self, key: &str) -> Result<Stats> {
        let times = self
            .text(key)?
            .split(',')
            .map(|t| self.duration(key, t))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Stats::of(times))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::test_python;
    use std::time::Instant;

    fn run_source(py: &Python, source: &'static str, timeout: Duration) -> Result<Fields> {
        py.run(&Script::new("test", source), &[], timeout)
    }

    #[test]
    fn a_failing_script_is_one_line() {
        let Some(py) = test_python("python::run::tests::a_failing_script_is_one_line") else {
            return;
        };
        let e = run_source(&py, "import sys\nraise ValueError('boom')\n", TIMEOUT).unwrap_err();
        assert_eq!(
            e.to_string(),
            "python3: test.py failed (exit status: 1): ValueError: boom"
        );
        let e = py.cpu_bound(10, 0, 2).unwrap_err().to_string();
        assert_eq!(
            e,
            "python3: cpu_bound.py failed (exit status: 1): \
             cpu_bound.py: SAMPLES must be from 1 to 1000, not 0"
        );
        let e = run_source(&py, "print('no result here')\n", TIMEOUT).unwrap_err();
        assert_eq!(e.to_string(), "python3: test.py printed no result line");
    }

    #[test]
    fn a_timeout_kills_the_script_and_its_children() {
        let Some(py) =
            test_python("python::run::tests::a_timeout_kills_the_script_and_its_children")
        else {
            return;
        };
        let started = Instant::now();
        let source = "import os, sys, time\n\
                      if hasattr(os, 'fork') and os.fork() == 0:\n    time.sleep(60); os._exit(0)\n\
                      time.sleep(60)\n";
        let e = run_source(&py, source, Duration::from_millis(500)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "python3: test.py did not finish within 500.00 ms and was stopped"
        );
        assert!(started.elapsed() < Duration::from_secs(10));
        // The forked child held the stdout pipe: the run could only return once it was gone.
    }

    #[test]
    fn the_script_directory_is_removed() {
        let Some(py) = test_python("python::run::tests::the_script_directory_is_removed") else {
            return;
        };
        let source = "import os\nprint('result dir=' + os.getcwd())\n";
        let fields = run_source(&py, source, TIMEOUT).unwrap();
        let dir = PathBuf::from(fields.text("dir").unwrap());
        assert!(
            dir.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(TEMP_PREFIX)
        );
        assert!(!dir.exists(), "{dir:?} left behind");
    }

    #[test]
    fn fields() {
        let fields = Fields::parse("noise\nresult a=1 b=0.5,1.5 c=None\n").unwrap();
        assert_eq!(fields.number::<u32>("a"), Ok(1));
        assert_eq!(fields.samples("b").unwrap().median, Duration::from_secs(1));
        assert_eq!(fields.optional_number("c"), Ok(None));
        assert!(fields.text("d").is_err());
        assert!(Fields::parse("a=1\n").is_none());
    }
}
