//! The machinery of the processes chapter that is not the lesson: a process pool (Python's
//! `multiprocessing.Pool`), the stand-in child of `subprocess`, and how a child process ended, in
//! words.
//!
//! # The pool, for the curious
//!
//! The standard library has no process pool, so [`Pool`] is a small one, built the way Python
//! builds its own with the "spawn" start method (the default on Windows and macOS):
//!
//! - **Workers** are this program started again with the arguments `--pool-worker <parent PID>`.
//!   The first line of `main` is [`serve_if_worker`]: in a worker it runs the tasks it is sent and
//!   exits, so the worker never reaches the parent's code. That is what Python's
//!   `if __name__ == '__main__':` guard is for: a spawned worker imports the module again.
//! - **Tasks** travel on the worker's stdin, one line each: the task function's name and its
//!   argument (`pooled_processing::long_time_task 3`). Python pickles a function the same way, by
//!   its name, and the worker looks it up; here the worker checks that the name is the one of the
//!   function it serves.
//! - **Output**: whatever a task prints goes to the worker's stdout, a pipe to the parent, which
//!   prints it; after each task the worker prints [`READY`] and when the task began and ended
//!   (not shown; `--timeline` draws them), and the parent sends the next task from its queue. `close()` means no more tasks: a worker that finds the queue empty
//!   has its stdin closed, its loop ends, and `join()` waits for it to exit. Tasks are handed out
//!   from `join()`, so "Waiting for all subprocesses done..." comes first as in the tutorial;
//!   Python hands them out from a background thread as soon as `apply_async` is called.
//! - **No worker left behind**: if a worker dies, `join()` kills and reaps the others and ends
//!   the program with one `error:` line; if the parent's stdout closes (`| head -3`), or it gets
//!   SIGINT (Ctrl-C) or SIGTERM, the pool kills and reaps its workers before it exits (141, 130,
//!   143). If the parent is killed outright (`kill -9`), nothing of it runs any more: on Linux each
//!   worker has asked the kernel to kill it when its parent dies (`PR_SET_PDEATHSIG`); elsewhere
//!   its stdin closes, and it ends after its current task.

use std::collections::VecDeque;
use std::fmt::Display;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ExitStatus, Stdio};
use std::str::FromStr;
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, PoisonError};

use shared::timeline;

/// How a worker process is started: `this-program --pool-worker <parent PID>`.
const WORKER_FLAG: &str = "--pool-worker";

/// The start of the line a worker prints when it has finished a task and wants the next one
/// (ASCII ACK), followed by when the task began and ended (`shared::timeline::now_us`).
pub const READY: &str = "\u{6}";

/// A pool of worker processes, like Python's `multiprocessing.Pool`: see the module.
pub struct Pool {
    /// The worker processes, shared with the threads that may have to kill them.
    children: Arc<Mutex<Vec<Child>>>,
    workers: Vec<Worker>,
    pending: VecDeque<String>,
    closed: bool,
    events: Receiver<Event>,
}

/// A worker as the pool sees it: the pipe its tasks go to, and the task it runs.
struct Worker {
    pid: u32,
    tasks: Option<ChildStdin>,
    busy_with: Option<String>,
}

/// What the threads that read the workers' output tell the pool.
enum Event {
    /// A worker has finished its task, which ran from the first time to the second.
    Ready(usize, u64, u64),
    Exited(usize),
}

