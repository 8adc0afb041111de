//! # 练习 11 · fetch_concurrently: 同时下载 · fetches at once
//!
//! Section: asyncio, <https://www.liaoxuefeng.com/wiki/1016959663602400/1017970488768640>
//!
//! Read first: `examples-async/src/bin/async_wget.rs`.
//!
//! 要做：这个程序从每个服务器取回响应的第一行，一个服务器接一个服务器：每次下载都要等前一次完成。在
//! 消息循环唯一的线程上同时开始所有下载，再输出每个响应。
//!
//! To do: this fetches the first line of each server's answer, one server after another: each waits
//! for the one before. Start all the fetches at once, on the one thread of the event loop, then
//! print each answer.
//!
//! 提示 1：future 在被 await 或 spawn 之前什么也不做：先把它们全部启动，再逐个 await。
//! Hint 1: a future does nothing until it is awaited or spawned: start them all first, then await
//! each.
//!
//! 提示 2：`tokio::spawn(wget(addr))` 立即启动一个任务（task），并返回一个句柄，留待稍后 `.await`。
//! Hint 2: `tokio::spawn(wget(addr))` starts a task at once and returns a handle to `.await` later.

use shared::{Context, OrExit};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// The first line of what the server at `addr` answers to `GET /`.
async fn wget(addr: String) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(&addr).await?;
    let request = format!("GET / HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).await?;
    Ok(format!("{addr}: {}", line.trim_end()))
}

fn main() {
    let mut addrs = Vec::new();
    let mut args = shared::start("usage: fetch_concurrently HOST:PORT...\n\nFetches from each server at once.");
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Value(addr) => addrs.push(shared::cli::parse::<String>(addr)),
            other => shared::unexpected(other),
        }
    }
    let event_loop = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")
        .or_exit();
    event_loop.block_on(async {
        // Every fetch starts now; then each is awaited, while the others go on.
        let tasks: Vec<_> = addrs.into_iter().map(|a| tokio::spawn(wget(a))).collect();
        for task in tasks {
            match task.await.expect("a fetch does not panic") {
                Ok(line) => println!("{line}"),
                Err(e) => eprintln!("error: {e}"),
            }
        }
    });
}
