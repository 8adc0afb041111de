//! # 练习 10 · take_turns: 生产者和消费者轮流执行 · producer and consumer take turns
//!
//! Section: 协程 (Coroutines), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017968846697824>
//!
//! Read first: `examples-async/src/bin/coroutine.rs`.
//!
//! 要做：消费者是一个协程：它接收一个数，输出正在消费这个数，回答 `200 OK`，然后等待下一个。生产者
//! 生产 N 个数（N 是命令行参数，默认 5），却一个也没有交出去。让它把每个数发给消费者，并输出消费者
//! 的回答，使两者在这一个线程上轮流执行：`Producing 1`、`Consuming 1`、`Consumer return: 200 OK`，
//! 然后是 2……
//!
//! To do: the consumer is a coroutine: it takes a number, prints that it consumes it, answers `200
//! OK` and waits for the next. The producer produces N numbers (N is the argument, 5 by default)
//! but never hands one over. Make it send each to the consumer and print the answer, so that the
//! two take turns on this one thread: `Producing 1`, `Consuming 1`, `Consumer return: 200 OK`, then
//! 2...
//!
//! 提示 1：在 Python 里，生产者用 `c.send(n)` 把控制权交给消费者；这里对应的是哪个方法？
//! Hint 1: in Python the producer hands control to the consumer with `c.send(n)`; which method is
//! that here?
//!
//! 提示 2：`consumer.resume(n)` 让消费者运行到下一个 `suspend`，并带回它在那里交出的值
//! （`CoroutineResult::Yield(answer)`）。
//! Hint 2: `consumer.resume(n)` runs the consumer until its next `suspend`, and gives back what it
//! passed there (`CoroutineResult::Yield(answer)`).

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
        if let CoroutineResult::Yield(answer) = consumer.resume(i) {
            println!("[PRODUCER] Consumer return: {answer}");
        }
    }
}
