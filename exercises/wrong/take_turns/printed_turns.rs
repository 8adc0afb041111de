//! Wrong: the three lines printed by the producer, no coroutine resumed.
//! Says: resume

use corosensei::Coroutine;

fn main() {
    let mut args = shared::start("usage: take_turns [N]\n\nA producer and a consumer coroutine take turns, N times (5 by default).");
    let mut n = 5u32;
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Value(value) => n = shared::cli::parse(value),
            other => shared::unexpected(other),
        }
    }
    let mut consumer = Coroutine::<u32, &str, ()>::new(|yielder, mut n| {
        loop {
            println!("[CONSUMER] Consuming {n}...");
            n = yielder.suspend("200 OK");
        }
    });
    for i in 1..=n {
        println!("[PRODUCER] Producing {i}...");
        let _ = &mut consumer;
        println!("[CONSUMER] Consuming {i}...");
        println!("[PRODUCER] Consumer return: 200 OK");
    }
}
