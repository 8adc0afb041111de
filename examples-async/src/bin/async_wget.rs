//! # async_wget: fetch three pages' headers at once, on one thread
//!
//! Tutorial: asyncio, <https://www.liaoxuefeng.com/wiki/1016959663602400/1017970488768640>
//! Book: `book/src/asyncio.md`, built as `book/book/asyncio.html`; 中文版 `book/book/zh-CN/asyncio.html`
//!
//! Python sample: [async_wget.py](https://github.com/michaelliao/learn-python3/blob/master/samples/async/async_wget.py)
//!
//! ```text
//! cargo run -p examples-async --bin async_wget
//! cargo run -p examples-async --bin async_wget -- 127.0.0.1:8000 localhost:8000
//! cargo run -p examples-async --bin async_wget -- --timeline    # draw the three downloads
//! ```
//!
//! Output of `cargo run -p examples-async --bin async_wget -- 127.0.0.1:8000 localhost:8000`,
//! with `aio_web` running: (the lines of the two hosts may come in any order; `date` differs)
//!
//! ```text
//! wget 127.0.0.1...
//! wget localhost...
//! 127.0.0.1 header > HTTP/1.0 200 OK
//! 127.0.0.1 header > content-type: text/html; charset=utf-8
//! 127.0.0.1 header > content-length: 14
//! 127.0.0.1 header > date: Fri, 04 Dec 2026 08:55:44 GMT
//! localhost header > HTTP/1.0 200 OK
//! localhost header > content-type: text/html; charset=utf-8
//! localhost header > content-length: 14
//! localhost header > date: Fri, 04 Dec 2026 08:55:44 GMT
//! ```
//!
//! With the internet, the sample's three hosts answer the same way (`www.sohu.com header >
//! HTTP/1.1 200 OK`, ...). A host that cannot be reached gets one line and the exit status is 1:
//!
//! Output of `cargo run -p examples-async --bin async_wget -- 127.0.0.1:1`, on stderr:
//!
//! ```text
//! error: 127.0.0.1: Connection refused (os error 111)
//! ```
//!
//! What to notice: the three connections are open at the same time, on one thread: while one
//! waits for its server, the others go on, so the run takes as long as the slowest host, not the
//! sum (see Try). Each host's lines come as one block, as its answer arrives at once. Start
//! `aio_web` in another terminal and pass `127.0.0.1:8000 localhost:8000` to try it without the
//! internet.
//!
//! What Rust does differently: `TcpStream::connect(...).await` is `yield from
//! asyncio.open_connection(...)`, and a `Result` with `?` replaces the exception: one host that
//! cannot be reached is reported and the others carry on (in the sample, `asyncio.wait` keeps the
//! exception in the task, unseen). The sample fails on Python 3.11 and later, where
//! `@asyncio.coroutine` is gone: write `async def wget(host):`, `await` for each `yield from`, and
//! `asyncio.gather(*tasks)` for `asyncio.wait(tasks)` (which no longer takes coroutines).
//! (`async_wget2.py`, beside it in the samples, is a copy of `async_hello2.py`.) Each host gets at
//! most 10 s (`--timeout`). A server is not trusted: a header line is at most 8 KiB, and control
//! characters (a terminal's escape sequences, NUL) are printed escaped, as `\u{1b}`.
//!
//! Try: with `aio_web` running, pass `127.0.0.1:8000` three times (each answer takes 0.5 s): the
//! run takes 0.5 s. Then replace the `JoinSet` (its `spawn`s and `join_all`) with awaiting each
//! `wget` in turn in the `for` loop (`let _ = wget(&host, port).await;`, and `false` at the end):
//! the run takes 1.5 s, the sum of the waits, not the longest.

use examples_async::wget::{Host, host_header, read_line};
use shared::{Arg::Long, Arg::Value, Context, OrExit, timeline};
use std::{io, time::Duration};
use tokio::{io::AsyncWriteExt, io::BufReader, net::TcpStream};

const USAGE: &str = "\
usage: async_wget [--timeout S] [--timeline] [--trace FILE] [HOST[:PORT]...]

Fetches the headers of every host at once (default: the sample's three; port 80; [::1]:8000 for
IPv6); each may take S seconds (default 10). --timeline draws each host's download; --trace FILE
writes the same as Chrome trace-event JSON (for ui.perfetto.dev).";

async fn wget(host: &str, port: u16) -> io::Result<()> {
    println!("wget {host}...");
    let host_line = host_header(host, port); // host, or host:port when it is not 80
    let _span = timeline::wait(&host_line, "wget: connect, ask, read the headers"); // until the end
    let connect = TcpStream::connect((host, port));
    let (reader, mut writer) = connect.await?.into_split();
    let header = format!("GET / HTTP/1.0\r\nHost: {host_line}\r\n\r\n");
    writer.write_all(header.as_bytes()).await?;
    let mut reader = BufReader::new(reader);
    loop {
        let line = read_line(&mut reader).await?; // at most 8 KiB, without its \r\n
        if line.is_empty() {
            break;
        }
        let line = String::from_utf8_lossy(&line);
        println!("{host} header > {}", shared::printable(&line)); // control characters escaped
    }
    // Ignore the body, close the socket (dropping `reader` and `writer` closes it).
    Ok(())
}

fn main() -> std::process::ExitCode {
    let (mut hosts, mut timeout) = (Vec::new(), 10.0);
    let mut args = shared::start_with_timeline(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            Long("timeout") => timeout = args.value_in(0.001..=3600.0),
            Value(host) => hosts.push(shared::cli::parse(host)), // a bad one: a usage error
            other => shared::unexpected(other),
        }
    }
    if hosts.is_empty() {
        hosts = ["www.sina.com.cn", "www.sohu.com", "www.163.com"]
            .map(|h| h.parse().expect("a host"))
            .into();
    }
    // loop = asyncio.get_event_loop(): a runtime on this one thread, as asyncio's.
    let event_loop = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
        .or_exit();
    let failed = event_loop.block_on(wget_all(hosts, timeout)); // loop.run_until_complete(...)
    timeline::print().or_exit(); // with --timeline: the downloads, side by side
    std::process::ExitCode::from(u8::from(failed))
}

/// loop.run_until_complete(asyncio.wait(tasks)): every host at once; whether any failed.
async fn wget_all(hosts: Vec<Host>, timeout: f64) -> bool {
    // tasks = [wget(host) for host in [...]]: tasks of this one-thread runtime, all at once.
    let mut tasks = tokio::task::JoinSet::new();
    for Host { name: host, port } in hosts {
        let patience = Duration::from_secs_f64(timeout);
        tasks.spawn(async move {
            let late = io::Error::other(format!("no complete answer within {timeout} s"));
            let result = tokio::time::timeout(patience, wget(&host, port)).await;
            let result = result.unwrap_or(Err(late));
            result.map_err(|e| eprintln!("error: {host}: {e}")).is_ok()
        });
    }
    // asyncio.wait(tasks): until every task has ended; exit status 1 if any host failed.
    tasks.join_all().await.contains(&false)
}
