//! # 练习 13 · escaped_route: 每个问候语和名字一个页面，而且安全 · a page for every greeting and name, safely
//!
//! Section: aiohttp, <https://www.liaoxuefeng.com/wiki/1016959663602400/1017985577429536>
//!
//! Read first: `examples-async/src/bin/aio_web.rs`.
//!
//! 要做：服务器只响应 `/`。加上一个有两个参数的路由 `/greet/{greeting}/{name}`（原例的 `/hello/{name}`
//! 只有一个参数），返回 `<h1>GREETING, NAME!</h1>`，两个参数都要经过 HTML 转义：`/greet/<b>Hi/Bob`
//! 必须显示文字 `<b>Hi, Bob!`，而不是粗体的 Hi（更不能运行访客的 `<script>`）。
//!
//! To do: the server answers `/` only. Add a route with two parameters, `/greet/{greeting}/{name}`
//! (the sample's `/hello/{name}` has one), which answers `<h1>GREETING, NAME!</h1>`, with both
//! HTML-escaped: `/greet/<b>Hi/Bob` must show the text `<b>Hi, Bob!`, not Hi in bold (nor run a
//! visitor's `<script>`).
//!
//! 提示 1：一个带两个参数的路由，再加一个处理函数；每个参数放进 HTML 之前都要先转义。
//! Hint 1: a route with two parameters, and a handler; each parameter is escaped before it goes
//! into the HTML.
//!
//! 提示 2：`.route("/greet/{greeting}/{name}", get(greet))`，其中 `greet` 接
//! 收 `Path((greeting, name)): Path<(String, String)>`；`examples_async::web::html_escape` 负责转义。
//! Hint 2: `.route("/greet/{greeting}/{name}", get(greet))`, where `greet` takes `Path((greeting,
//! name)): Path<(String, String)>`; `examples_async::web::html_escape` escapes.

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
