//! # async_hello: two tasks wait at the same time, on one thread
//!
//! Tutorial: asyncio and async/await, <https://www.liaoxuefeng.com/wiki/1016959663602400/1017970488768640>
//! and <https://www.liaoxuefeng.com/wiki/1016959663602400/1048430311230688>
//! Book: `book/src/async-await.md`, built as `book/book/async-await.html`; 中文版 `book/book/zh-CN/async-await.html`
//!
//! Python sample: [async_hello2.py](https://github.com/michaelliao/learn-python3/blob/master/samples/async/async_hello2.py)
//! (the async/await version of [async_hello.py](https://github.com/michaelliao/learn-python3/blob/master/samples/async/async_hello.py))
//!
//! ```text
//! cargo run -p examples-async --bin async_hello
//! cargo run -p examples-async --bin async_hello -- --timeline    # draw the two waits
//! ```
//!
//! Output: (Python prints `<_MainThread(MainThread, started 140735195337472)>` for the thread; the
//! two `Hello again!` come about 1 second after the two `Hello world!`)
//!
//! ```text
//! Hello world! (thread main, ThreadId(1))
//! Hello world! (thread main, ThreadId(1))
//! Hello again! (thread main, ThreadId(1))
//! Hello again! (thread main, ThreadId(1))
//! Elapsed: 1.00 s for two waits of 1 s each.
//! ```
//!
//! With the tutorial's timings the last line reads `Elapsed: 1.00 s for two waits of 1 s each.`
//!
//! What to notice: both `hello` calls run on the same thread, and the whole run takes about 1 s,
//! not 2: while the first waits in `sleep(...).await`, the event loop runs the second, and then
//! both waits run out together.
//!
//! What Rust does differently: an `async fn` does nothing until something polls it, like a Python
//! coroutine object before the event loop runs it. The event loop is a tokio runtime, built here
//! by hand as a single-threaded one (`new_current_thread`) so that it matches asyncio's; its
//! `block_on` is `run_until_complete`. `tokio::join!` is closest to `asyncio.gather`: it polls
//! both futures by turns inside one task (nothing is spawned) until both are done. The 1 s
//! sleep is scaled by `TUTORIAL_TIME_SCALE`.
//!
//! The Python samples fail on Python 3.11 and later: `async_hello.py` because `@asyncio.coroutine`
//! is gone (write `async def` and `await` in place of `yield from`: that is `async_hello2.py`),
//! and `async_hello2.py` with `TypeError: Passing coroutines is forbidden`. The smallest fix:
//! `asyncio.gather(*tasks)` in place of `asyncio.wait(tasks)`. (From 3.12 Python also warns that
//! `get_event_loop()` found no running loop; `asyncio.run` is the current way.)
//!
//! Try: replace `tokio::time::sleep(...).await` with `std::thread::sleep(...)` (a blocking
//! wait): the second "Hello world!" now comes after the first "Hello again!", and the run takes 2 s.

use shared::{OrExit, timeline};
use std::time::{Duration, Instant};

const USAGE: &str = "\
usage: async_hello [--timeline] [--trace FILE]

Two hello() tasks each wait 1 s on one thread; the run takes about 1 s. --timeline draws both
tasks' waits, on the one thread, after the output; --trace FILE writes the same as Chrome
trace-event JSON (for ui.perfetto.dev).";

/// The current thread, as Python's `threading.current_thread()` shows it.
fn current_thread() -> String {
    let thread = std::thread::current();
    format!(
        "thread {}, {:?}",
        thread.name().unwrap_or("<unnamed>"),
        thread.id()
    )
}

async fn hello(task: u32) {
    println!("Hello world! ({})", current_thread());
    let _waiting = timeline::wait(
        format!("task {task}"),
        format!("sleep on {}", current_thread()),
    );
    tokio::time::sleep(shared::time::scaled(Duration::from_secs(1))).await;
    println!("Hello again! ({})", current_thread());
}

fn main() {
    shared::start_with_timeline(USAGE).no_options();
    // loop = asyncio.get_event_loop(): one thread runs every task.
    let event_loop = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap_or_else(|e| shared::exit_error(format!("cannot start the runtime: {e}")));
    let start = Instant::now();
    let tasks = async { tokio::join!(hello(1), hello(2)) }; // tasks = [hello(), hello()]
    event_loop.block_on(tasks); // loop.run_until_complete(asyncio.wait(tasks))
    drop(event_loop); // loop.close()
    println!(
        "Elapsed: {:.2} s for two waits of {} s each.",
        start.elapsed().as_secs_f64(),
        shared::time::scaled(Duration::from_secs(1)).as_secs_f64()
    );
    timeline::print().or_exit(); // with --timeline: the two waits, side by side
}
