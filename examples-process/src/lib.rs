//! The machinery of the processes chapter that is not the lesson: a process pool (Python's
//! `multiprocessing.Pool`) and the stand-in child of `subprocess`.
//!
//! # The pool, for the curious
//!
//! The standard library has no process pool, so [`Pool`] is a small one, built the way Python
//! builds its own with the "spawn" start method (the default on Windows and macOS):
//!
//! - **Workers** are this program started again with the arguments `--child pool-worker`. The
//!   first line of `main` is [`serve_if_worker`]: in a worker it runs the tasks it is sent and
//!   exits, so the worker never reaches the parent's code. That is what Python's
//!   `if __name__ == '__main__':` guard is for: a spawned worker imports the module again.
//! - **Tasks** travel on the worker's stdin, one line each: the task function's name and its
//!   argument (`pooled_processing::long_time_task 3`). Python pickles a function the same way, by
//!   its name, and the worker looks it up; here the worker checks that the name is the one of the
//!   function it serves.
//! - **Handing out**: as in Python, a thread of the pool, the dispatcher, hands each task to a
//!   free worker the moment `apply_async` queues it, while the parent goes on; when every worker
//!   is busy, the task waits in the pool's queue for the first worker that finishes. `close()`
//!   only says that no more tasks come (a worker that finds the queue empty then has its stdin
//!   closed, and its loop ends); `join()` only waits for the workers to exit.
//! - **Output**: whatever a task prints goes to the worker's stdout, a pipe to the parent, which
//!   prints it; after each task the worker prints [`READY`] and when the task began and ended
//!   (not shown; `--timeline` draws them), and the dispatcher sends it the next task.
//! - **No worker left behind**: if a worker dies, the dispatcher kills and reaps the others and
//!   `join()` says what happened; if the parent's stdout closes (`| head -3`) the same, quietly;
//!   on SIGINT (Ctrl-C) or SIGTERM the pool kills and reaps its workers, and `join()` ends the
//!   program quietly with 130 or 143, as the signal would have. The workers run in a process group of their own (Unix), so that Ctrl-C, which
//!   the terminal sends to the whole foreground group, reaches the parent only, and the parent
//!   alone decides: a worker that died of the same Ctrl-C would otherwise race the parent and be
//!   reported as a failure. A signal the program was started with ignored (a background job's
//!   SIGINT, `nohup`'s SIGHUP) stays ignored, in the parent and in its workers. If the parent is
//!   killed outright (`kill -9`), nothing of it runs any more: on
//!   Linux each worker was started to be killed by the kernel when its parent dies
//!   (`shared::process::dies_with_parent`); elsewhere its stdin closes, and it ends after its
//!   current task.

use std::collections::VecDeque;
use std::fmt::Display;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::str::FromStr;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use shared::process::how_it_ended;
use shared::{Context, Error, lock, timeline};

/// The role a worker process is started in: `this-program --child pool-worker`.
const WORKER_ROLE: &str = "pool-worker";

/// The start of the line a worker prints when it has finished a task and wants the next one
/// (ASCII ACK), followed by when the task began and ended (`shared::timeline::now_us`).
pub const READY: &str = "\u{6}";

/// A pool of worker processes, like Python's `multiprocessing.Pool`: see the module.
pub struct Pool {
    /// To the dispatcher: tasks, and `close`.
    dispatcher: Sender<Event>,
    /// The dispatcher's thread, which ends when every worker has exited.
    running: Option<JoinHandle<shared::Result>>,
    /// The worker processes, shared with the threads that may have to kill them.
    children: Arc<Mutex<Vec<Child>>>,
    closed: bool,
}

/// What the dispatcher hears about: from the pool's owner, and from the threads that read the
/// workers' output.
enum Event {
    Task(String),
    Close,
    /// Worker `.0` has finished its task, which ran from `.1` to `.2` (`timeline::now_us`).
    Ready(usize, u64, u64),
    Exited(usize),
    /// Our stdout, where the workers' output goes, cannot be written.
    StdoutFailed(std::io::Error),
    /// SIGINT (Ctrl-C) or SIGTERM, with its number (Unix).
    #[cfg_attr(
        not(unix),
        expect(dead_code, reason = "only Unix's signal thread sends it")
    )]
    Signal(i32),
}