impl Pool {
    /// Starts `processes` worker processes (this program again). Call it before the program
    /// starts any thread of its own: on Unix it blocks SIGINT and SIGTERM in the calling thread,
    /// which every later thread inherits, and one thread of the pool waits for them.
    pub fn new(processes: usize) -> Pool {
        let mut children = Vec::new();
        let mut workers = Vec::new();
        let mut outputs = Vec::new();
        for _ in 0..processes {
            let child = shared::this_program()
                .args([WORKER_FLAG, &std::process::id().to_string()])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn();
            let mut child = child.unwrap_or_else(|e| {
                stop_all(&mut children);
                shared::exit_error(format_args!("cannot start a worker process: {e}"))
            });
            outputs.push(BufReader::new(
                child.stdout.take().expect("stdout is piped"),
            ));
            workers.push(Worker {
                pid: child.id(),
                tasks: child.stdin.take(),
                busy_with: None,
            });
            children.push(child);
        }
        let children = Arc::new(Mutex::new(children));
        // After the workers have started, who would inherit the blocked signals, and before the
        // threads, who must.
        #[cfg(unix)]
        stop_on_signals(Arc::clone(&children));
        let (tx, events) = mpsc::channel();
        for (index, output) in outputs.into_iter().enumerate() {
            let (tx, children) = (tx.clone(), Arc::clone(&children));
            std::thread::spawn(move || {
                for line in output.lines().map_while(Result::ok) {
                    if let Some(times) = line.strip_prefix(READY) {
                        let (start, end) = times.split_once(' ').unwrap_or_default();
                        let times = (start.parse().unwrap_or(0), end.parse().unwrap_or(0));
                        let _ = tx.send(Event::Ready(index, times.0, times.1));
                    } else if let Err(e) = writeln!(std::io::stdout().lock(), "{line}") {
                        // A closed pipe (`| head -3`) ends quietly, as `shared::start` has it.
                        match e.kind() {
                            std::io::ErrorKind::BrokenPipe => stop_and_exit(&children, 141, None),
                            _ => stop_and_exit(
                                &children,
                                1,
                                Some(format!("cannot write to stdout: {e}")),
                            ),
                        }
                    }
                }
                let _ = tx.send(Event::Exited(index));
            });
        }
        Pool {
            children,
            workers,
            pending: VecDeque::new(),
            closed: false,
            events,
        }
    }

    /// Queues `task(arg)`; a free worker process runs it (see the module for when).
    pub fn apply_async<A: Display>(&mut self, task: impl Fn(A), arg: A) {
        assert!(!self.closed, "apply_async after close");
        let name = std::any::type_name_of_val(&task);
        self.pending.push_back(format!("{name} {arg}"));
    }

    /// No more tasks: each worker ends once the queue is empty.
    pub fn close(&mut self) {
        self.closed = true;
    }

    /// Runs every queued task, then waits until every worker process has exited. If a worker
    /// dies, kills and reaps the others and ends the program with one `error:` line.
    pub fn join(&mut self) {
        assert!(self.closed, "call close() before join(), as in Python");
        for index in 0..self.workers.len() {
            self.give_work(index);
        }
        let mut running = self.workers.len();
        while running > 0 {
            match self.events.recv().expect("each worker has a reader thread") {
                Event::Ready(index, start, end) => {
                    let worker = &self.workers[index];
                    if let Some((_, arg)) =
                        worker.busy_with.as_ref().and_then(|t| t.split_once(' '))
                    {
                        let (lane, label) = (format!("PID {}", worker.pid), format!("task {arg}"));
                        timeline::record_us(lane, label, timeline::Kind::Work, start, end);
                    }
                    self.give_work(index)
                }
                Event::Exited(index) => {
                    running -= 1;
                    let status = lock(&self.children)[index].wait();
                    let worker = &self.workers[index];
                    let problem = match (status, &worker.busy_with) {
                        (Err(e), _) => format!("cannot wait for it: {e}"),
                        (Ok(status), Some(task)) => {
                            let call = task.replacen(' ', "(", 1);
                            format!("{} while running {call})", how_it_ended(status))
                        }
                        (Ok(status), None) if !status.success() => how_it_ended(status),
                        (Ok(_), None) => continue,
                    };
                    let message = format!("worker process {} {problem}", worker.pid);
                    stop_and_exit(&self.children, 1, Some(message));
                }
            }
        }
    }

    /// Sends worker `index` the next task, or closes its stdin when the pool is closed and no
    /// task is left. A worker that has died is noticed when its stdout ends.
    fn give_work(&mut self, index: usize) {
        let worker = &mut self.workers[index];
        worker.busy_with = self.pending.pop_front();
        match (&worker.busy_with, &mut worker.tasks) {
            (Some(task), Some(stdin)) => {
                let _ = writeln!(stdin, "{task}");
            }
            (None, _) if self.closed => worker.tasks = None, // ends the worker's loop
            _ => {}
        }
    }
}

