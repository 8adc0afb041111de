//! The headers' checks: every binary's `//!` header links to its tutorial section and Python
//! sample and has every section of [`HEADER_SECTIONS`], an output and its `cargo run` command.

/// The tutorial's pages of the two chapters: `https://www.liaoxuefeng.com/wiki/1016959663602400/<id>`.
pub const TUTORIAL_PAGES: [(&str, &str); 9] = [
    ("1017628290184064", "多进程"),
    ("1017629247922688", "多线程"),
    ("1017630786314240", "ThreadLocal"),
    ("1017631469467456", "进程 vs. 线程"),
    ("1017631559645600", "分布式进程"),
    ("1017968846697824", "协程"),
    ("1017970488768640", "asyncio"),
    ("1048430311230688", "async/await"),
    ("1017985577429536", "aiohttp"),
];

const TUTORIAL_URL: &str = "https://www.liaoxuefeng.com/wiki/1016959663602400/";
const SAMPLES_URL: &str = "https://github.com/michaelliao/learn-python3/blob/master/samples/";

/// The Python samples of the two chapters in michaelliao/learn-python3.
pub const PYTHON_SAMPLES: [&str; 16] = [
    "multitask/do_folk.py",
    "multitask/do_lock.py",
    "multitask/do_queue.py",
    "multitask/do_subprocess.py",
    "multitask/multi_processing.py",
    "multitask/multi_threading.py",
    "multitask/pooled_processing.py",
    "multitask/task_master.py",
    "multitask/task_worker.py",
    "multitask/use_threadlocal.py",
    "async/aio_web.py",
    "async/async_hello.py",
    "async/async_hello2.py",
    "async/async_wget.py",
    "async/async_wget2.py",
    "async/coroutine.py",
];

/// The sections every header has besides its title, `Tutorial:`, `Python sample:` and the
/// `cargo run` command: each starts a line of the header.
pub const HEADER_SECTIONS: [&str; 4] = [
    "Output",
    "What to notice:",
    "What Rust does differently:",
    "Try:",
];

/// The Python sample named by a header's `Python sample:` line: `Some("do_lock.py")`, or `None`
/// for `Python sample: none; ...`. An error says what is wrong with the line.
fn header_sample(line: &str) -> Result<Option<String>, String> {
    let rest = line.trim_start_matches("//!").trim();
    let rest = rest
        .strip_prefix("Python sample:")
        .unwrap_or_default()
        .trim();
    if rest.starts_with("none") {
        return Ok(None);
    }
    let (_, after) = rest
        .split_once(SAMPLES_URL)
        .ok_or_else(|| format!("`Python sample:` has no link to {SAMPLES_URL}..."))?;
    let sample = after.split(')').next().unwrap_or_default();
    if !PYTHON_SAMPLES.contains(&sample) {
        return Err(format!(
            "`Python sample:` links to {sample:?}, not a sample of the chapters"
        ));
    }
    Ok(Some(
        sample.rsplit('/').next().unwrap_or_default().to_string(),
    ))
}

/// What is wrong with the header of `source` (the file of binary `name`).
pub fn header_problems(name: &str, source: &str) -> (Vec<String>, Option<Option<String>>) {
    let header: Vec<&str> = source
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .collect();
    let mut problems = Vec::new();
    if header.is_empty() {
        return (vec!["no `//!` header at the top".into()], None);
    }
    match header.iter().find(|l| l.contains("Tutorial:")) {
        None => problems.push("header names no `Tutorial:` section".into()),
        Some(line) => {
            let known = TUTORIAL_PAGES
                .iter()
                .any(|(id, _)| line.contains(&format!("{TUTORIAL_URL}{id}")));
            if !known {
                problems.push(format!(
                    "`Tutorial:` links to no page of the two chapters: {line}"
                ));
            }
        }
    }
    let sample = match header.iter().find(|l| l.contains("Python sample:")) {
        None => {
            problems.push("header names no `Python sample:` (a link, or `none; why`)".into());
            None
        }
        Some(line) => match header_sample(line) {
            Ok(sample) => Some(sample),
            Err(e) => {
                problems.push(e);
                None
            }
        },
    };
    for section in HEADER_SECTIONS {
        let starts = |l: &&str| {
            l.trim_start_matches("//!")
                .trim_start()
                .starts_with(section)
        };
        if !header.iter().any(starts) {
            problems.push(format!("header has no `{section}` section"));
        }
    }
    if crate::expected::in_header(name, name, source).is_empty() {
        problems.push("header shows no output (a ```text block after its `Output` line)".into());
    }
    if !header
        .iter()
        .any(|l| l.contains("cargo run") && l.contains(&format!("--bin {name}")))
    {
        problems.push(format!(
            "header does not show how to run it (`--bin {name}`)"
        ));
    }
    (problems, sample)
}
