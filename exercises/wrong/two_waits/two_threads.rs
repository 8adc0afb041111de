//! Wrong: two OS threads, each with its own wait.
//! Says: threads

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
    let _ = event_loop;
    std::thread::scope(|s| {
        for n in [1, 2] {
            s.spawn(move || {
                println!("Hello world! ({n})");
                std::thread::sleep(shared::time::scaled(Duration::from_secs(1)));
                println!("Hello again! ({n})");
            });
        }
    });
}
