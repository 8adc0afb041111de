//! # task_worker: take tasks from a master over the network, send back results
//!
//! Tutorial: 分布式进程 (Distributed processes), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017631559645600>
//!
//! Python sample: [task_worker.py](https://github.com/michaelliao/learn-python3/blob/master/samples/multitask/task_worker.py)
//!
//! Start `task_master` first, in another terminal, then:
//!
//! ```text
//! cargo run -p examples-ipc --bin task_worker
//! cargo run -p examples-ipc --bin task_worker -- --addr 192.168.1.10:5000 --authkey abc
//! ```
//!
//! Output (one task a second):
//!
//! ```text
//! Connect to server 127.0.0.1:5000...
//! run task 3411 * 3411...
//! run task 1605 * 1605...
//! ...
//! task queue is empty.
//! worker exit.
//! ```
//!
//! What to notice: the worker only knows the master's address and the authkey. It asks for a
//! task, works on it (here: one second of pretend work), sends the result, and asks again, until
//! the queue stays empty. Run two workers at once and they share the tasks.
//!
//! What Rust does differently: the worker proves it knows the authkey by answering the master's
//! challenge with an HMAC, and checks the master's answer to its own challenge (see
//! `examples-ipc/src/lib.rs`). A wrong key gets one line and exit status 1. If the master goes
//! away, even in the middle of a task, the worker says so and exits 1 instead of hanging.
//! Python's sample asks exactly 10 times; this worker asks until the queue is empty. Each request
//! is a network round trip (about 60 µs on loopback here): `--batch K` asks for up to K tasks at
//! once, for when tasks are short. The 1 s of work is scaled by `TUTORIAL_TIME_SCALE`.

use examples_ipc::{Connection, Role, Task, ToMaster, ToWorker, framed, recv, send};
use std::process::ExitCode;
use std::time::Duration;
use tokio::net::TcpStream;

const USAGE: &str = "\
usage: task_worker [--addr HOST:PORT] [--authkey KEY] [--batch K]

Connects to task_master at HOST:PORT (default 127.0.0.1:5000), runs its tasks until the queue is
empty, asking for up to K tasks at a time (default 1). The authkey defaults to TASK_AUTHKEY,
else the tutorial's \"abc\".";

/// How long connecting may take.
const CONNECT_WAIT: Duration = Duration::from_secs(10);
/// How long any answer of the master may take (it waits at most 1 s for a task).
const ANSWER_WAIT: Duration = Duration::from_secs(30);

/// The next message from the master; an error if it closed the connection or broke the protocol.
async fn from_master(conn: &mut Connection, addr: &str) -> Result<ToWorker, String> {
    match tokio::time::timeout(ANSWER_WAIT, recv::<ToWorker>(conn)).await {
        Ok(Ok(Some(message))) => Ok(message),
        Ok(Ok(None)) => Err(format!("the master at {addr} went away")),
        Ok(Err(e)) => Err(format!("the master at {addr} went away: {e}")),
        Err(_) => Err(format!(
            "the master at {addr} did not answer within {} s",
            ANSWER_WAIT.as_secs()
        )),
    }
}

/// Answers the master's challenge and checks its answer to ours.
async fn authenticate(conn: &mut Connection, addr: &str, key: &[u8]) -> Result<(), String> {
    let ToWorker::Challenge { nonce: challenge } = from_master(conn, addr).await? else {
        return Err(format!("{addr} does not speak the task_master protocol"));
    };
    let nonce = examples_ipc::nonce();
    let proof = examples_ipc::proof(key, Role::Worker, &challenge);
    send(
        conn,
        &ToMaster::Auth {
            proof,
            nonce: nonce.clone(),
        },
    )
    .await
    .map_err(|e| format!("the master at {addr} went away: {e}"))?;
    match from_master(conn, addr).await? {
        ToWorker::Welcome { proof } if examples_ipc::verify(key, Role::Master, &nonce, &proof) => {
            Ok(())
        }
        ToWorker::Welcome { .. } => {
            Err(format!("{addr} does not know the authkey: not our master"))
        }
        ToWorker::Denied => {
            Err("the master refused the authkey (is it the same as the master's?)".into())
        }
        other => Err(format!("unexpected answer from the master: {other:?}")),
    }
}

async fn run(addr: String, key: Vec<u8>, batch: usize) -> Result<(), String> {
    // 连接到服务器，也就是运行 task_master 的机器 (connect to the machine running task_master):
    println!("Connect to server {addr}...");
    let stream = tokio::time::timeout(CONNECT_WAIT, TcpStream::connect(&addr))
        .await
        .map_err(|_| {
            format!(
                "cannot connect to {addr}: no answer within {} s",
                CONNECT_WAIT.as_secs()
            )
        })?
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    let _ = stream.set_nodelay(true);
    let mut conn = framed(stream);
    authenticate(&mut conn, &addr, &key).await?;

    // 从 task 队列取任务，并把结果写入 result 队列 (take tasks, put results):
    loop {
        send(&mut conn, &ToMaster::GetTasks { max: batch })
            .await
            .map_err(|e| format!("the master at {addr} went away: {e}"))?;
        let tasks = match from_master(&mut conn, &addr).await? {
            ToWorker::Tasks { tasks } => tasks,
            ToWorker::Empty => {
                println!("task queue is empty.");
                break;
            }
            other => return Err(format!("unexpected message from the master: {other:?}")),
        };
        for Task { id, n } in tasks {
            println!("run task {n} * {n}...");
            let result = format!("{n} * {n} = {}", n * n);
            // The work (time.sleep(1)); meanwhile the master says nothing unless it goes away.
            // (A zero sleep would still wait for the timer's next millisecond: skip it.)
            let work = shared::time::scaled(Duration::from_secs(1));
            if !work.is_zero() {
                tokio::select! {
                    _ = tokio::time::sleep(work) => {}
                    _ = recv::<ToWorker>(&mut conn) => {
                        return Err(format!("the master at {addr} went away"));
                    }
                }
            }
            send(&mut conn, &ToMaster::PutResult { id, result })
                .await
                .map_err(|e| format!("the master at {addr} went away: {e}"))?;
        }
    }
    // 处理结束 (done):
    println!("worker exit.");
    Ok(())
}

fn main() -> ExitCode {
    let mut addr = examples_ipc::DEFAULT_ADDR.to_string();
    let mut authkey = None;
    let mut batch: usize = 1;
    let mut args = shared::start(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Long("addr") => addr = args.value(),
            shared::Arg::Long("batch") => batch = args.value(),
            shared::Arg::Long("authkey") => authkey = Some(args.value()),
            other => shared::unexpected(other),
        }
    }
    if !(1..=1000).contains(&batch) {
        shared::exit_usage(format!("--batch must be from 1 to 1000, not {batch}"));
    }
    let key = examples_ipc::authkey(authkey);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| shared::exit_error(format!("cannot start the runtime: {e}")));
    shared::cli::finish(runtime.block_on(run(addr, key, batch)))
}
