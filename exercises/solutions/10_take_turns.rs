//! # 练习 10 · take_turns: producer and consumer take turns
//!
//! Section: 协程 (Coroutines), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017968846697824>
//!
//! Read first: `examples-async/src/bin/coroutine.rs`.
//!
//! To do: the consumer is a coroutine: it takes a number, prints that it consumes it, answers
//! `200 OK` and waits for the next. The producer produces five numbers but never hands one
//! over. Make it send each to the consumer and print the answer, so that the two take turns on
//! this one thread: `Producing 1`, `Consuming 1`, `Consumer return: 200 OK`, then 2...
//!
//! Hint: `consumer.resume(n)` runs the consumer until its next `suspend`, and gives back what it
//! passed there (`CoroutineResult::Yield(answer)`).

use corosensei::{Coroutine, CoroutineResult};

fn main() {
    shared::start("usage: take_turns\n\nA producer and a consumer coroutine.").no_options();
    let mut consumer = Coroutine::<u32, &str, ()>::new(|yielder, mut n| {
        loop {
            println!("[CONSUMER] Consuming {n}...");
            n = yielder.suspend("200 OK");
        }
    });
    for n in 1..=5 {
        println!("[PRODUCER] Producing {n}...");
        // Control goes to the consumer, and comes back at its `suspend`, with its answer.
        if let CoroutineResult::Yield(answer) = consumer.resume(n) {
            println!("[PRODUCER] Consumer return: {answer}");
        }
    }
}
