//! 练习: the exercises, one or more for each section of the tutorial's two chapters, and the
//! checks that run a learner's program as a real process and check its lesson (that the work ran
//! in parallel, that nothing was lost, that the waits overlapped), never an exact interleaving.
//!
//! Each exercise is a program in `exercises/exercises/`, with a gap to fill or a bug to fix that
//! is its section's lesson; its solution is in `exercises/solutions/`. [`EXERCISES`] lists them in
//! the tutorial's order, each with its [`Exercise::check`].

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

/// One exercise.
pub struct Exercise {
    /// Its binary's name, and the name a learner types (`check pool_of_five`).
    pub name: &'static str,
    /// The tutorial's section.
    pub section: &'static str,
    /// Its file, from the workspace's root.
    pub file: &'static str,
    /// Whether the lesson, as shipped, is the compiler's refusal.
    pub compile_error: bool,
    /// Runs the built program at the given path and checks the lesson: `Err` says what is
    /// still wrong, in a line or two.
    pub check: fn(&Path) -> Result<(), String>,
}

/// Every exercise, in the tutorial's order.
pub const EXERCISES: [Exercise; 13] = [
    Exercise {
        name: "pool_of_five",
        section: "多进程 Multiprocessing",
        file: "exercises/exercises/01_pool_of_five.rs",
        compile_error: false,
        check: pool_of_five,
    },
    Exercise {
        name: "communicate",
        section: "子进程 Subprocesses",
        file: "exercises/exercises/02_communicate.rs",
        compile_error: false,
        check: communicate,
    },
    Exercise {
        name: "queue_end",
        section: "进程间通信 Inter-process communication",
        file: "exercises/exercises/03_queue_end.rs",
        compile_error: false,
        check: queue_end,
    },
    Exercise {
        name: "share_counter",
        section: "多线程 Multithreading",
        file: "exercises/exercises/04_share_counter.rs",
        compile_error: true,
        check: share_counter,
    },
    Exercise {
        name: "deadlock_order",
        section: "多线程 Multithreading",
        file: "exercises/exercises/05_deadlock_order.rs",
        compile_error: false,
        check: deadlock_order,
    },
    Exercise {
        name: "thread_local",
        section: "ThreadLocal",
        file: "exercises/exercises/06_thread_local.rs",
        compile_error: false,
        check: thread_local,
    },
    Exercise {
        name: "primes_rayon",
        section: "进程 vs. 线程 Processes vs. threads",
        file: "exercises/exercises/07_primes_rayon.rs",
        compile_error: false,
        check: primes_rayon,
    },
    Exercise {
        name: "threads_for_cores",
        section: "进程 vs. 线程 · 线程切换 Switching",
        file: "exercises/exercises/08_threads_for_cores.rs",
        compile_error: false,
        check: threads_for_cores,
    },
    Exercise {
        name: "worker",
        section: "分布式进程 Distributed processes",
        file: "exercises/exercises/09_worker.rs",
        compile_error: false,
        check: worker,
    },
    Exercise {
        name: "take_turns",
        section: "协程 Coroutines",
        file: "exercises/exercises/10_take_turns.rs",
        compile_error: false,
        check: take_turns,
    },
    Exercise {
        name: "fetch_concurrently",
        section: "asyncio",
        file: "exercises/exercises/11_fetch_concurrently.rs",
        compile_error: false,
        check: fetch_concurrently,
    },
    Exercise {
        name: "two_waits",
        section: "async/await",
        file: "exercises/exercises/12_two_waits.rs",
        compile_error: false,
        check: two_waits,
    },
    Exercise {
        name: "escaped_route",
        section: "aiohttp",
        file: "exercises/exercises/13_escaped_route.rs",
        compile_error: false,
        check: escaped_route,
    },
];

/// The exercise called `name`.
pub fn find(name: &str) -> Option<&'static Exercise> {
    EXERCISES.iter().find(|e| e.name == name)
}

impl Exercise {
    /// Its hint, from its header (`//! Hint: ...`, up to the header's next blank line), given
    /// the workspace's root: one text, in the file and for `hint NAME`.
    pub fn hint(&self, root: &Path) -> Option<String> {
        let text = std::fs::read_to_string(root.join(self.file)).ok()?;
        let header = text
            .lines()
            .map_while(|l| l.strip_prefix("//!"))
            .map(str::trim);
        let hint: Vec<&str> = header
            .skip_while(|l| !l.starts_with("Hint: "))
            .take_while(|l| !l.is_empty())
            .collect();
        (!hint.is_empty()).then(|| hint.join(" ").trim_start_matches("Hint: ").to_string())
    }
}

/// What a run printed, and how it ended.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub status: ExitStatus,
}

