//! # task_master: hand out tasks over the network, collect the results
//!
//! Tutorial: 分布式进程 (Distributed processes), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017631559645600>
//!
//! Python sample: [task_master.py](https://github.com/michaelliao/learn-python3/blob/master/samples/multitask/task_master.py)
//!
//! Run the master in one terminal, then one or more workers in others:
//!
//! ```text
//! cargo run -p examples-ipc --bin task_master
//! cargo run -p examples-ipc --bin task_worker
//! ```
//!
//! Output of the master (task numbers are random):
//!
//! ```text
//! Master listening on 127.0.0.1:5000...
//! Put task 3411...
//! Put task 1605...
//! ...
//! Try get results...
//! Result: 3411 * 3411 = 11634921
//! Result: 1605 * 1605 = 2576025
//! ...
//! master exit.
//! ```
//!
//! What to notice: the master only puts tasks into a queue and reads results from another; it
//! never knows how many workers there are or where they run. Start two workers and they share
//! the tasks; start one on another machine (`--addr 0.0.0.0:5000` here, `--addr <this
//! machine>:5000` there) and it takes part just the same.
//!
//! What Rust does differently: Python's `BaseManager` puts the two queues on the network for you.
//! Here the protocol is written out in `examples-ipc/src/lib.rs`: length-delimited frames of
//! JSON, and an HMAC challenge in both directions, so the authkey (`abc`, or `--authkey`, or
//! `TASK_AUTHKEY`) never crosses the wire. The master listens on loopback unless told otherwise.
//! It is also harder to break: a worker with the wrong key, a client sending garbage or a frame
//! too large, or one that vanishes mid-frame is dropped with one line on stderr while the others
//! carry on; and a task held by a worker that disconnects or is killed goes back into the queue
//! for another worker (Python loses it). When all results are in, waiting workers are told the
//! queue is empty and the master exits. Port 0 picks a free port; the first line says which.

use examples_ipc::{Connection, Role, Task, ToMaster, ToWorker, framed, recv, send};
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Mutex, mpsc, watch};

const USAGE: &str = "\
usage: task_master [--addr IP:PORT] [--authkey KEY] [--tasks N] [--timeout S]

Puts N random tasks (default 10) into a task queue served on IP:PORT (default 127.0.0.1:5000;
port 0 picks a free one), then prints each result, waiting at most S seconds (default 10) for
each. The authkey defaults to TASK_AUTHKEY, else the tutorial's \"abc\".";

/// How long a worker's `GetTask` waits for a task: Python's `task.get(timeout=1)`.
const GET_WAIT: Duration = Duration::from_secs(1);
/// The most tasks one request may take: one worker cannot empty the queue for the others.
const MAX_BATCH: usize = 1000;
/// How long a new connection has to authenticate.
const AUTH_WAIT: Duration = Duration::from_secs(5);
/// How long the master waits for its workers to hear "empty" before it exits.
const GOODBYE_WAIT: Duration = Duration::from_secs(2);

/// What every connection shares: the two queues (发送任务的队列, 接收结果的队列).
struct Queues {
    key: Vec<u8>,
    task_tx: mpsc::UnboundedSender<Task>,
    task_rx: Mutex<mpsc::UnboundedReceiver<Task>>,
    result_tx: mpsc::UnboundedSender<(u64, String)>,
    /// Becomes true when the master has all its results.
    done: watch::Receiver<bool>,
}

impl Queues {
    /// `task.get(timeout=1)`: waits for a task, then takes up to `max` that are ready; nothing
    /// after the wait, or once the master is done.
    async fn get_tasks(&self, max: usize) -> Vec<Task> {
        let mut done = self.done.clone();
        let take = async {
            let mut queue = self.task_rx.lock().await;
            let mut tasks: Vec<Task> = queue.recv().await.into_iter().collect();
            while tasks.len() < max {
                match queue.try_recv() {
                    Ok(task) => tasks.push(task),
                    Err(_) => break,
                }
            }
            tasks
        };
        tokio::select! {
            tasks = take => tasks,
            _ = tokio::time::sleep(GET_WAIT) => Vec::new(),
            _ = done.wait_for(|done| *done) => Vec::new(),
        }
    }
}

