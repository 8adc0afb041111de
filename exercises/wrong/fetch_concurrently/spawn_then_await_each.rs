//! Wrong: spawns each fetch and awaits it before spawning the next.
//! Says: at most

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
        for addr in addrs {
            match tokio::spawn(wget(addr)).await.expect("a fetch does not panic") {
                Ok(line) => println!("{line}"),
                Err(e) => eprintln!("error: {e}"),
            }
        }
    });
}
