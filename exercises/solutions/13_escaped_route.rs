//! # 练习 13 · escaped_route: 每个名字一个页面，而且安全 · a page for every name, safely
//!
//! Section: aiohttp, <https://www.liaoxuefeng.com/wiki/1016959663602400/1017985577429536>
//!
//! Read first: `examples-async/src/bin/aio_web.rs`.
//!
//! 要做：服务器只响应 `/`。加上原例的第二个路由 `/hello/{name}`，返回 `<h1>hello, NAME!</h1>`，其中
//! 的名字要经过 HTML 转义：`/hello/<i>Bob` 必须显示文字 `<i>Bob`，而不是斜体的 Bob（更不能运行访客
//! 的 `<script>`）。
//!
//! To do: the server answers `/` only. Add the sample's second route, `/hello/{name}`, which
//! answers `<h1>hello, NAME!</h1>`, with the name HTML-escaped: `/hello/<i>Bob` must show the text
//! `<i>Bob`, not Bob in italics (nor run a visitor's `<script>`).
//!
//! 提示 1：一个带参数的路由，再加一个处理函数；名字放进 HTML 之前要先转义。
//! Hint 1: a route with a parameter, and a handler; the name is escaped before it goes into the
//! HTML.
//!
//! 提示 2：`.route("/hello/{name}", get(hello))`，其中 `hello` 接
//! 收 `Path(name): Path<String>`；`examples_async::web::html_escape` 负责转义。
//! Hint 2: `.route("/hello/{name}", get(hello))`, where `hello` takes `Path(name): Path<String>`;
//! `examples_async::web::html_escape` escapes.

use axum::Router;
use axum::extract::Path;
use axum::response::Html;
use axum::routing::get;
use examples_async::web::html_escape;
use shared::{Arg::Long, Context, OrExit};
use std::net::SocketAddr;

async fn index() -> Html<&'static str> {
    Html("<h1>Index</h1>")
}

async fn hello(Path(name): Path<String>) -> Html<String> {
    Html(format!("<h1>hello, {}!</h1>", html_escape(&name))) // the name as text, never as HTML
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
            let app = Router::new()
                .route("/", get(index))
                .route("/hello/{name}", get(hello));
            let listener = tokio::net::TcpListener::bind(addr).await?;
            println!("Server started at http://{}...", listener.local_addr()?);
            axum::serve(listener, app).await
        })
        .context("the server failed")
        .or_exit();
}