impl Run {
    fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// `Err` unless it exited with status 0.
    fn succeeded(&self) -> Result<&Run, String> {
        if self.status.success() {
            return Ok(self);
        }
        let said = self.stderr.lines().last().unwrap_or("");
        Err(format!(
            "it {}: {said}",
            shared::process::how_it_ended(self.status)
        ))
    }
}

/// Runs `exe ARGS` with the time scale `scale`, for at most `limit`: `Err` with `hung` if it does
/// not finish (then it is killed, with every process it started).
fn run(exe: &Path, args: &[&str], scale: &str, limit: Duration, hung: &str) -> Result<Run, String> {
    let mut command = Command::new(exe);
    command
        .args(args)
        .env(shared::time::TIME_SCALE_VAR, scale)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    shared::process::own_group(&mut command);
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start it: {e}"))?;
    let read = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_string(&mut text);
            }
            text
        })
    };
    let stdout = read(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = read(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let status = shared::process::wait_timeout(&mut child, limit);
    shared::process::kill_group(&mut child);
    let Some(status) = status else {
        return Err(format!(
            "it did not finish within {} s: {hung}",
            limit.as_secs()
        ));
    };
    Ok(Run {
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        status,
    })
}

const LIMIT: Duration = Duration::from_secs(10);

fn pool_of_five(exe: &Path) -> Result<(), String> {
    let hung = "five tasks of half a second should take far less";
    let out = run(exe, &[], "1", Duration::from_secs(30), hung)?;
    let lines = out.succeeded()?.lines();
    let started: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("Run task "))
        .collect();
    let first_done = lines.iter().position(|l| l.ends_with(" done."));
    let pids: std::collections::BTreeSet<&str> = started
        .iter()
        .filter_map(|&i| lines[i].rsplit('(').next())
        .collect();
    if started.len() != 5 {
        return Err(format!("{} tasks started, not 5", started.len()));
    }
    if first_done.is_some_and(|done| started[4] > done) {
        return Err(
            "the fifth task started only once another had finished: the pool has fewer \
                    worker processes than tasks"
                .into(),
        );
    }
    match pids.len() {
        5 => Ok(()),
        n => Err(format!("the five tasks ran in {n} processes, not in five")),
    }
}

fn communicate(exe: &Path) -> Result<(), String> {
    let hung = "the child reads until its input ends, and its input never ends";
    let out = run(exe, &[], "0", Duration::from_secs(5), hung)?;
    match out.succeeded()?.stdout.as_str() {
        "HELLO, CHILD\n" => Ok(()),
        other => Err(format!(
            "it printed {other:?}, not the child's HELLO, CHILD"
        )),
    }
}

fn queue_end(exe: &Path) -> Result<(), String> {
    let hung = "the reader never ended: no terminate() will come, so it must stop when the \
                queue ends (q.get() returns None)";
    let out = run(exe, &[], "0", Duration::from_secs(5), hung)?;
    let got: Vec<&str> = out
        .succeeded()?
        .lines()
        .into_iter()
        .filter(|l| l.starts_with("Get "))
        .collect();
    match got[..] {
        [
            "Get A from queue.",
            "Get B from queue.",
            "Get C from queue.",
        ] => Ok(()),
        _ => Err(format!("the reader got {got:?}, not A, B and C in order")),
    }
}

fn share_counter(exe: &Path) -> Result<(), String> {
    for _ in 0..3 {
        let out = run(
            exe,
            &[],
            "0",
            LIMIT,
            "two threads adding 100,000 each take a moment",
        )?;
        match out.succeeded()?.stdout.trim() {
            "200000" => {}
            "0" => {
                return Err(
                    "it printed 0: each thread changed a copy of its own (a `move` \
                            closure copies a number); share one counter"
                        .into(),
                );
            }
            other => return Err(format!("it printed {other}, not 200000: changes were lost")),
        }
    }
    Ok(())
}

fn deadlock_order(exe: &Path) -> Result<(), String> {
    let hung = "each thread holds one lock and waits for the other's: a deadlock";
    let out = run(exe, &[], "0", Duration::from_secs(5), hung)?;
    let lines = out.succeeded()?.lines();
    let both = ["Thread-1 has A and B.", "Thread-2 has A and B."];
    match both.iter().all(|l| lines.contains(l)) {
        true => Ok(()),
        false => Err(format!("not both threads took both locks: {lines:?}")),
    }
}

fn thread_local(exe: &Path) -> Result<(), String> {
    for _ in 0..3 {
        let out = run(
            exe,
            &[],
            "0",
            LIMIT,
            "two greetings take no time: is the barrier kept?",
        )?;
        let mut lines = out.succeeded()?.lines();
        lines.sort_unstable();
        if lines[..] != ["Hello, Alice (in Thread-A)", "Hello, Bob (in Thread-B)"] {
            return Err(format!(
                "the threads greeted {lines:?}: each should find its own student"
            ));
        }
    }
    Ok(())
}

