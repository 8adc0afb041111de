//! Wrong: resumes the consumer for the first number only.
//! Says: turns

use corosensei::{Coroutine, CoroutineResult};

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
        // Control goes to the consumer, and comes back at its `suspend`, with its answer.
        if i > 1 {
            continue;
        }
        if let CoroutineResult::Yield(answer) = consumer.resume(i) {
            println!("[PRODUCER] Consumer return: {answer}");
        }
    }
}
