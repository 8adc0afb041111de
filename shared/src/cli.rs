//! The start of every example: [`start`] checks `TUTORIAL_TIME_SCALE`, decides what a failed
//! write to stdout does, and returns the command line to read, on top of `lexopt`.
//!
//! ```no_run
//! use shared::Arg::Long;
//! const USAGE: &str = "usage: multicore [--threads N]\n\nSpins N threads.";
//! let mut threads = 2u32;
//! let mut args = shared::start(USAGE);
//! while let Some(arg) = args.next() {
//!     match arg {
//!         Long("threads") => threads = args.value_in(1..=1024),
//!         other => shared::unexpected(other),
//!     }
//! }
//! ```
//!
//! `-h`/`--help` prints the usage and exits 0; a usage error prints one `error:` line on stderr
//! and exits 2. Never a panic. Reading options is part of starting a program, so these helpers
//! end it themselves; everything after returns errors ([`crate::error`]).

use std::ffi::OsString;
use std::fmt::Display;
use std::ops::RangeInclusive;
use std::str::FromStr;

pub use lexopt::Arg;

/// Prints `error: <message>` on stderr and exits with status 2 (a usage error).
pub fn exit_usage(message: impl Display) -> ! {
    say_error(message);
    std::process::exit(2)
}

/// Prints `error: <message>` on stderr and exits with status 1.
pub fn exit_error(message: impl Display) -> ! {
    say_error(message);
    std::process::exit(1)
}

/// `error: <message>` on stderr, in one `write` (so that, when stdout goes to the same file, no
/// line of it can land inside this one); a stderr that cannot be written (`2>/dev/full`) costs
/// the line, not a panic.
pub(crate) fn say_error(message: impl Display) {
    use std::io::Write;
    let line = format!("error: {message}\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
}

/// A usage error about the command line: `error: <message> (try --help)`, exit status 2.
fn bad_args(message: impl Display) -> ! {
    exit_usage(format_args!("{message} (try --help)"))
}

/// Reports an argument the program does not take, and exits with status 2.
pub fn unexpected(arg: Arg<'_>) -> ! {
    bad_args(arg.unexpected())
}

/// Starts an example: refuses a bad `TUTORIAL_TIME_SCALE` before any output, makes what the
/// standard library panics on end the program in one line (see below), and returns its command
/// line, on which `-h`/`--help` prints `usage`.
///
/// Why the panic part: `println!` panics when a write fails, `thread::spawn` when the system
/// refuses a thread, tokio's signal driver when it gets no file descriptor. None of those is a
/// bug of the example, so none deserves a backtrace:
/// - the reader of stdout has gone (`cargo run ... | head`, a closed pipe): a Unix tool ends
///   quietly with status 141, as if killed by SIGPIPE;
/// - any other failed write to stdout (a full disk: `> /dev/full`): an `error:` line, status 1;
/// - a thread or runtime the system refuses: an `error:` line, status 1. The process ends there,
///   in the thread that could not start another: threads waiting for the one that never started
///   (at a barrier, say) end with it instead of waiting for ever.
///
/// Every other panic still reports as usual: it is a bug.
pub fn start(usage: &'static str) -> Args {
    init();
    Args::from_args(usage, std::env::args_os().skip(1))
}

/// [`start`] for a program that draws a timeline: `--timeline` (the chart after the run) and
/// `--trace FILE` (Chrome trace-event JSON) are taken here, once for every such program, and
/// the returned command line holds the program's other arguments.
pub fn start_with_timeline(usage: &'static str) -> Args {
    init();
    let found = TimelineOptions::take(std::env::args_os().skip(1));
    if found.chart {
        crate::timeline::enable();
    }
    if let Some(path) = found.trace {
        crate::timeline::trace_to(path).unwrap_or_else(|e| exit_error(e));
    }
    Args::from_args(usage, found.rest)
}

/// `--timeline` and `--trace FILE` (or `--trace=FILE`) before a `--`, and the other arguments.
#[derive(Debug, PartialEq)]
struct TimelineOptions {
    chart: bool,
    trace: Option<String>,
    rest: Vec<OsString>,
}

impl TimelineOptions {
    fn take(args: impl IntoIterator<Item = OsString>) -> TimelineOptions {
        let (mut chart, mut trace, mut rest) = (false, None, Vec::new());
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let text = arg.to_str().unwrap_or("");
            let path = match text.strip_prefix("--trace") {
                Some("") => Some(args.next()),
                Some(value) if value.starts_with('=') => Some(Some(value[1..].into())),
                _ => None,
            };
            match (text, path) {
                ("--", _) => {
                    rest.push(arg);
                    rest.extend(args.by_ref());
                }
                ("--timeline", _) => chart = true,
                (_, Some(Some(path))) => match path.into_string() {
                    Ok(path) if path.is_empty() => bad_args("--trace: the file name is empty"),
                    Ok(path) => trace = Some(path),
                    Err(_) => bad_args("--trace: the file name is not valid text"),
                },
                (_, Some(None)) => bad_args("missing argument for option '--trace'"),
                _ => rest.push(arg),
            }
        }
        TimelineOptions { chart, trace, rest }
    }
}