/// CPU time of this process's waited-for children so far (Unix).
fn children_cpu() -> Option<Duration> {
    #[cfg(unix)]
    {
        use nix::sys::resource::{UsageWho, getrusage};
        let usage = getrusage(UsageWho::RUSAGE_CHILDREN).ok()?;
        let time = |t: nix::sys::time::TimeVal| {
            Duration::new(t.tv_sec() as u64, 0) + Duration::from_micros(t.tv_usec() as u64)
        };
        Some(time(usage.user_time()) + time(usage.system_time()))
    }
    #[cfg(not(unix))]
    None
}

fn primes_rayon(exe: &Path) -> Result<(), String> {
    // Other programs can hold the cores: the CPU time must show in one of three runs.
    let mut why = String::new();
    for _ in 0..3 {
        match primes_rayon_once(exe) {
            Ok(true) => return Ok(()),
            Ok(false) if why.is_empty() => unreachable!("a run that does not show says why"),
            Ok(false) => {}
            Err(said) if said.starts_with("it used ") => why = said,
            Err(said) => return Err(said),
        }
    }
    Err(why)
}

/// One run: `Ok(true)` if it counted right on every core; `Err` with why not.
fn primes_rayon_once(exe: &Path) -> Result<bool, String> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (cpu_before, started) = (children_cpu(), Instant::now());
    let out = run(
        exe,
        &[],
        "0",
        Duration::from_secs(120),
        "a million numbers take seconds",
    )?;
    let wall = started.elapsed();
    match out.succeeded()?.stdout.trim() {
        "78498 primes below 1000000" => {}
        other => {
            return Err(format!(
                "it printed {other:?}: there are 78498 primes below 1000000"
            ));
        }
    }
    let cpu = children_cpu()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    match cpu {
        // On every core: CPU time well above wall time (1.4x on 2 cores; more with more).
        Some(cpu) if cores >= 2 && cpu.as_secs_f64() < 1.4 * wall.as_secs_f64() => Err(format!(
            "it used {:.2} s of CPU in {:.2} s, three times: one core at a time, where {cores} \
             could work (or the machine is busy)",
            cpu.as_secs_f64(),
            wall.as_secs_f64()
        )),
        _ => Ok(true),
    }
}

fn threads_for_cores(exe: &Path) -> Result<(), String> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let out = run(
        exe,
        &[],
        "0",
        Duration::from_secs(60),
        "the work takes a few seconds at most",
    )?;
    let lines = out.succeeded()?.lines();
    // The count comes from the work itself (`RAN`): the threads that really did a share.
    let threads: Option<usize> = lines
        .first()
        .and_then(|l| l.split(" threads").next()?.parse().ok());
    match threads {
        Some(n) if n == cores => Ok(()),
        Some(n) => Err(format!(
            "{n} threads did the work on {cores} cores: no faster, and each costs a stack and \
             switches; one a core is enough"
        )),
        None => Err("its line should start `N threads`".into()),
    }
}

fn worker(exe: &Path) -> Result<(), String> {
    use python_interop::manager::{BaseManager, Queue, Served};
    let (task, result) = (Queue::new(), Queue::new());
    let mut served = Served::new();
    served.register("get_task_queue", &task);
    served.register("get_result_queue", &result);
    let server = BaseManager::new(served, "127.0.0.1:0", b"abc")
        .start()
        .map_err(|e| format!("cannot start a master to serve: {e}"))?;
    for n in [3i64, 7, 11] {
        task.put(n);
    }
    let addr = server.address().to_string();
    let out = run(
        exe,
        &["--addr", &addr],
        "0",
        LIMIT,
        "three tasks take no time",
    );
    server.shutdown();
    out?.succeeded()?;
    let mut results: Vec<String> = std::iter::from_fn(|| result.get(Duration::ZERO))
        .map(|r| r.to_string())
        .collect();
    results.sort();
    let want = ["11 * 11 = 121", "3 * 3 = 9", "7 * 7 = 49"];
    match results == want {
        true => Ok(()),
        false => Err(format!("the master got {results:?}, not {want:?}")),
    }
}

fn take_turns(exe: &Path) -> Result<(), String> {
    let hung = "five numbers take no time: does the producer's loop end?";
    let out = run(exe, &[], "0", LIMIT, hung)?;
    let lines = out.succeeded()?.lines();
    let want: Vec<String> = (1..=5)
        .flat_map(|n| {
            [
                format!("[PRODUCER] Producing {n}..."),
                format!("[CONSUMER] Consuming {n}..."),
                "[PRODUCER] Consumer return: 200 OK".to_string(),
            ]
        })
        .collect();
    match lines == want {
        true => Ok(()),
        false => Err(format!(
            "producer and consumer should take turns, {:?}, ...; it printed {lines:?}",
            &want[..3]
        )),
    }
}

