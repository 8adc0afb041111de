//! Options on top of `lexopt`: `-h`/`--help` prints the usage and exits 0; a usage error prints
//! one line on stderr and exits 2; any other error prints one line and exits 1. Never a panic.
//!
//! ```no_run
//! use shared::cli::{self, Arg::*};
//! let mut seconds = 3.0_f64;
//! let mut args = cli::Parser::new("usage: multicore [--seconds S]");
//! while let Some(arg) = args.next() {
//!     match arg {
//!         Long("seconds") => seconds = args.value(),
//!         other => cli::unexpected(other),
//!     }
//! }
//! ```

use std::fmt::Display;
use std::str::FromStr;

pub use lexopt::Arg;

/// Prints `error: <message>` on stderr and exits with status 2 (a usage error).
pub fn exit_usage(message: impl Display) -> ! {
    eprintln!("error: {message}");
    std::process::exit(2)
}

/// A usage error about the command line: `error: <message> (try --help)`, exit status 2.
fn bad_args(message: impl Display) -> ! {
    exit_usage(format_args!("{message} (try --help)"))
}

/// Prints `error: <message>` on stderr and exits with status 1.
pub fn exit_error(message: impl Display) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}

/// The end of a program whose work returns a `Result`: exit status 0, or the error as one
/// `error:` line on stderr and exit status 1. Unlike [`exit_error`] it returns, so that the
/// destructors of the caller run first (a pool that kills and waits for its children, say).
pub fn finish(result: Result<(), String>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Reports an argument the program does not take, and exits with status 2.
pub fn unexpected(arg: Arg<'_>) -> ! {
    bad_args(arg.unexpected())
}

/// For a program without options: handles `--help` and refuses any argument.
pub fn no_options(usage: &'static str) {
    let mut args = Parser::new(usage);
    if let Some(arg) = args.next() {
        unexpected(arg);
    }
}

/// `cargo run ... | head` closes our stdout early, and `println!` then panics with "failed
/// printing to stdout". Like any Unix tool, end quietly instead (status 141, as if killed by
/// SIGPIPE); every other panic still reports as usual.
fn quiet_on_closed_stdout() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") {
            std::process::exit(141);
        }
        report(info);
    }));
}

/// A command line being read, one argument at a time.
pub struct Parser {
    inner: lexopt::Parser,
    usage: &'static str,
}

impl Parser {
    /// Reads this program's arguments; `usage` is printed for `--help`. Every example starts
    /// here, so this is also where a bad `TUTORIAL_TIME_SCALE` is refused, before any output.
    pub fn new(usage: &'static str) -> Self {
        crate::time::time_scale();
        quiet_on_closed_stdout();
        Self::from_args(usage, std::env::args_os().skip(1))
    }

    /// Reads the given arguments (without the program name).
    pub fn from_args<I>(usage: &'static str, args: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<std::ffi::OsString>,
    {
        Self {
            inner: lexopt::Parser::from_args(args),
            usage,
        }
    }

    /// The next argument; `-h` and `--help` print the usage and exit 0.
    #[expect(
        clippy::should_implement_trait,
        reason = "like lexopt's own `next`: each argument borrows the parser, so no Iterator"
    )]
    pub fn next(&mut self) -> Option<Arg<'_>> {
        match self.inner.next() {
            Ok(Some(Arg::Short('h') | Arg::Long("help"))) => {
                println!("{}", self.usage.trim_end());
                std::process::exit(0)
            }
            Ok(arg) => arg,
            Err(e) => bad_args(e),
        }
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