impl Drop for Pool {
    /// However the pool's owner ends (a panic, say), no worker process is left behind.
    fn drop(&mut self) {
        stop_all(&mut lock(&self.children));
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Kills every worker that still runs and reaps them all. (`Child::kill` of a child already
/// reaped does nothing, so no other process that got its PID since can be hit.)
fn stop_all(children: &mut [Child]) {
    for child in children.iter_mut() {
        let _ = child.kill();
    }
    for child in children.iter_mut() {
        let _ = child.wait();
    }
}

/// Stops every worker, then ends the program with status `code` and an `error:` line if there
/// is a message, still holding the lock: a thread that meets a worker killed here waits for the
/// lock until the program has ended, so only the first reason to stop is reported.
fn stop_and_exit(children: &Mutex<Vec<Child>>, code: i32, message: Option<String>) -> ! {
    let mut children = lock(children);
    stop_all(&mut children);
    if let Some(message) = message {
        eprintln!("error: {message}");
    }
    std::process::exit(code)
}

/// Blocks SIGINT and SIGTERM here (and so in every thread started from now on), and starts a
/// thread that waits for them: it kills and reaps the workers, then exits with 128 + the signal.
#[cfg(unix)]
fn stop_on_signals(children: Arc<Mutex<Vec<Child>>>) {
    use nix::sys::signal::{SigSet, Signal};
    let mut signals = SigSet::empty();
    signals.add(Signal::SIGINT);
    signals.add(Signal::SIGTERM);
    signals.thread_block().expect("block SIGINT and SIGTERM");
    std::thread::spawn(move || {
        let signal = signals.wait().expect("wait for SIGINT or SIGTERM");
        stop_and_exit(&children, 128 + signal as i32, None);
    });
}

/// The first line of a program that uses a [`Pool`]: in a worker process (this program started
/// with `--pool-worker`) runs each task it is sent with `task`, then exits; in any other
/// process returns at once.
pub fn serve_if_worker<A: FromStr>(task: impl Fn(A)) {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() != Some(WORKER_FLAG) {
        return;
    }
    let parent: Option<u32> = args.next().and_then(|pid| pid.parse().ok());
    shared::start("usage: (a pool worker process; started by its pool)");
    die_with_parent(
        parent.unwrap_or_else(|| shared::exit_usage("a worker needs its parent's PID")),
    );
    let name = std::any::type_name_of_val(&task);
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap_or_else(|e| shared::exit_error(format_args!("worker: {e}")));
        let arg = match line.split_once(' ') {
            Some((function, arg)) if function == name => arg.parse().ok(),
            _ => None,
        };
        let Some(arg) = arg else {
            shared::exit_error(format_args!("worker: {line:?} is not a task for {name}"));
        };
        let start = timeline::now_us();
        task(arg);
        println!("{READY}{start} {}", timeline::now_us());
    }
    std::process::exit(0);
}

/// Linux: asks the kernel to kill this process when its parent dies, then checks that the
/// parent is still `parent`: had it died before the request, this process would already have
/// been adopted by another, and no signal would ever come.
#[cfg(target_os = "linux")]
pub fn die_with_parent(parent: u32) {
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
        .unwrap_or_else(|e| shared::exit_error(format_args!("prctl(PR_SET_PDEATHSIG): {e}")));
    if std::os::unix::process::parent_id() != parent {
        std::process::exit(1);
    }
}

/// Elsewhere there is no such request: a worker ends when its stdin closes.
#[cfg(not(target_os = "linux"))]
pub fn die_with_parent(_parent: u32) {}

/// How a child process ended, in words: `exited with status 3`, `was killed by signal 9
/// (SIGKILL)`, `ended because its stdout was closed (exit status 141)`.
pub fn how_it_ended(status: ExitStatus) -> String {
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
        let name = nix::sys::signal::Signal::try_from(signal).map_or("?", |s| s.as_str());
        return format!("was killed by signal {signal} ({name})");
    }
    match status.code() {
        // Windows: a crash (an abort, an access violation) is an NTSTATUS such as 0xC0000409.
        Some(code) if cfg!(windows) && code < 0 => {
            format!("crashed with status {:#010X}", code as u32)
        }
        Some(141) => "ended because its stdout was closed (exit status 141)".to_string(),
        Some(code) => format!("exited with status {code}"),
        None => status.to_string(),
    }
}

/// A child's exit code as Python's `returncode` shows it: the code, or minus the signal that
/// killed it (`-9`).
pub fn exit_code(status: ExitStatus) -> i32 {
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
        return -signal;
    }
    status.code().unwrap_or(-1)
}