/// A server on 127.0.0.1 that answers each connection after `delay`, and counts how many were
/// open at once, at most.
fn slow_server(delay: Duration) -> Result<(String, Arc<AtomicUsize>), String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no server: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| e.to_string())?
        .to_string();
    let (open, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let counted = Arc::clone(&most);
    std::thread::spawn(move || {
        for mut stream in listener.incoming().take(16).flatten() {
            let (open, most) = (Arc::clone(&open), Arc::clone(&most));
            std::thread::spawn(move || {
                let now = open.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                let _ = stream.set_read_timeout(Some(LIMIT));
                let _ = BufReader::new(&stream).read_line(&mut String::new());
                std::thread::sleep(delay);
                open.fetch_sub(1, Ordering::SeqCst);
                let _ = stream.write_all(b"HTTP/1.0 200 OK\r\n\r\nslow\n");
            });
        }
    });
    Ok((addr, counted))
}

fn fetch_concurrently(exe: &Path) -> Result<(), String> {
    let (addr, most) = slow_server(Duration::from_millis(300))?;
    let out = run(
        exe,
        &[&addr, &addr, &addr],
        "0",
        LIMIT,
        "three answers take a second",
    )?;
    let lines = out.succeeded()?.lines();
    let answered = lines
        .iter()
        .filter(|l| l.ends_with(": HTTP/1.0 200 OK"))
        .count();
    if answered != 3 {
        return Err(format!("{answered} of 3 fetches answered: {lines:?}"));
    }
    match most.load(Ordering::SeqCst) {
        3 => Ok(()),
        n => Err(format!(
            "at most {n} fetch at a time: each waited for the one before; start all three \
             first (a future does nothing until it is awaited or spawned: `tokio::spawn`)"
        )),
    }
}

fn two_waits(exe: &Path) -> Result<(), String> {
    let out = run(
        exe,
        &[],
        "0.2",
        LIMIT,
        "two waits of 0.2 s take no more than 0.4 s",
    )?;
    let lines = out.succeeded()?.lines();
    let at = |line: &str| lines.iter().position(|l| *l == line);
    let worlds = [at("Hello world! (1)"), at("Hello world! (2)")];
    let agains = [at("Hello again! (1)"), at("Hello again! (2)")];
    let (Some(last_world), Some(first_again)) = (
        worlds
            .iter()
            .copied()
            .max()
            .flatten()
            .filter(|_| worlds.iter().all(Option::is_some)),
        agains.iter().copied().flatten().min(),
    ) else {
        return Err(format!("both hellos should greet twice: {lines:?}"));
    };
    match last_world < first_again {
        true => Ok(()),
        false => Err(
            "hello(2) started only once hello(1) had finished: the waits did not \
                      overlap; await both together"
                .into(),
        ),
    }
}

/// `GET path` from the server at `addr`: its status code and body.
fn http_get(addr: &str, path: &str) -> Result<(u16, String), String> {
    let mut stream = TcpStream::connect(addr).map_err(|e| format!("cannot connect: {e}"))?;
    let _ = stream.set_read_timeout(Some(LIMIT));
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .map_err(|e| format!("no answer: {e}"))?;
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    Ok((status, body))
}

fn escaped_route(exe: &Path) -> Result<(), String> {
    let mut command = Command::new(exe);
    command
        .args(["--addr", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    shared::process::own_group(&mut command);
    let mut server = command
        .spawn()
        .map_err(|e| format!("cannot start it: {e}"))?;
    let stdout = server.stdout.take().expect("piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let checked = (|| {
        let line = rx
            .recv_timeout(LIMIT)
            .map_err(|_| "it never said where it listens")?;
        let addr = line
            .trim_end()
            .strip_prefix("Server started at http://")
            .and_then(|l| l.strip_suffix("..."))
            .ok_or(format!(
                "its first line is {line:?}, not `Server started at http://...`"
            ))?;
        match http_get(addr, "/hello/Bob")? {
            (200, body) if body == "<h1>hello, Bob!</h1>" => {}
            (404, _) => {
                return Err("GET /hello/Bob answered 404: add the route /hello/{name}".into());
            }
            (status, body) => return Err(format!("GET /hello/Bob answered {status} {body:?}")),
        }
        match http_get(addr, "/hello/%3Ci%3EBob")? {
            (_, body) if body.contains("<i>") => Err(format!(
                "the name came back as HTML ({body}): a visitor's <script> would run; escape it"
            )),
            (200, body) if body.contains("Bob") => Ok(()),
            (status, body) => Err(format!("GET /hello/<i>Bob answered {status} {body:?}")),
        }
    })();
    shared::process::kill_group(&mut server);
    checked
}