/// What [`start`] does before it reads the command line: for a child process of the program
/// (`run_if_child`), which has no options of its own.
pub(crate) fn init() {
    // A start helper: a bad time scale ends the program here, before any output.
    crate::time::from_env().unwrap_or_else(|why| exit_usage(why));
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(one_line_for_what_std_panics_on);
}

fn one_line_for_what_std_panics_on() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if let Some(why) = message.strip_prefix("failed printing to stdout: ") {
            // EPIPE is 32 on Linux, the BSDs and macOS; Windows says ERROR_NO_DATA, 232.
            let closed = if cfg!(windows) {
                "(os error 232)"
            } else {
                "(os error 32)"
            };
            first_to_end_the_program();
            if why.contains(closed) {
                std::process::exit(crate::process::STDOUT_CLOSED);
            }
            exit_error(format_args!("cannot write to stdout: {why}"));
        }
        // Why panic messages are matched here, where an error value would be better: these
        // panics come from calls that return no error. The lessons call `thread::spawn` and
        // `Scope::spawn` as the tutorial calls `Thread(...).start()` (their fallible twin,
        // `thread::Builder`, would be machinery in a ten-line lesson; library code uses it and
        // returns the error); tokio starts its blocking pool's threads and its signal driver
        // inside calls that return none. (Runtimes are built with `Builder::build`, which does
        // return its error.) Should std or tokio reword a message, the panic is reported as
        // usual, and the tests under RLIMIT_NPROC and RLIMIT_NOFILE fail.
        for (prefix, what) in [
            ("failed to spawn thread: ", "cannot start a thread"),
            ("OS can't spawn worker thread: ", "cannot start a thread"),
            // A thread the system started, short of memory for its signal stack (std sets one
            // up in every new thread): the spawn's memory, one page too few.
            (
                "failed to allocate an alternative stack: ",
                "cannot start a thread",
            ),
            // tokio's signal driver, when the runtime is built without a descriptor to spare.
            (
                "failed to create UnixStream: ",
                "cannot start the async runtime",
            ),
        ] {
            if let Some(why) = message.strip_prefix(prefix) {
                first_to_end_the_program();
                exit_error(format_args!("{what}: {}", os_error_in(why)));
            }
        }
        report(info);
    }));
}

