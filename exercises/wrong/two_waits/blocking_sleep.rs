//! Wrong: awaited together, but each hello blocks the thread in std::thread::sleep.
//! Says: did not overlap

use shared::{Context, OrExit};
use std::time::Duration;

async fn hello(n: u32) {
    println!("Hello world! ({n})");
    std::thread::sleep(shared::time::scaled(Duration::from_secs(1)));
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
        tokio::join!(hello(1), hello(2)); // both wait at once
    });
}
