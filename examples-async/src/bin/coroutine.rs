//! # coroutine: a producer and a consumer take turns on one thread
//!
//! Tutorial: 协程 (Coroutines), <https://www.liaoxuefeng.com/wiki/1016959663602400/1017968846697824>
//! Book: `book/src/coroutines.md`, built as `book/book/coroutines.html`; 中文版 `book/book/zh-CN/coroutines.html`
//!
//! Python sample: [coroutine.py](https://github.com/michaelliao/learn-python3/blob/master/samples/async/coroutine.py)
//!
//! ```text
//! cargo run -p examples-async --bin coroutine
//! ```
//!
//! Output:
//!
//! ```text
//! [PRODUCER] Producing 1...
//! [CONSUMER] Consuming 1...
//! [PRODUCER] Consumer return: 200 OK
//! [PRODUCER] Producing 2...
//! [CONSUMER] Consuming 2...
//! [PRODUCER] Consumer return: 200 OK
//! [PRODUCER] Producing 3...
//! [CONSUMER] Consuming 3...
//! [PRODUCER] Consumer return: 200 OK
//! [PRODUCER] Producing 4...
//! [CONSUMER] Consuming 4...
//! [PRODUCER] Consumer return: 200 OK
//! [PRODUCER] Producing 5...
//! [CONSUMER] Consuming 5...
//! [PRODUCER] Consumer return: 200 OK
//! ```
//!
//! What to notice: there is one thread and no lock. `consumer` runs until its `yield`
//! (`yielder.suspend`), which hands `r` back to `produce` and pauses the consumer right there;
//! `c.resume(n)` (Python's `c.send(n)`) wakes it up at the same spot with `n` as the value of the
//! `yield`. The two functions take turns because each decides when to give way.
//!
//! What Rust does differently: stable Rust has no generators (`yield` is reserved for them but
//! unstable), so this uses the corosensei crate: a stackful coroutine, with a stack of its own,
//! whose `suspend` passes a value out and returns the value passed back in. The first
//! `resume(None)` is Python's `c.send(None)`: it starts the consumer and runs it to its first
//! `yield`. Python's `c.close()` raises GeneratorExit inside the consumer; here the producer sends
//! `None`, which the consumer takes as "stop" (its own `if not n: return`), so it ends normally.
//! async/await (next examples) is the same idea with the compiler writing the state machine.
//!
//! Try: make `consumer` return after its second item (`if n == 2 { return; }` after the
//! `println!`): `produce` sees `CoroutineResult::Return` and stops, like Python's StopIteration.

use corosensei::{Coroutine, CoroutineResult, Yielder};

const USAGE: &str =
    "usage: coroutine\n\nA producer sends 1 to 5 to a consumer coroutine, one thread, no lock.";

/// The consumer: `yield r` hands back the last result and receives the next `n`.
fn consumer(yielder: &Yielder<Option<u32>, &'static str>, first: Option<u32>) {
    // Started by `resume(None)`: nothing to consume yet.
    debug_assert!(first.is_none());
    let mut r = "";
    loop {
        let n = yielder.suspend(r); // n = yield r
        let Some(n) = n else {
            return;
        };
        println!("[CONSUMER] Consuming {n}...");
        r = "200 OK";
    }
}

fn produce(c: &mut Coroutine<Option<u32>, &'static str, ()>) {
    c.resume(None); // c.send(None): run the consumer up to its first yield
    let mut n = 0;
    while n < 5 {
        n += 1;
        println!("[PRODUCER] Producing {n}...");
        match c.resume(Some(n)) {
            CoroutineResult::Yield(r) => println!("[PRODUCER] Consumer return: {r}"),
            CoroutineResult::Return(()) => return,
        }
    }
    c.resume(None); // c.close(): tell the consumer to stop
}

fn main() {
    shared::start(USAGE).no_options();
    let mut c = Coroutine::new(consumer); // c = consumer()
    produce(&mut c);
    assert!(c.done(), "the consumer has returned");
}
