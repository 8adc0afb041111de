//! # async_wget: fetch three pages' headers at once, on one thread
//!
//! Tutorial: asyncio, <https://www.liaoxuefeng.com/wiki/1016959663602400/1017970488768640>
//!
//! Python sample: [async_wget.py](https://github.com/michaelliao/learn-python3/blob/master/samples/async/async_wget.py)
//!
//! ```text
//! cargo run -p examples-async --bin async_wget
//! cargo run -p examples-async --bin async_wget -- 127.0.0.1:8000 localhost:8000
//! ```
//!
//! Output (needs the internet; the lines of the three hosts interleave):
//!
//! ```text
//! wget www.sohu.com...
//! wget www.sina.com.cn...
//! wget www.163.com...
//! www.sohu.com header > HTTP/1.1 200 OK
//! www.sohu.com header > Content-Type: text/html
//! www.sina.com.cn header > HTTP/1.1 302 Moved Temporarily
//! ...
//! ```
//!
//! Offline, each host gets one line on stderr and the exit status is 1:
//!
//! ```text
//! error: www.sina.com.cn: cannot connect: failed to lookup address information: ...
//! ```
//!
//! What to notice: the three connections are open at the same time, on one thread: while one
//! waits for its server, the others go on, so the header lines of the hosts interleave. Start
//! `aio_web` in another terminal and pass `127.0.0.1:8000` to try it without the internet.
//!
//! What Rust does differently: `TcpStream::connect(...).await` is `yield from
//! asyncio.open_connection(...)`, and `BufReader::lines` reads a line at a time like
//! `reader.readline()`. A failure is a `Result`: one host that cannot be reached is reported and
//! the others carry on; each host gets at most 10 s (`--timeout`), so no host can hang the program. (Looking
//! up a host name is the one step that leaves the thread: the system's resolver blocks, so tokio
//! runs it on a helper thread, as asyncio does.)

use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const USAGE: &str = "\
usage: async_wget [--timeout S] [HOST[:PORT]...]

Connects to every host at once (default: www.sina.com.cn www.sohu.com www.163.com, port 80),
sends GET / HTTP/1.0 and prints each response header line. Each host may take at most S seconds
(default 10) from connecting to the end of the headers.";

/// `host` or `host:port` (port 80 by default); the Host header names the port unless it is 80.
fn split_host(arg: &str) -> Result<(String, u16), String> {
    match arg.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => {
            let port = port
                .parse()
                .map_err(|_| format!("{arg:?}: the port must be a number from 0 to 65535"))?;
            Ok((host.to_string(), port))
        }
        _ => Ok((arg.to_string(), 80)),
    }
}

async fn wget(host: &str, port: u16) -> Result<(), String> {
    println!("wget {host}...");
    let stream = TcpStream::connect((host, port))
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let (reader, mut writer) = stream.into_split();
    let host_header = if port == 80 {
        host.to_string()
    } else {
        format!("{host}:{port}")
    };
    let header = format!("GET / HTTP/1.0\r\nHost: {host_header}\r\n\r\n");
    writer
        .write_all(header.as_bytes())
        .await
        .map_err(|e| format!("cannot send the request: {e}"))?;
    let mut lines = BufReader::new(reader).lines();
    loop {
        match lines.next_line().await {
            Ok(Some(line)) if line.is_empty() => break, // the blank line ends the headers
            Ok(Some(line)) => println!("{host} header > {}", line.trim_end()),
            Ok(None) => {
                return Err(
                    "the server closed the connection before the end of the headers".into(),
                );
            }
            Err(e) => return Err(format!("cannot read the response: {e}")),
        }
    }
    // Ignore the body; dropping the stream closes the connection.
    Ok(())
}

fn main() {
    let mut hosts = Vec::new();
    let mut timeout: f64 = 10.0;
    let mut args = shared::start(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Long("timeout") => timeout = args.value(),
            shared::Arg::Value(value) => hosts.push(shared::cli::parse::<String>(value)),
            other => shared::unexpected(other),
        }
    }
    if !(timeout > 0.0 && timeout <= 3600.0) {
        shared::exit_usage(format!(
            "--timeout must be above 0 and at most 3600, not {timeout}"
        ));
    }
    let patience = Duration::from_secs_f64(timeout);
    if hosts.is_empty() {
        hosts = ["www.sina.com.cn", "www.sohu.com", "www.163.com"]
            .map(String::from)
            .to_vec();
    }
    let targets: Vec<(String, u16)> = hosts
        .iter()
        .map(|h| split_host(h).unwrap_or_else(|e| shared::exit_usage(e)))
        .collect();

    let event_loop = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| shared::exit_error(format!("cannot start the runtime: {e}")));
    let failures = event_loop.block_on(async {
        // tasks = [wget(host) for host in hosts]: tasks of this one-thread runtime, all at once.
        let mut tasks = tokio::task::JoinSet::new();
        for (host, port) in targets {
            tasks.spawn(async move {
                let result = match tokio::time::timeout(patience, wget(&host, port)).await {
                    Ok(result) => result,
                    Err(_) => Err(format!("no complete answer within {timeout} s")),
                };
                if let Err(e) = &result {
                    eprintln!("error: {host}: {e}");
                }
                result.is_err()
            });
        }
        // asyncio.wait(tasks): until every task has ended.
        let mut failures = 0;
        while let Some(failed) = tasks.join_next().await {
            failures += usize::from(failed.unwrap_or(true));
        }
        failures
    });
    if failures > 0 {
        std::process::exit(1);
    }
}