/// Two threads may meet the same failure at once (both printing to a full disk): the first
/// says it and ends the program; any other waits for that end, so the line comes once.
fn first_to_end_the_program() {
    static ENDING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if ENDING.swap(true, std::sync::atomic::Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
}

/// `Os { code: 11, kind: WouldBlock, message: "..." }` (an `io::Error` printed with `{:?}`, as
/// `expect` prints it) as its one-line message, `Resource temporarily unavailable (os error 11)`.
fn os_error_in(debug: &str) -> String {
    let code = debug
        .split_once("code: ")
        .and_then(|(_, rest)| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|digits| digits.parse().ok());
    match code {
        Some(code) => std::io::Error::from_raw_os_error(code).to_string(),
        None => debug.to_string(),
    }
}

/// A command line being read, one argument at a time.
pub struct Args {
    inner: lexopt::Parser,
    usage: &'static str,
    /// The option last read, to name it in an error about its value.
    option: String,
}

impl Args {
    /// Reads the given arguments (without the program name).
    fn from_args<I>(usage: &'static str, args: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<std::ffi::OsString>,
    {
        Self {
            inner: lexopt::Parser::from_args(args),
            usage,
            option: String::new(),
        }
    }

    /// For a program without options: `--help` prints the usage, any argument is refused.
    pub fn no_options(mut self) {
        if let Some(arg) = self.next() {
            unexpected(arg);
        }
    }

    /// The next argument; `-h` and `--help` print the usage and exit 0.
    #[expect(
        clippy::should_implement_trait,
        reason = "like lexopt's own `next`: each argument borrows the parser, so no Iterator"
    )]
    pub fn next(&mut self) -> Option<Arg<'_>> {
        // The argument is taken out of the parser's borrow first (a long option's name into
        // `self.option`), so that a help option can still ask the parser for an attached value.
        let (short, value) = match self.inner.next() {
            Ok(None) => return None,
            Ok(Some(Arg::Short(c))) => (Some(c), None),
            Ok(Some(Arg::Long(name))) => {
                self.option = format!("--{name}");
                (None, None)
            }
            Ok(Some(Arg::Value(value))) => (None, Some(value)),
            Err(e) => bad_args(e),
        };
        if let Some(c) = short {
            self.option = format!("-{c}");
        }
        if value.is_none() && matches!(self.option.as_str(), "-h" | "--help") {
            // `--help=3` or `-hx` is a mistake, not a request for help.
            if let Some(extra) = self.inner.optional_value() {
                let extra = extra.to_string_lossy().into_owned();
                bad_args(format!("{} takes no value, not {extra:?}", self.option));
            }
            println!("{}", self.usage.trim_end());
            std::process::exit(0)
        }
        Some(match (short, value) {
            (_, Some(value)) => {
                self.option.clear();
                Arg::Value(value)
            }
            (Some(c), None) => Arg::Short(c),
            (None, None) => Arg::Long(&self.option[2..]),
        })
    }

    /// The value of the option just read, parsed as `T`.
    pub fn value<T>(&mut self) -> T
    where
        T: FromStr,
        T::Err: Display,
    {
        let raw = self.inner.value().unwrap_or_else(|e| bad_args(e));
        parse(raw)
    }

    /// The value of the option just read, which must lie in `range`: every count has a ceiling.
    pub fn value_in<T>(&mut self, range: RangeInclusive<T>) -> T
    where
        T: FromStr + PartialOrd + Display,
        T::Err: Display,
    {
        let value: T = self.value();
        if !range.contains(&value) {
            bad_args(format!(
                "{} must be from {} to {}, not {value}",
                self.option,
                range.start(),
                range.end()
            ));
        }
        value
    }
}

/// A positional argument parsed as `T` (a `String` when it is text).
pub fn parse<T>(raw: std::ffi::OsString) -> T
where
    T: FromStr,
    T::Err: Display,
{
    let text = raw
        .into_string()
        .unwrap_or_else(|raw| bad_args(format!("{raw:?} is not valid text")));
    text.parse()
        .unwrap_or_else(|e| bad_args(format!("invalid value {text:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeline_options_are_taken_and_the_rest_kept_in_order() {
        let args = [
            "--count",
            "3",
            "--timeline",
            "-x",
            "--trace",
            "t.json",
            "--",
            "--timeline",
        ];
        let found = TimelineOptions::take(args.map(OsString::from));
        let rest = ["--count", "3", "-x", "--", "--timeline"]
            .map(OsString::from)
            .to_vec();
        let trace = Some("t.json".to_string());
        assert_eq!(
            found,
            TimelineOptions {
                chart: true,
                trace,
                rest
            }
        );
        let found = TimelineOptions::take(["--trace=u.json", "--tracer"].map(OsString::from));
        assert_eq!(
            (found.chart, found.trace.as_deref()),
            (false, Some("u.json"))
        );
        assert_eq!(
            found.rest,
            ["--tracer"],
            "not --trace: refused later as unknown"
        );
    }
}
