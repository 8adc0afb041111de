//! The other side of the programs under check, played by the checker: a master that serves
//! the worker its tasks (a process of its own, so that its sockets and threads end with it),
//! web servers that see how many fetches are open at once, and a small HTTP client. Each ends
//! with its check: nothing of them is left behind, in watch mode either.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The role of the checker's own executable that plays the master: `--child master`, with the
/// tasks in [`MASTER_TASKS`] and the pause in [`MASTER_PAUSE`]. It serves a task queue and a
/// result queue on 127.0.0.1 (a free port, authkey `abc`), says `ADDR host:port`, puts the tasks
/// one at a time, then `None` (no more tasks), waits for its stdin to end, then prints each
/// result as `RESULT text`.
pub const MASTER_ROLE: &str = "master";
pub const MASTER_TASKS: &str = "EXERCISES_MASTER_TASKS";
/// `INDEX MILLISECONDS`: before the task at INDEX the master pauses that long.
pub const MASTER_PAUSE: &str = "EXERCISES_MASTER_PAUSE";

pub fn serve_master() -> shared::Result {
    use python_interop::manager::{BaseManager, Queue, Served};
    use python_interop::pickle::Value;
    let (task, result) = (Queue::new(), Queue::new());
    let mut served = Served::new();
    served.register("get_task_queue", &task);
    served.register("get_result_queue", &result);
    let server = BaseManager::new(served, "127.0.0.1:0", b"abc")
        .start()
        .map_err(|e| shared::Error::new(format_args!("cannot serve: {e}")))?;
    println!("ADDR {}", server.address());
    let _ = std::io::stdout().flush();
    // The tasks come one at a time, 0.2 s apart, while the worker already runs, with one pause
    // longer than the tutorial's 1 s timeout: a worker that takes an empty queue for the end
    // misses the tasks after it. `None` says that no more come.
    let tasks = std::env::var(MASTER_TASKS).unwrap_or_default();
    let pause = std::env::var(MASTER_PAUSE).unwrap_or_default();
    let mut pause = pause
        .split_whitespace()
        .filter_map(|n| n.parse::<u64>().ok());
    let (pause_at, pause_ms) = (pause.next(), pause.next().unwrap_or(0));
    let putting = task.clone();
    std::thread::spawn(move || {
        let tasks = tasks
            .split_whitespace()
            .filter_map(|n| n.parse::<i64>().ok());
        for (at, n) in tasks.enumerate() {
            std::thread::sleep(Duration::from_millis(200));
            if pause_at == Some(at as u64) {
                std::thread::sleep(Duration::from_millis(pause_ms));
            }
            putting.put(n);
        }
        std::thread::sleep(Duration::from_millis(200));
        putting.put(Value::None);
    });
    let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
    server.shutdown();
    while let Some(r) = result.get(Duration::ZERO) {
        println!("RESULT {r}");
    }
    Ok(())
}

/// A web server on 127.0.0.1 for `fetch_concurrently`: each connection is answered once all
/// `expected` are open at once, or after `patience`; its status line carries a token of its
/// own. It counts the most connections open at once.
pub struct Servers {
    pub addr: String,
    pub most_open: Arc<AtomicUsize>,
    pub tokens: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Servers {
    pub fn start(expected: usize, patience: Duration) -> std::io::Result<Servers> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?.to_string();
        let most_open: Arc<AtomicUsize> = Arc::default();
        let tokens: Arc<Mutex<Vec<String>>> = Arc::default();
        let stop: Arc<AtomicBool> = Arc::default();
        let (most, given, stopping) = (
            Arc::clone(&most_open),
            Arc::clone(&tokens),
            Arc::clone(&stop),
        );
        let server = std::thread::Builder::new().name(crate::run::THREAD.into());
        let thread = server.spawn(move || {
            let open = AtomicUsize::new(0);
            std::thread::scope(|s| {
                for _ in 0..16 {
                    let stream = loop {
                        if stopping.load(Ordering::SeqCst) {
                            return;
                        }
                        match listener.accept() {
                            Ok((stream, _)) => break stream,
                            Err(_) => std::thread::sleep(Duration::from_millis(2)),
                        }
                    };
                    let (open, most, given, stopping) = (&open, &most, &given, &stopping);
                    let answering = std::thread::Builder::new().name(crate::run::THREAD.into());
                    let _ = answering.spawn_scoped(s, move || {
                        answer(stream, expected, patience, open, most, given, stopping)
                    });
                }
            });
        });
        Ok(Servers {
            addr,
            most_open,
            tokens,
            stop,
            thread: Some(thread?),
        })
    }
}

fn answer(
    stream: TcpStream,
    expected: usize,
    patience: Duration,
    open: &AtomicUsize,
    most: &AtomicUsize,
    given: &Mutex<Vec<String>>,
    stop: &AtomicBool,
) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut request = String::new();
    let _ = BufReader::new(&stream).read_line(&mut request);
    let now = open.fetch_add(1, Ordering::SeqCst) + 1;
    most.fetch_max(now, Ordering::SeqCst);
    // Not before 150 ms: the checker has time to count the program's threads meanwhile.
    let (opened, until) = (Instant::now(), Instant::now() + patience);
    while (opened.elapsed() < Duration::from_millis(150)
        || (open.load(Ordering::SeqCst) < expected && most.load(Ordering::SeqCst) < expected))
        && Instant::now() < until
        && !stop.load(Ordering::SeqCst)
    {
        std::thread::sleep(Duration::from_millis(2));
    }
    let token = format!("OK-{:04x}", fastrand::u16(..));
    shared::lock(given).push(token.clone());
    let _ = (&stream).write_all(format!("HTTP/1.0 200 {token}\r\n\r\nslow\n").as_bytes());
    open.fetch_sub(1, Ordering::SeqCst);
}

impl Drop for Servers {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `GET path` from the server at `addr`, until `deadline`: its status code and body.
pub fn http_get(addr: &str, path: &str, deadline: Instant) -> std::io::Result<(u16, String)> {
    let wait = deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_millis(1));
    let socket = addr
        .parse()
        .map_err(|_| std::io::Error::other(format!("not an address: {addr}")))?;
    let mut stream = TcpStream::connect_timeout(&socket, wait)?;
    stream.set_read_timeout(Some(wait))?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    let mut answer = Vec::new();
    stream
        .take(crate::run::CAP as u64)
        .read_to_end(&mut answer)?;
    let answer = crate::run::shown(&answer);
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