/// For `spawn().unwrap_or_else(cannot_start("the child"))`: the system can refuse a new process
/// (too many processes, no memory): one `error:` line, exit 1.
pub fn cannot_start<T>(who: &str) -> impl FnOnce(std::io::Error) -> T + '_ {
    move |e| shared::exit_error(format_args!("cannot start {who}: {e}"))
}

/// Ends this program if its child process failed: quietly with status 141 if the child found
/// stdout closed (then ours, the same pipe, is closed too), else with one `error:` line that says
/// how `who` ended.
pub fn exit_if_failed(who: &str, status: ExitStatus) {
    match status.code() {
        Some(0) => {}
        Some(141) => std::process::exit(141),
        _ => shared::exit_error(format_args!("{who} {}", how_it_ended(status))),
    }
}

/// The stand-in child of `subprocess`, a calculator shaped like `nslookup`: with a sum as its
/// remaining arguments (`1 + 2`) it answers that one; without, it answers a sum per line of stdin until
/// `exit`. Answers go to stdout, problems to stderr; then it exits, with status 1 if any sum
/// failed.
pub fn calculator(args: &mut shared::Args) -> ! {
    let mut sum = Vec::<String>::new();
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Value(word) => sum.push(shared::cli::parse(word)),
            other => shared::unexpected(other),
        }
    }
    let mut failed = false;
    let mut answer = |sum: &str| match compute(sum) {
        Ok(value) => println!("{sum} = {value}"),
        Err(why) => {
            eprintln!("{sum}: {why}");
            failed = true;
        }
    };
    if sum.is_empty() {
        for line in std::io::stdin().lock().lines().map_while(Result::ok) {
            match line.trim() {
                "exit" => break,
                "" => {}
                sum => answer(sum),
            }
        }
    } else {
        answer(&sum.join(" "));
    }
    std::process::exit(i32::from(failed))
}

/// `a op b` with whole numbers.
fn compute(sum: &str) -> Result<i64, String> {
    let [a, op, b] = sum.split_whitespace().collect::<Vec<_>>()[..] else {
        return Err("write a sum as `a op b`, with spaces, like `6 * 7`".into());
    };
    let number = |n: &str| {
        n.parse::<i64>()
            .map_err(|_| format!("{n:?} is not a whole number"))
    };
    let (a, b) = (number(a)?, number(b)?);
    let result = match op {
        "/" if b == 0 => return Err("cannot divide by zero".into()),
        "+" => a.checked_add(b),
        "-" => a.checked_sub(b),
        "*" => a.checked_mul(b),
        "/" => a.checked_div(b),
        _ => return Err(format!("{op:?} is not an operator: use + - * /")),
    };
    result.ok_or_else(|| "the result is too large".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn how_a_child_ended_in_words() {
        let ended = |script: &str| {
            let status = std::process::Command::new("sh")
                .args(["-c", script])
                .status();
            status.expect("run sh")
        };
        assert_eq!(how_it_ended(ended("exit 3")), "exited with status 3");
        let killed = ended("kill -9 $$");
        assert_eq!(how_it_ended(killed), "was killed by signal 9 (SIGKILL)");
        assert_eq!(exit_code(killed), -9);
        let closed = how_it_ended(ended("exit 141"));
        assert_eq!(
            closed,
            "ended because its stdout was closed (exit status 141)"
        );
    }

    #[test]
    fn the_calculator_says_what_went_wrong() {
        assert_eq!(compute("6 * 7"), Ok(42));
        assert_eq!(compute("1 / 0"), Err("cannot divide by zero".into()));
        assert!(compute("2 ^ 10").unwrap_err().contains("not an operator"));
        assert!(compute("1 + x").unwrap_err().contains("not a whole number"));
        assert!(
            compute("9223372036854775807 + 1")
                .unwrap_err()
                .contains("too large")
        );
        assert!(compute("1+2").unwrap_err().contains("with spaces"));
    }
}
