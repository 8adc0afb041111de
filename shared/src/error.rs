//! One error type for the whole workspace, and the one way a program reports it.
//!
//! Library code returns [`Result`]; only a program's `main` reports an error, with
//! [`finish`] (for a `run()` that returns a `Result`) or [`OrExit::or_exit`] (in straight-line
//! code), as one `error:` line on stderr and a non-zero exit status. [`Context`] says what was
//! being done: `spawn().context("cannot start the writer")?` reads, when the system refuses,
//! `error: cannot start the writer: Resource temporarily unavailable (os error 11)`.

use std::fmt;
use std::process::ExitCode;

use crate::process::STDOUT_CLOSED;

/// What went wrong, as one line, and the exit status it ends the program with (1, or 141,
/// quietly, when the program's stdout was closed).
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
    status: u8,
}

/// `Result<T, shared::Error>`.
pub type Result<T = (), E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error that ends the program with status 1.
    pub fn new(message: impl fmt::Display) -> Error {
        Error {
            message: message.to_string(),
            status: 1,
        }
    }

    /// The reader of our stdout has gone (`| head`): the program ends quietly, with status 141,
    /// as if killed by SIGPIPE, as Unix tools do.
    pub fn stdout_closed() -> Error {
        Error::quiet(STDOUT_CLOSED as u8)
    }

    /// An error that ends the program with `status` and no word: it has been said already (by
    /// a child process, on the stderr we share).
    pub fn quiet(status: u8) -> Error {
        Error {
            message: String::new(),
            status,
        }
    }

    /// The same error, ending the program with another status.
    pub fn with_status(mut self, status: u8) -> Error {
        self.status = status;
        self
    }

    /// Whether this error ends the program without a word (a closed stdout).
    pub fn is_quiet(&self) -> bool {
        self.message.is_empty()
    }

    /// The exit status it ends the program with.
    pub fn status(&self) -> u8 {
        self.status
    }

    /// Prints the `error:` line (unless quiet) and gives the exit status.
    pub(crate) fn report(&self) -> u8 {
        if !self.is_quiet() {
            crate::cli::say_error(&self.message);
        }
        self.status
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.is_quiet() {
            true => write!(f, "stdout closed (exit status {})", self.status),
            false => f.write_str(&self.message),
        }
    }
}

/// The same as `Display`, so that a test's `unwrap()` shows the line a learner would see.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Any standard error (`io::Error` and the like) becomes its message; add what was being done
/// with [`Context::context`].
impl<E: std::error::Error> From<E> for Error {
    fn from(e: E) -> Error {
        Error::new(e)
    }
}

/// `.context("cannot start the writer")`: an error that says what was being done.
pub trait Context<T> {
    fn context(self, what: impl fmt::Display) -> Result<T>;
}

impl<T, E: fmt::Display> Context<T> for std::result::Result<T, E> {
    fn context(self, what: impl fmt::Display) -> Result<T> {
        self.map_err(|e| Error::new(format_args!("{what}: {e}")))
    }
}

/// For `main`: the value, or the error reported in one line and the program ended.
pub trait OrExit<T> {
    fn or_exit(self) -> T;
}

impl<T, E: Into<Error>> OrExit<T> for std::result::Result<T, E> {
    fn or_exit(self) -> T {
        self.unwrap_or_else(|e| std::process::exit(e.into().report().into()))
    }
}

/// The end of a `main` whose work returns a [`Result`]: status 0, or the error in one
/// `error:` line and its status. Unlike [`OrExit::or_exit`] it returns, so that the destructors
/// of the caller run first (a pool that kills and waits for its children, say).
pub fn finish(result: Result) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => ExitCode::from(e.report()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_says_what_was_being_done() {
        let refused: std::io::Result<()> = Err(std::io::ErrorKind::WouldBlock.into());
        let e = refused.context("cannot start a thread").unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot start a thread: operation would block"
        );
        assert_eq!((e.status(), e.is_quiet()), (1, false));
        let closed = Error::stdout_closed();
        assert_eq!((closed.status(), closed.is_quiet()), (141, true));
        let from_io: Error = std::io::Error::other("boom").into();
        assert_eq!(format!("{from_io:?}"), "boom");
    }
}
