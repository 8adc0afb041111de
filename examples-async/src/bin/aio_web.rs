//! # aio_web: an async web server
//!
//! Tutorial: aiohttp, <https://www.liaoxuefeng.com/wiki/1016959663602400/1017985577429536>
//! Book: `book/src/aiohttp.md`, built as `book/book/aiohttp.html`; 中文版 `book/book/zh-CN/aiohttp.html`
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
//! Output: (the server's; Ctrl-C, or SIGTERM, stops it)
//!
//! ```text
//! Server started at http://127.0.0.1:8000...
//! Server stopped.
//! ```
//!
//! What to notice: every request waits 0.5 s (`asyncio.sleep(0.5)`), yet the server answers many
//! requests at once: a waiting handler gives the thread to the others, as in `async_hello`.
//!
//! What Rust does differently: axum plays aiohttp's part: `Router::route` is
//! `app.router.add_route`, a handler is an `async fn`, and `{name}` in the path is
//! `request.match_info['name']`. The sample pastes the name into the HTML as it is (served as
//! `text/html`, `/hello/<script>...` would run the visitor's script in the page; the sample gets
//! away with it because aiohttp serves its bytes as `application/octet-stream`, which a browser
//! downloads); here the name is HTML-escaped and served as `text/html`. The sample still runs on
//! aiohttp 3.14, with warnings: `Application(loop=...)` and `make_handler()` are deprecated. The
//! tokio runtime uses one thread per core, where Python's event loop has one. A client gets 10 s
//! (`--timeout`) to send each request, so half-sent or idle connections cannot pile up; Ctrl-C
//! lets the requests under way finish for up to 10 s (`--grace`) and exits 0.
//!
//! Try: replace `wait().await` in `index` with `std::thread::sleep(Duration::from_millis(500))`
//! and ask for `/` 20 times at once (`time (for i in $(seq 20); do curl -s 127.0.0.1:8000/ &
//! done; wait)`): the answers now queue up, one per core every 0.5 s, instead of all in 0.5 s.

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::get;
use examples_async::web::{html_escape, listen, serve, wait};
use shared::{Arg::Long, Context, OrExit};
use std::net::SocketAddr;
use std::time::Duration;

const USAGE: &str = "\
usage: aio_web [--addr IP:PORT] [--timeout S] [--grace S]

Serves GET / and GET /hello/{name} on IP:PORT (default 127.0.0.1:8000; port 0 picks a free
port), each after a 0.5 s wait. A client has S seconds (--timeout, default 10) to send each
request. Ctrl-C stops it, after letting the requests under way finish for at most S seconds
(--grace, default 10).";

async fn index() -> Html<&'static str> {
    wait().await; // await asyncio.sleep(0.5)
    Html("<h1>Index</h1>")
}

async fn hello(Path(name): Path<String>) -> Html<String> {
    wait().await;
    Html(format!("<h1>hello, {}!</h1>", html_escape(&name)))
}

async fn not_found() -> (StatusCode, Html<&'static str>) {
    (StatusCode::NOT_FOUND, Html("<h1>404: Not Found</h1>"))
}

async fn init(addr: SocketAddr) -> shared::Result<(tokio::net::TcpListener, Router)> {
    let app = Router::new()
        .route("/", get(index))
        .route("/hello/{name}", get(hello))
        .fallback(not_found);
    let srv = listen(addr).context(format_args!("cannot listen on {addr}"))?;
    let bound = srv.local_addr()?;
    println!("Server started at http://{bound}...");
    Ok((srv, app))
}

fn main() {
    let (mut addr, mut timeout, mut grace) = (SocketAddr::from(([127, 0, 0, 1], 8000)), 10.0, 10.0);
    let mut args = shared::start(USAGE);
    while let Some(arg) = args.next() {
        match arg {
            Long("addr") => addr = args.value(),
            Long("timeout") => timeout = args.value_in(0.001..=3600.0),
            Long("grace") => grace = args.value_in(0.0..=3600.0),
            other => shared::unexpected(other),
        }
    }
    let (timeout, grace) = (
        Duration::from_secs_f64(timeout),
        Duration::from_secs_f64(grace),
    );
    // loop = asyncio.get_event_loop(): tokio's runtime, one thread per core (what
    // `#[tokio::main]` builds, here after the options, so that a refusal is one error line).
    let event_loop = tokio::runtime::Runtime::new()
        .context("cannot start the async runtime")
        .or_exit();
    // loop.run_until_complete(init(loop)), then loop.run_forever() (until Ctrl-C).
    let (srv, app) = event_loop.block_on(init(addr)).or_exit();
    event_loop
        .block_on(serve(srv, app, timeout, grace))
        .or_exit();
    println!("Server stopped.");
}