impl Pool {
    /// Starts `processes` worker processes (this program again). Call it before the program
    /// starts any thread of its own: on Unix it blocks SIGINT and SIGTERM in the calling thread,
    /// which every later thread inherits, and one thread of the pool waits for them.
    pub fn new(processes: usize) -> shared::Result<Pool> {
        let mut children = Vec::new();
        let mut stdins = Vec::new();
        let mut outputs = Vec::new();
        for _ in 0..processes {
            let mut command = shared::this_program();
            command
                .args(["--child", WORKER_ROLE])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped());
            shared::process::own_group(&mut command); // Ctrl-C reaches the parent only
            shared::process::dies_with_parent(&mut command);
            let mut child = match command.spawn() {
                Ok(child) => child,
                Err(e) => {
                    stop_all(&mut children);
                    return Err(Error::new(format_args!(
                        "cannot start a worker process: {e}"
                    )));
                }
            };
            outputs.push(child.stdout.take().expect("stdout is piped"));
            stdins.push(child.stdin.take());
            children.push(child);
        }
        let pids = children.iter().map(Child::id).collect();
        let children = Arc::new(Mutex::new(children));
        let started = Self::start_threads(&children, stdins, outputs, pids);
        started.inspect_err(|_| stop_all(&mut lock(&children)))
    }

    /// The threads of the pool: one that waits for signals (Unix), one per worker that reads
    /// its output, and the dispatcher.
    fn start_threads(
        children: &Arc<Mutex<Vec<Child>>>,
        stdins: Vec<Option<ChildStdin>>,
        outputs: Vec<std::process::ChildStdout>,
        pids: Vec<u32>,
    ) -> shared::Result<Pool> {
        // After the workers have started, who would inherit the blocked signals, and before the
        // threads, who must.
        let (tx, events) = mpsc::channel();
        #[cfg(unix)]
        stop_on_signals(tx.clone())?;
        for (index, output) in outputs.into_iter().enumerate() {
            let tx = tx.clone();
            std::thread::Builder::new()
                .name(format!("pool-output-{index}"))
                .spawn(move || forward_output(index, output, &tx))
                .context("cannot start a thread of the pool")?;
        }
        let workers = stdins
            .into_iter()
            .zip(pids)
            .map(|(tasks, pid)| Worker {
                pid,
                tasks,
                busy_with: None,
            })
            .collect();
        let dispatcher = Dispatcher {
            workers,
            pending: VecDeque::new(),
            closed: false,
            children: Arc::clone(children),
        };
        let running = std::thread::Builder::new()
            .name("pool-dispatcher".into())
            .spawn(move || dispatcher.run(&events))
            .context("cannot start a thread of the pool")?;
        Ok(Pool {
            dispatcher: tx,
            running: Some(running),
            children: Arc::clone(children),
            closed: false,
        })
    }

    /// Hands `task(arg)` to the pool at once: a free worker process starts it now, or the first
    /// one that finishes its task, while the caller goes on.
    pub fn apply_async<A: Display>(&mut self, task: impl Fn(A), arg: A) {
        assert!(!self.closed, "apply_async after close");
        let name = std::any::type_name_of_val(&task);
        // If the dispatcher has stopped (a worker died), `join` says why.
        let _ = self.dispatcher.send(Event::Task(format!("{name} {arg}")));
    }

    /// No more tasks: each worker ends once the queue is empty.
    pub fn close(&mut self) {
        self.closed = true;
        let _ = self.dispatcher.send(Event::Close);
    }

    /// Waits until every worker process has exited. If a worker died, or our stdout closed,
    /// the others have been killed and reaped, and the error says what happened; after SIGINT
    /// or SIGTERM, the error ends the program quietly with 128 + the signal.
    pub fn join(&mut self) -> shared::Result {
        assert!(self.closed, "call close() before join(), as in Python");
        match self.running.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(Error::new("the pool's dispatcher thread panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for Pool {
    /// However the pool's owner ends (an early return, a panic), no worker is left behind.
    fn drop(&mut self) {
        stop_all(&mut lock(&self.children));
    }
}

/// A worker as the dispatcher sees it: the pipe its tasks go to, and the task it runs.
struct Worker {
    pid: u32,
    tasks: Option<ChildStdin>,
    busy_with: Option<String>,
}

/// The pool's thread that hands out the tasks.
struct Dispatcher {
    workers: Vec<Worker>,
    pending: VecDeque<String>,
    closed: bool,
    children: Arc<Mutex<Vec<Child>>>,
}

impl Dispatcher {
    /// Hands out tasks until every worker has exited; on a worker's death or a closed stdout,
    /// stops the others and says why.
    fn run(mut self, events: &Receiver<Event>) -> shared::Result {
        let mut running = self.workers.len();
        while running > 0 {
            match events.recv().expect("the pool keeps a sender") {
                Event::Task(task) => self.pending.push_back(task),
                Event::Close => self.closed = true,
                Event::Ready(index, start, end) => {
                    let worker = &mut self.workers[index];
                    if let Some((_, arg)) = worker
                        .busy_with
                        .take()
                        .as_deref()
                        .and_then(|t| t.split_once(' '))
                    {
                        let (lane, label) = (format!("PID {}", worker.pid), format!("task {arg}"));
                        timeline::record_us(lane, label, timeline::Kind::Work, start, end);
                    }
                }
                Event::Exited(index) => {
                    running -= 1;
                    self.exited(index)
                        .inspect_err(|_| stop_all(&mut lock(&self.children)))?;
                }
                Event::Signal(signal) => {
                    // What the signal asks for, once the workers are put away: the end of the
                    // program, with 128 + its number, quietly (`join` returns it).
                    stop_all(&mut lock(&self.children));
                    return Err(Error::quiet((128 + signal) as u8));
                }
                Event::StdoutFailed(e) => {
                    stop_all(&mut lock(&self.children));
                    return Err(match e.kind() {
                        std::io::ErrorKind::BrokenPipe => Error::stdout_closed(),
                        _ => Error::new(format_args!("cannot write to stdout: {e}")),
                    });
                }
            }
            for index in 0..self.workers.len() {
                self.give_work(index);
            }
        }
        Ok(())
    }

    /// A worker has exited: fine if it was idle and succeeded, else what happened.
    fn exited(&mut self, index: usize) -> shared::Result {
        let status = lock(&self.children)[index].wait();
        let worker = &mut self.workers[index];
        worker.tasks = None;
        let problem = match (status, &worker.busy_with) {
            (Err(e), _) => format!("cannot wait for it: {e}"),
            (Ok(status), Some(task)) => {
                let call = task.replacen(' ', "(", 1);
                format!("{} while running {call})", how_it_ended(status))
            }
            (Ok(status), None) if !status.success() => how_it_ended(status),
            (Ok(_), None) => return Ok(()),
        };
        Err(Error::new(format_args!(
            "worker process {} {problem}",
            worker.pid
        )))
    }

    /// Sends an idle worker the next task, or closes its stdin when the pool is closed and no
    /// task is left (its loop ends). A worker that has died is noticed when its stdout ends.
    fn give_work(&mut self, index: usize) {
        let worker = &mut self.workers[index];
        if worker.busy_with.is_some() || worker.tasks.is_none() {
            return;
        }
        match self.pending.pop_front() {
            Some(task) => {
                if let Some(stdin) = &mut worker.tasks {
                    let _ = writeln!(stdin, "{task}");
                }
                worker.busy_with = Some(task);
            }
            None if self.closed => worker.tasks = None,
            None => {}
        }
    }
}

/// A worker's output: printed as ours, but for its [`READY`] lines, which become events.
fn forward_output(index: usize, output: std::process::ChildStdout, tx: &Sender<Event>) {
    for line in BufReader::new(output).lines().map_while(Result::ok) {
        if let Some(times) = line.strip_prefix(READY) {
            let (start, end) = times.split_once(' ').unwrap_or_default();
            let times = (start.parse().unwrap_or(0), end.parse().unwrap_or(0));
            let _ = tx.send(Event::Ready(index, times.0, times.1));
        } else if let Err(e) = writeln!(std::io::stdout().lock(), "{line}") {
            let _ = tx.send(Event::StdoutFailed(e));
            return;
        }
    }
    let _ = tx.send(Event::Exited(index));
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

/// Blocks SIGINT and SIGTERM here (and so in every thread started from now on), and starts a
/// thread that waits for them and tells the dispatcher, which kills and reaps the workers and
/// ends the pool with 128 + the signal: `join` returns that, quietly, and `main` ends with it,
/// as the signal itself would have ended the program. A signal this program was started with
/// ignored is left alone: blocked and waited for, it would be taken after all (Linux queues a
/// blocked signal even when it is ignored).
#[cfg(unix)]
fn stop_on_signals(dispatcher: Sender<Event>) -> shared::Result {
    use nix::sys::signal::{SigSet, Signal};
    let mut signals = SigSet::empty();
    let heeded = [Signal::SIGINT, Signal::SIGTERM]
        .into_iter()
        .filter(|&s| !ignored(s));
    heeded.clone().for_each(|signal| signals.add(signal));
    if heeded.count() == 0 {
        return Ok(()); // nothing to wait for
    }
    signals
        .thread_block()
        .context("cannot block SIGINT and SIGTERM")?;
    std::thread::Builder::new()
        .name("pool-signals".into())
        .spawn(move || {
            if let Ok(signal) = signals.wait() {
                let _ = dispatcher.send(Event::Signal(signal as i32));
            }
        })
        .context("cannot start a thread of the pool")?;
    Ok(())
}

/// Whether `signal` is ignored in this process (`SIG_IGN`, as a shell starts a background job
/// with SIGINT and SIGQUIT).
#[cfg(unix)]
fn ignored(signal: nix::sys::signal::Signal) -> bool {
    use nix::libc;
    let mut current = std::mem::MaybeUninit::<libc::sigaction>::zeroed();
    // SAFETY: with a null new action, sigaction only writes the current one into `current`,
    // valid memory of the right type; nothing is changed.
    let read = unsafe {
        libc::sigaction(
            signal as libc::c_int,
            std::ptr::null(),
            current.as_mut_ptr(),
        )
    };
    // SAFETY: zeroed is a valid `sigaction` (plain integers and pointers), and filled if `read` is 0.
    read == 0 && unsafe { current.assume_init() }.sa_sigaction == libc::SIG_IGN
}

/// The first line of a program that uses a [`Pool`]: in a worker process (this program started
/// with `--child pool-worker`) runs each task it is sent with `task`, then exits; in any other
/// process returns at once.
pub fn serve_if_worker<A: FromStr>(task: impl Fn(A)) {
    shared::run_if_child(|role| {
        if role != WORKER_ROLE {
            shared::exit_usage(format_args!("unknown child role {role:?}"));
        }
        serve(task)
    });
}

/// A worker's loop: a task a line from stdin, until it ends.
fn serve<A: FromStr>(task: impl Fn(A)) -> shared::Result {
    let name = std::any::type_name_of_val(&task);
    for line in std::io::stdin().lock().lines() {
        let line = line.context("worker")?;
        let arg = match line.split_once(' ') {
            Some((function, arg)) if function == name => arg.parse().ok(),
            _ => None,
        };
        let Some(arg) = arg else {
            return Err(Error::new(format_args!(
                "worker: {line:?} is not a task for {name}"
            )));
        };
        let start = timeline::now_us();
        task(arg);
        println!("{READY}{start} {}", timeline::now_us());
    }
    Ok(())
}

/// The first line of `subprocess`'s `main`: as `subprocess calc [SUM]`, this program is the
/// calculator ([`calculator`]) and exits; otherwise returns at once.
pub fn calculator_if_asked(usage: &'static str) {
    if std::env::args_os().nth(1).is_some_and(|a| a == "calc") {
        let mut args = shared::start(usage);
        args.next(); // `calc`
        calculator(&mut args);
    }
}

/// The stand-in child of `subprocess`, a calculator shaped like `nslookup`: with a sum as its
/// remaining arguments (`1 + 2`) it answers that one; without, it answers a sum per line of
/// stdin until `exit`. Answers go to stdout, problems to stderr; then it exits, with status 1
/// if any sum failed. (It is the child's whole program, so it ends the process.)
fn calculator(args: &mut shared::Args) -> ! {
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
