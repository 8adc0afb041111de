//! # aio_web: an async web server
//!
//! Tutorial: aiohttp, <https://www.liaoxuefeng.com/wiki/1016959663602400/1017985577429536>
//!
//! Python sample: [aio_web.py](https://github.com/michaelliao/learn-python3/blob/master/samples/async/aio_web.py)
//!
//! ```text
//! cargo run -p examples-async --bin aio_web
//! cargo run -p examples-async --bin aio_web -- --addr 127.0.0.1:0     # any free port
//! ```
//!
//! Then, in a second terminal (or a browser):
//!
//! ```text
//! curl http://127.0.0.1:8000/              # <h1>Index</h1>
//! curl http://127.0.0.1:8000/hello/Bob     # <h1>hello, Bob!</h1>
//! ```
//!
//! Output of the server; Ctrl-C stops it:
//!
//! ```text
//! Server started at http://127.0.0.1:8000...
//! ^CServer stopped.
//! ```
//!
//! What to notice: every request waits 0.5 s (`asyncio.sleep(0.5)`), yet the server answers many
//! requests at once: a waiting handler gives the thread to the others, as in `async_hello`.
//!
//! What Rust does differently: axum plays aiohttp's part: `Router::route` is
//! `app.router.add_route`, a handler is an `async fn`, and `{name}` in the path is
//! `request.match_info['name']`. The Python sample pastes the name into the HTML as it is, so
//! `/hello/<script>...` runs the visitor's script in the page (script injection); here the name is
//! HTML-escaped. Any other path is a 404. Ctrl-C stops taking new connections, lets the requests
//! under way finish (for up to 10 s, `--grace`), and exits 0. The tokio runtime uses one thread per core, where Python's event
//! loop has one. The 0.5 s delay is scaled by `TUTORIAL_TIME_SCALE`.

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::get;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "\
usage: aio_web [--addr IP:PORT] [--grace S]

Serves GET / and GET /hello/{name} on IP:PORT (default 127.0.0.1:8000; port 0 picks a free
port), each after a 0.5 s wait. Ctrl-C stops it, after letting the requests under way finish
for at most S seconds (default 10).";

async fn index() -> Html<&'static str> {
    wait().await;
    Html("<h1>Index</h1>")
}

async fn hello(Path(name): Path<String>) -> Html<String> {
    wait().await;
    Html(format!("<h1>hello, {}!</h1>", html_escape(&name)))
}

/// `await asyncio.sleep(0.5)`, scaled. A zero sleep would still wait for the timer's next
/// millisecond, so with `TUTORIAL_TIME_SCALE=0` there is no sleep at all.
async fn wait() {
    let delay = shared::time::scaled(Duration::from_millis(500));
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
}

async fn not_found() -> (StatusCode, Html<&'static str>) {
    (StatusCode::NOT_FOUND, Html("<h1>404: Not Found</h1>"))
}

/// The name as text, never as markup: `<script>` becomes `&lt;script&gt;`.
fn html_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#x27;"),
            c => escaped.push(c),
        }
    }
    escaped
}

async fn init(addr: SocketAddr, grace: Duration) -> Result<(), String> {
    let app = Router::new()
        .route("/", get(index))
        .route("/hello/{name}", get(hello))
        .fallback(not_found);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    println!("Server started at http://{bound}...");
    let (stopping_tx, mut stopping) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        // Ctrl-C: stop accepting, let the requests under way finish.
        let _ = tokio::signal::ctrl_c().await;
        let _ = stopping_tx.send(true);
    });
    // ... but not for ever: a client that never finishes its request cannot keep us running.
    let cut_off = async {
        let _ = stopping.wait_for(|stopping| *stopping).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        result = server => result.map_err(|e| format!("server error: {e}"))?,
        _ = cut_off => eprintln!(
            "note: requests still open after {} s were cut off",
            grace.as_secs_f64()
        ),
    }
    println!("Server stopped.");
    Ok(())
}

fn main() -> ExitCode {
    let mut addr: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 8000));
    let mut grace: f64 = 10.0;
    let mut args = shared::start(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Long("addr") => addr = args.value(),
            shared::Arg::Long("grace") => grace = args.value(),
            other => shared::unexpected(other),
        }
    }
    if !(0.0..=3600.0).contains(&grace) {
        shared::exit_usage(format!(
            "--grace must be from 0 to 3600 seconds, not {grace}"
        ));
    }
    let runtime = tokio::runtime::Runtime::new()
        .unwrap_or_else(|e| shared::exit_error(format!("cannot start the runtime: {e}")));
    shared::cli::finish(runtime.block_on(init(addr, Duration::from_secs_f64(grace))))
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(
            super::html_escape("<script>alert('x' & \"y\")</script>"),
            "&lt;script&gt;alert(&#x27;x&#x27; &amp; &quot;y&quot;)&lt;/script&gt;"
        );
        assert_eq!(super::html_escape("Bob"), "Bob");
    }
}
