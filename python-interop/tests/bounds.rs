//! What the server bounds and waits for, as a client sees it on the wire: a request and a queue
//! bounded in bytes (a peer past a bound is refused, the others served on), and a `get` that
//! waits for a task held by another connection rather than calling the queue empty.

use harness::manager::*;
use python_interop::manager::MAX_QUEUE_BYTES;
use python_interop::pickle::{Value, loads};
use python_interop::wire::{Connection, MAX_FRAME};
use std::time::{Duration, Instant};

/// The kind of the reply (`#RETURN`, `#TRACEBACK`...) and the rest of it, as text.
fn answer(c: &mut Connection, frame: &[u8]) -> (String, String) {
    c.send_bytes(frame).unwrap();
    let reply = loads(&c.recv_bytes(MAX_FRAME).unwrap().unwrap()).unwrap();
    let Value::Tuple(reply) = reply else {
        panic!("{reply:?}")
    };
    (reply[0].to_string(), reply[1].to_string())
}

/// A 60 KB string named 17 times through the memo (1 MB once read) is refused as a request;
/// named 4 times (240 KB), it is taken until the queue holds its bytes, then refused; a client
/// is served all the same.
#[test]
fn puts_past_the_bounds_in_bytes_are_refused_and_the_others_served() {
    let (server, addr) = empty_server();
    let (mut c, ident) = task_queue_proxy(&addr);
    let Value::Str(ident) = ident else { panic!() };
    c.set_deadline(Some(Instant::now() + Duration::from_secs(60)));
    let (kind, said) = answer(&mut c, &memo_put(&ident, 60_000, 16, b'x'));
    assert_eq!(kind, "#TRACEBACK");
    assert!(
        said.contains("too many copies of memoized values"),
        "{said}"
    );
    let mut taken = 0;
    let said = loop {
        match answer(&mut c, &memo_put(&ident, 60_000, 3, b'x')) {
            (kind, _) if kind == "#RETURN" => taken += 1,
            (_, said) => break said,
        }
        assert!(taken < 100, "a queue bounded in bytes takes about 69");
    };
    assert!(said.contains("put() refused: the queue holds "), "{said}");
    let task = queue_of(&server, "get_task_queue");
    assert!(task.bytes() <= MAX_QUEUE_BYTES && taken >= 60, "{taken}");
    // The other queue, and the other clients, are served.
    let (_, result) = task_and_result(&addr);
    result.put("7 * 7 = 49").unwrap();
    let results = queue_of(&server, "get_result_queue");
    assert_eq!(
        results.get(Duration::from_secs(5)),
        Some("7 * 7 = 49".into())
    );
    // A refusal's message shows a bounded part of the value, with its length.
    let mut frame = memo_put(&ident, 60_000, 3, b'x');
    let n = frame.len();
    frame[n - 2] = b'l'; // a list, not a request
    let (kind, said) = answer(&mut c, &frame);
    assert_eq!(kind, "#TRACEBACK");
    assert!(said.len() < 1000 && said.contains(" bytes)"), "{said}");
    server.shutdown();
}

/// A `get` that finds the queue empty while another connection holds a task waits past its own
/// timeout, and takes the task when that connection leaves without finishing it; `get_nowait`
/// still answers at once.
#[test]
fn a_get_waits_for_a_task_held_elsewhere_and_takes_it_given_back() {
    let (server, addr) = server_with_tasks(1);
    let (holder, _) = task_and_result(&addr);
    assert_eq!(holder.get(Duration::from_secs(5)).unwrap(), Value::Int(0));
    let (mut c, ident) = task_queue_proxy(&addr);
    let started = Instant::now();
    let (kind, _) = answer(
        &mut c,
        &python_interop::pickle::dumps(&request(ident, "get_nowait", vec![])),
    );
    assert_eq!(kind, "#ERROR");
    assert!(started.elapsed() < Duration::from_secs(1));
    let waiter = std::thread::spawn(move || {
        let (task, _) = task_and_result(&addr);
        task.get(Duration::from_millis(200))
    });
    std::thread::sleep(Duration::from_millis(700)); // past the waiter's own 200 ms
    assert!(!waiter.is_finished(), "it waits for the task held");
    drop(holder); // leaves without a result: the task goes back
    assert_eq!(waiter.join().unwrap().unwrap(), Value::Int(0));
    server.shutdown();
}
