//! # 练习 13 · escaped_route: a page for every name, safely
//!
//! Section: aiohttp, <https://www.liaoxuefeng.com/wiki/1016959663602400/1017985577429536>
//!
//! Read first: `examples-async/src/bin/aio_web.rs`.
//!
//! To do: the server answers `/` only. Add the sample's second route, `/hello/{name}`, which
//! answers `<h1>hello, NAME!</h1>`, with the name HTML-escaped: `/hello/<i>Bob` must show the
//! text `<i>Bob`, not Bob in italics (nor run a visitor's `<script>`).
//!
//! Hint: `.route("/hello/{name}", get(hello))`, where `hello` takes `Path(name): Path<String>`;
//! `examples_async::web::html_escape` escapes.

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use shared::{Arg::Long, Context, OrExit};
use std::net::SocketAddr;

async fn index() -> Html<&'static str> {
    Html("<h1>Index</h1>")
}

fn main() {
    let mut addr = SocketAddr::from(([127, 0, 0, 1], 8000));
    let mut args = shared::start("usage: escaped_route [--addr IP:PORT]\n\nA small web server.");
    while let Some(arg) = args.next() {
        match arg {
            Long("addr") => addr = args.value(),
            other => shared::unexpected(other),
        }
    }
    let event_loop = tokio::runtime::Runtime::new()
        .context("cannot start the runtime")
        .or_exit();
    event_loop
        .block_on(async {
            let app = Router::new().route("/", get(index));
            let listener = tokio::net::TcpListener::bind(addr).await?;
            println!("Server started at http://{}...", listener.local_addr()?);
            axum::serve(listener, app).await
        })
        .context("the server failed")
        .or_exit();
}
