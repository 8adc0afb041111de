//! # 练习 12 · two_waits: two waits, one second
//!
//! Section: async/await, <https://www.liaoxuefeng.com/wiki/1016959663602400/1048430311230688>
//!
//! Read first: `examples-async/src/bin/async_hello.rs`.
//!
//! To do: each `hello` waits one second; the program awaits one, then the other: two seconds.
//! Await them together, so that both waits overlap on the one thread: both `Hello world!` lines
//! first, both `Hello again!` lines a second later.
//!
//! Hint: `tokio::join!(a, b)` awaits two futures at once.

use shared::{Context, OrExit};
use std::time::Duration;

async fn hello(n: u32) {
    println!("Hello world! ({n})");
    tokio::time::sleep(shared::time::scaled(Duration::from_secs(1))).await;
    println!("Hello again! ({n})");
}

fn main() {
    shared::start("usage: two_waits\n\nTwo hello() tasks, each waits 1 s.").no_options();
    let event_loop = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .context("cannot start the runtime")
        .or_exit();
    event_loop.block_on(async {
        hello(1).await;
        hello(2).await;
    });
}
