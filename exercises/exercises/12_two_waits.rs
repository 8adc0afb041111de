//! # 练习 12 · two_waits: 两次等待，一秒 · two waits, one second
//!
//! Section: async/await, <https://www.liaoxuefeng.com/wiki/1016959663602400/1048430311230688>
//!
//! Read first: `examples-async/src/bin/async_hello.rs`.
//!
//! 要做：每个 `hello` 等待一秒；程序先 await 一个，再 await 另一个：一共两秒。把它们一起 await，让
//! 两次等待在这一个线程上重叠：先是两行 `Hello world!`，一秒后是两行 `Hello again!`。
//!
//! To do: each `hello` waits one second; the program awaits one, then the other: two seconds. Await
//! them together, so that both waits overlap on the one thread: both `Hello world!` lines first,
//! both `Hello again!` lines a second later.
//!
//! 提示 1：对一个 future 使用 `.await`，会等它完成；怎样同时等待两个？
//! Hint 1: `.await` on one future waits for it to finish; how do you wait for two at once?
//!
//! 提示 2：`tokio::join!(a, b)` 同时 await 两个 future。
//! Hint 2: `tokio::join!(a, b)` awaits two futures at once.

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
