//! # pooled_processing: a pool of worker processes
//!
//! Tutorial: 多进程 · Pool (Multiprocessing: process pools), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017628290184064>
//!
//! Python sample: [pooled_processing.py](https://github.com/michaelliao/learn-python3/blob/master/samples/multitask/pooled_processing.py)
//!
//! ```text
//! cargo run -p examples-process --bin pooled_processing
//! cargo run -p examples-process --bin pooled_processing -- --processes 5
//! ```
//!
//! Output (PIDs, times and the order of tasks differ from run to run):
//!
//! ```text
//! Parent process 669.
//! Waiting for all subprocesses done...
//! Run task 0 (671)...
//! Run task 1 (672)...
//! Run task 2 (673)...
//! Run task 3 (674)...
//! Task 2 runs 0.14 seconds.
//! Run task 4 (673)...
//! Task 1 runs 0.48 seconds.
//! Task 3 runs 0.86 seconds.
//! Task 0 runs 1.41 seconds.
//! Task 4 runs 1.72 seconds.
//! All subprocesses done.
//! ```
//!
//! What to notice: the pool has 4 processes, so tasks 0 to 3 start at once and task 4 waits
//! until one of them has finished; it then runs in that process (same PID). With `--processes 5`
//! all five start at once. Python's `Pool` defaults to one process per core.
//!
//! What Rust does differently: the standard library has no process pool, so this file builds a
//! small one in plain sight. Each worker is this program started again with `--worker`; the
//! parent writes task numbers to the worker's stdin, one a line, and the worker prints its lines
//! and then `ready` on its stdout when it wants the next task. The parent prints the worker's lines
//! and hands out the tasks. `close()` and `join()` mean what they mean in Python; when the parent
//! closes a worker's stdin, the worker's loop ends and the parent waits for it. The random
//! sleeps are scaled by `TUTORIAL_TIME_SCALE`.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const USAGE: &str = "\
usage: pooled_processing [--processes N] [--tasks M]

A pool of N worker processes (default 4) runs M tasks (default 5) that each sleep a random
0 to 3 seconds. (--worker is how a worker process is started; you do not need to type it.)";

/// The line a worker prints when it has finished a task and wants the next one.
const READY: &str = "ready";

fn long_time_task(name: u32) {
    println!("Run task {name} ({})...", std::process::id());
    let start = Instant::now();
    shared::time::sleep(Duration::from_secs_f64(fastrand::f64() * 3.0));
    let end = Instant::now();
    println!(
        "Task {name} runs {:.2} seconds.",
        (end - start).as_secs_f64()
    );
}

/// A worker process: runs each task number it reads on stdin, until stdin closes.
fn run_worker() -> Result<(), String> {
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| format!("worker: reading a task: {e}"))?;
        let task = line
            .trim()
            .parse()
            .map_err(|_| format!("worker: {line:?} is not a task number"))?;
        long_time_task(task);
        println!("{READY}");
    }
    Ok(())
}

/// What the parent hears from its workers.
enum Event {
    Ready(usize),
    Exited(usize),
}

/// One worker process and the pipe that carries its tasks.
struct Worker {
    child: Child,
    tasks: Option<ChildStdin>,
    busy_with: Option<u32>,
}

struct Pool {
    workers: Vec<Worker>,
    pending: VecDeque<u32>,
    closed: bool,
    events: mpsc::Receiver<Event>,
}

impl Pool {
    /// Starts `processes` worker processes.
    fn new(processes: usize) -> Result<Pool, String> {
        let (tx, events) = mpsc::channel();
        let mut pool = Pool {
            workers: Vec::new(),
            pending: VecDeque::new(),
            closed: false,
            events,
        };
        for index in 0..processes {
            let mut child = shared::this_program()
                .arg("--worker")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .map_err(|e| format!("cannot start a worker process: {e}"))?;
            let output = child.stdout.take().expect("stdout is piped");
            let tasks = child.stdin.take();
            pool.workers.push(Worker {
                child,
                tasks,
                busy_with: None,
            });
            // Print what the worker prints; tell the pool when it is ready or gone.
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(output).lines().map_while(Result::ok) {
                    if line == READY {
                        if tx.send(Event::Ready(index)).is_err() {
                            return;
                        }
                    } else {
                        println!("{line}");
                    }
                }
                let _ = tx.send(Event::Exited(index));
            });
        }
        Ok(pool)
    }

    /// Queues a task; it runs as soon as a worker is free.
    fn apply_async(&mut self, task: u32) {
        self.pending.push_back(task);
    }

    /// No more tasks will come: once the queue is empty, a worker's stdin is closed and it ends.
    fn close(&mut self) {
        self.closed = true;
    }

    /// Hands the next task to worker `index`, or closes its stdin when the pool is closed and
    /// no task is left.
    fn give_work(&mut self, index: usize) -> Result<(), String> {
        let worker = &mut self.workers[index];
        worker.busy_with = None;
        if let Some(task) = self.pending.pop_front() {
            let stdin = worker
                .tasks
                .as_mut()
                .expect("open until the pool is closed");
            writeln!(stdin, "{task}").map_err(|e| format!("cannot send task {task}: {e}"))?;
            worker.busy_with = Some(task);
        } else if self.closed {
            worker.tasks = None; // closing its stdin ends the worker's loop
        }
        Ok(())
    }

    /// Runs every queued task, then waits for every worker process to exit.
    fn join(&mut self) -> Result<(), String> {
        for index in 0..self.workers.len() {
            self.give_work(index)?;
        }
        let mut running = self.workers.len();
        while running > 0 {
            match self.events.recv().expect("a reader thread per worker") {
                Event::Ready(index) => self.give_work(index)?,
                Event::Exited(index) => {
                    running -= 1;
                    let worker = &mut self.workers[index];
                    let status = worker.child.wait().map_err(|e| format!("wait: {e}"))?;
                    if let Some(task) = worker.busy_with {
                        return Err(format!("a worker died running task {task}: {status}"));
                    }
                    if !status.success() {
                        return Err(format!("a worker failed: {status}"));
                    }
                }
            }
        }
        Ok(())
    }
}

impl Drop for Pool {
    /// On an error, no worker process is left behind.
    fn drop(&mut self) {
        for worker in &mut self.workers {
            worker.tasks = None;
            if let Ok(None) = worker.child.try_wait() {
                let _ = worker.child.kill();
                let _ = worker.child.wait();
            }
        }
    }
}

fn run(processes: usize, tasks: u32) -> Result<(), String> {
    println!("Parent process {}.", std::process::id());
    let mut p = Pool::new(processes)?;
    for i in 0..tasks {
        p.apply_async(i);
    }
    println!("Waiting for all subprocesses done...");
    p.close();
    p.join()?;
    println!("All subprocesses done.");
    Ok(())
}

fn main() -> ExitCode {
    let mut processes: usize = 4;
    let mut tasks: u32 = 5;
    let mut worker = false;
    let mut args = shared::start(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Long("processes") => processes = args.value(),
            shared::Arg::Long("tasks") => tasks = args.value(),
            shared::Arg::Long("worker") => worker = true,
            other => shared::unexpected(other),
        }
    }
    if !(1..=256).contains(&processes) {
        shared::exit_usage(format!(
            "--processes must be from 1 to 256, not {processes}"
        ));
    }
    if tasks > 10_000 {
        shared::exit_usage(format!("--tasks must be at most 10000, not {tasks}"));
    }
    let result = if worker {
        run_worker()
    } else {
        run(processes, tasks)
    };
    shared::cli::finish(result)
}
