//! # fork: one process becomes two
//!
//! Tutorial: 多进程 (Multiprocessing: fork), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017628290184064>
//! Book: `book/src/multiprocessing.md`, built as `book/book/multiprocessing.html`; 中文版 `book/book/zh-CN/multiprocessing.html`
//!
//! Python sample: [do_folk.py](https://github.com/michaelliao/learn-python3/blob/master/samples/multitask/do_folk.py)
//! (sic: the sample's file name)
//!
//! ```text
//! cargo run -p examples-process --bin fork
//! ```
//!
//! Output: (PIDs differ; the two middle lines may come in any order)
//!
//! ```text
//! Process (31877) start...
//! I (31877) just created a child process (31879).
//! I am child process (31879) and my parent is 31877.
//! Child process (31879) exited with status 0.
//! ```
//!
//! A real run: `Process (876) start...`, `I (876) just created a child process (877).`,
//! `I am child process (877) and my parent is 876.`, `Child process (877) exited with status 0.`
//!
//! What to notice: `fork` is called once and returns twice: in the parent it returns the child's
//! PID, in the child it returns 0 (`ForkResult::Child`). From there both processes run the rest
//! of the program, each with its own copy of memory.
//!
//! What Rust does differently: the parent waits for its child with `waitpid`, and says how it
//! ended (the last line). The Python sample does not wait; a child that ends before its parent
//! reaps it stays a *zombie* (an entry in the process table holding its exit status) until then,
//! and a parent that exits first leaves it to be adopted by init. This program flushes stdout
//! before forking: what a `print!` without a newline left in the buffer would be copied into the
//! child and printed twice. `fork`
//! is `unsafe` in Rust, see the SAFETY comment. Unix only, like `os.fork()`.
//!
//! Try: in place of the `match waitpid(...)` in the parent, write
//! `std::thread::sleep(std::time::Duration::from_millis(100));` and
//! `std::process::Command::new("ps").args(["-o", "pid,stat,cmd", "-p", &child.to_string()]).status().ok();`:
//! `ps` shows the child as `Z` (`Z+` in a terminal), a zombie: it has ended and nobody reaped it.

#[cfg(unix)]
const USAGE: &str =
    "usage: fork\n\nThe process forks; parent and child each say who they are. Unix only.";

#[cfg(unix)]
fn main() {
    use nix::sys::wait::{WaitStatus, waitpid};
    use nix::unistd::{ForkResult, fork, getpid, getppid};
    use shared::{Context, OrExit};
    use std::io::Write;

    shared::start(USAGE).no_options();
    println!("Process ({}) start...", getpid());
    // Whatever is still buffered would be inherited by the child and printed twice.
    std::io::stdout()
        .flush()
        .context("cannot write to stdout")
        .or_exit();
    // Only works on Unix/Linux/Mac:
    // SAFETY: in the child of a multi-threaded process only the forking thread exists, so a lock
    // held by another thread (the allocator's, stdout's) stays locked for ever, and the child
    // may only make async-signal-safe calls. This program has no other thread: nothing has
    // started one, and Rust's runtime starts none. So the child is a full copy of a
    // single-threaded process and may do anything the parent could, like printing.
    match unsafe { fork() }
        .unwrap_or_else(|e| shared::exit_error(format!("fork failed: {}", std::io::Error::from(e))))
    {
        ForkResult::Child => {
            println!(
                "I am child process ({}) and my parent is {}.",
                getpid(),
                getppid()
            );
        }
        ForkResult::Parent { child } => {
            println!("I ({}) just created a child process ({child}).", getpid());
            // Reap the child, so that it does not stay a zombie.
            match waitpid(child, None)
                .context("cannot wait for the child")
                .or_exit()
            {
                WaitStatus::Exited(_, code) => {
                    println!("Child process ({child}) exited with status {code}.")
                }
                other => println!("Child process ({child}) ended: {other:?}."),
            }
        }
    }
}

#[cfg(not(unix))]
fn main() {
    shared::unix_only("fork does not exist on Windows; multi_processing is the portable way")
}
