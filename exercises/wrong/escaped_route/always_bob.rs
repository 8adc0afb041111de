//! Wrong: answers GREETING, Bob! whatever the name.
//! Says: as they were given

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

async fn greet(Path((greeting, name)): Path<(String, String)>) -> Html<String> {
    Html(format!("<h1>{}, {}!</h1>", html_escape(&greeting), html_escape(&name.replace(&name, "Bob"))))
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
                .route("/greet/{greeting}/{name}", get(greet));
            let listener = tokio::net::TcpListener::bind(addr).await?;
            println!("Server started at http://{}...", listener.local_addr()?);
            axum::serve(listener, app).await
        })
        .context("the server failed")
        .or_exit();
}