/// The challenge-response: `Ok` when the worker has proved that it knows the key.
async fn authenticate(conn: &mut Connection, key: &[u8]) -> Result<(), String> {
    let challenge = examples_ipc::nonce();
    send(
        conn,
        &ToWorker::Challenge {
            nonce: challenge.clone(),
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    let answer = tokio::time::timeout(AUTH_WAIT, recv::<ToMaster>(conn))
        .await
        .map_err(|_| {
            format!(
                "no answer to the challenge within {} s",
                AUTH_WAIT.as_secs()
            )
        })?;
    match answer {
        Ok(Some(ToMaster::Auth { proof, nonce })) => {
            if !examples_ipc::verify(key, Role::Worker, &challenge, &proof) {
                let _ = send(conn, &ToWorker::Denied).await;
                return Err("wrong authkey, connection refused".into());
            }
            let proof = examples_ipc::proof(key, Role::Master, &nonce);
            send(conn, &ToWorker::Welcome { proof })
                .await
                .map_err(|e| e.to_string())
        }
        Ok(Some(other)) => Err(format!("expected Auth, got {other:?}")),
        Ok(None) => Err("closed the connection before authenticating".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// Serves one worker until it leaves; gives back any task it still holds.
async fn serve(mut conn: Connection, peer: SocketAddr, queues: Arc<Queues>) {
    if let Err(e) = authenticate(&mut conn, &queues.key).await {
        eprintln!("master: {peer}: dropped: {e}");
        return;
    }
    let mut holding: HashMap<u64, Task> = HashMap::new();
    let ending = loop {
        let message = match recv::<ToMaster>(&mut conn).await {
            Ok(Some(message)) => message,
            Ok(None) => break None,
            Err(e) => break Some(format!("dropped: {e}")),
        };
        match message {
            ToMaster::GetTasks { max } => {
                let tasks = queues.get_tasks(max.clamp(1, MAX_BATCH)).await;
                holding.extend(tasks.iter().map(|task| (task.id, *task)));
                let answer = if tasks.is_empty() {
                    ToWorker::Empty
                } else {
                    ToWorker::Tasks { tasks }
                };
                if let Err(e) = send(&mut conn, &answer).await {
                    break Some(format!("dropped: {e}"));
                }
            }
            ToMaster::PutResult { id, result } => {
                if holding.remove(&id).is_some() {
                    let _ = queues.result_tx.send((id, result));
                } else {
                    eprintln!(
                        "master: {peer}: result for task {id}, which it does not hold: ignored"
                    );
                }
            }
            ToMaster::Auth { .. } => break Some("dropped: authenticated twice".into()),
        }
    };
    if let Some(why) = ending {
        eprintln!("master: {peer}: {why}");
    }
    for task in holding.into_values() {
        eprintln!(
            "master: {peer} left holding task {}: put back into the queue",
            task.n
        );
        let _ = queues.task_tx.send(task);
    }
}

/// Accepts workers until the master is done, then gives them a moment to hear it.
async fn accept_loop(listener: TcpListener, queues: Arc<Queues>) {
    let mut done = queues.done.clone();
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(serve(framed(stream), peer, queues.clone()));
                }
                Err(e) => eprintln!("master: accept: {e}"),
            },
            _ = done.wait_for(|done| *done) => break,
        }
    }
    let goodbye = async { while connections.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(GOODBYE_WAIT, goodbye).await;
    // Dropping the JoinSet closes any connection still open.
}

async fn run(addr: SocketAddr, key: Vec<u8>, tasks: u64, timeout: Duration) -> Result<(), String> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    println!("Master listening on {bound}...");
    if !bound.ip().is_loopback() {
        eprintln!(
            "note: {bound} is reachable from other machines: anyone who knows the authkey can join"
        );
    }

    let (task_tx, task_rx) = mpsc::unbounded_channel();
    let (result_tx, mut result_rx) = mpsc::unbounded_channel();
    let (done_tx, done) = watch::channel(false);
    let queues = Arc::new(Queues {
        key,
        task_tx: task_tx.clone(),
        task_rx: Mutex::new(task_rx),
        result_tx,
        done,
    });
    let server = tokio::spawn(accept_loop(listener, queues));

    // 放几个任务进去 (put some tasks in):
    for id in 0..tasks {
        let n = fastrand::u64(0..=10_000);
        println!("Put task {n}...");
        let _ = task_tx.send(Task { id, n });
    }
    // 从 result 队列读取结果 (read the results):
    println!("Try get results...");
    let mut seen = HashSet::new();
    let mut failure = None;
    while (seen.len() as u64) < tasks {
        match tokio::time::timeout(timeout, result_rx.recv()).await {
            Ok(Some((id, result))) => {
                if seen.insert(id) {
                    println!("Result: {result}");
                }
            }
            Ok(None) => {
                failure = Some("the server stopped before all results arrived".to_string());
                break;
            }
            Err(_) => {
                failure = Some(format!(
                    "no result within {} s; {} of {tasks} results arrived",
                    timeout.as_secs_f64(),
                    seen.len()
                ));
                break;
            }
        }
    }
    // 关闭 (shut down): waiting workers hear "empty", then the server stops.
    let _ = done_tx.send(true);
    let _ = server.await;
    match failure {
        None => {
            println!("master exit.");
            Ok(())
        }
        Some(e) => Err(e),
    }
}

fn main() -> ExitCode {
    let mut addr: SocketAddr = examples_ipc::DEFAULT_ADDR.parse().expect("a valid address");
    let mut authkey = None;
    let mut tasks: u64 = 10;
    let mut timeout: f64 = 10.0;
    let mut args = shared::start(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Long("addr") => addr = args.value(),
            shared::Arg::Long("authkey") => authkey = Some(args.value()),
            shared::Arg::Long("tasks") => tasks = args.value(),
            shared::Arg::Long("timeout") => timeout = args.value(),
            other => shared::unexpected(other),
        }
    }
    if !(timeout > 0.0 && timeout <= 86_400.0) {
        shared::exit_usage(format!(
            "--timeout must be above 0 and at most 86400, not {timeout}"
        ));
    }
    let key = examples_ipc::authkey(authkey);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| shared::exit_error(format!("cannot start the runtime: {e}")));
    shared::cli::finish(runtime.block_on(run(addr, key, tasks, Duration::from_secs_f64(timeout))))
}
