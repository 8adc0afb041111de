//! # 练习 11 · fetch_concurrently: three fetches at once
//!
//! Section: asyncio, <https://www.liaoxuefeng.com/wiki/1016959663602400/1017970488768640>
//!
//! Read first: `examples-async/src/bin/async_wget.rs`.
//!
//! To do: this fetches the first line of each server's answer, one server after another: each
//! waits for the one before. Start all the fetches at once, on the one thread of the event loop,
//! then print each answer.
//!
//! Hint: `tokio::spawn(wget(addr))` starts a task at once and returns a handle to `.await` later.

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
    let mut args = shared::start("usage: fetch_concurrently HOST:PORT...\n\nFetches each at once.");
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
        for addr in addrs {
            match wget(addr).await {
                Ok(line) => println!("{line}"),
                Err(e) => eprintln!("error: {e}"),
            }
        }
    });
}
