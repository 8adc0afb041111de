//! A `multiprocessing.managers.BaseManager` that serves queues, and its client side, on
//! Python's own wire, so that either side talks to Python's.
//!
//! - [`queue`]: the queue itself, Python's `queue.Queue`, shared by threads.
//! - [`server`]: a server ([`BaseManager::start`]), a thread per connection, as Python's
//!   manager has.
//! - [`client`]: a client ([`BaseManager::connect`]), proxies whose `get` and `put` go over the
//!   network.
//!
//! A server is made from the queues it serves ([`Served`]), a client from the names it asks for
//! ([`Names`]): a server without its queue, or a client that serves, does not compile.
//!
//! Every connection starts with the authkey handshake both ways ([`crate::wire`]); then each
//! request is a pickle ([`crate::pickle`]) of `(ident, method, args, kwds)` and each reply one of
//! `('#RETURN', value)`, `('#ERROR', exception)` or `('#TRACEBACK', text)`: [`Request`] and
//! [`Reply`] read and write them, for both sides.

pub mod client;
mod log;
pub mod queue;
pub mod server;
mod slots;

pub use client::{Client, Proxy};
pub use queue::Queue;
pub use server::{HELD_WAIT, MAX_CONNECTIONS, MAX_HANDSHAKES, MAX_QUEUE_BYTES, MAX_TRIES, Server};

use crate::pickle::{self, Value, repr, repr_within};
use crate::{Error, Result, printable};

/// The queues a server serves, each under its typeid: Python's
/// `QueueManager.register(typeid, callable=lambda: queue)` on the serving side.
#[derive(Default, Clone)]
pub struct Served {
    queues: Vec<(String, Queue)>,
}

impl Served {
    /// No queue yet.
    pub fn new() -> Served {
        Served::default()
    }

    /// Serves `queue` under `typeid` (a client's `m.get_task_queue()` reaches it).
    pub fn register(&mut self, typeid: &str, queue: &Queue) {
        self.queues.push((typeid.to_string(), queue.clone()));
    }
}

/// The typeids a client asks a server for: Python's `QueueManager.register(typeid)` on the
/// connecting side, a name only.
#[derive(Default, Clone)]
pub struct Names {
    typeids: Vec<String>,
}

impl Names {
    /// No name yet.
    pub fn new() -> Names {
        Names::default()
    }

    /// Asks for the queue the server serves under `typeid`.
    pub fn register(&mut self, typeid: &str) {
        self.typeids.push(typeid.to_string());
    }
}

/// Python's `BaseManager(address, authkey)`: with the queues it serves ([`Served`]) it can
/// [`start`](BaseManager::start), with the names it asks for ([`Names`]) it can
/// [`connect`](BaseManager::connect).
pub struct BaseManager<R> {
    registry: R,
    address: String,
    authkey: Vec<u8>,
}

impl<R> BaseManager<R> {
    /// A manager for `address` (`HOST:PORT`) and `authkey`, which never crosses the wire.
    pub fn new(registry: R, address: &str, authkey: &[u8]) -> BaseManager<R> {
        BaseManager {
            registry,
            address: address.to_string(),
            authkey: authkey.to_vec(),
        }
    }
}

impl BaseManager<Served> {
    /// Binds the address and serves the queues on threads of their own (Python's `start()`).
    pub fn start(self) -> Result<Server> {
        server::start(self.registry, &self.address, self.authkey)
    }
}

impl BaseManager<Names> {
    /// Connects to a server and checks the key (Python's `connect()`, a `dummy` request).
    pub fn connect(self) -> Result<Client> {
        client::connect(self.registry, self.address, self.authkey)
    }
}

/// A request: `(ident, method, args, kwds)`; `ident` is `None` for the manager itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The object called: a queue's ident, or `None` for the manager.
    pub ident: Value,
    /// The method's name: `get`, `put`, `create`...
    pub method: String,
    /// Positional arguments.
    pub args: Vec<Value>,
    /// Keyword arguments.
    pub kwds: Vec<(Value, Value)>,
}

impl Request {
    /// A call of `method` with positional `args`.
    pub fn new(ident: Value, method: &str, args: Vec<Value>) -> Request {
        Request {
            ident,
            method: method.to_string(),
            args,
            kwds: Vec::new(),
        }
    }

    /// The pickle that carries it.
    pub fn encode(&self) -> Vec<u8> {
        pickle::dumps(&Value::Tuple(vec![
            self.ident.clone(),
            self.method.as_str().into(),
            Value::Tuple(self.args.clone()),
            Value::Dict(self.kwds.clone()),
        ]))
    }

    /// The request in a frame, or why it is not one ([`Error::Protocol`], for the log and the
    /// traceback).
    pub fn decode(frame: &[u8]) -> Result<Request> {
        let not_one = |why: String| Error::Protocol(why);
        let parts = match pickle::loads(frame)? {
            Value::Tuple(parts) => <[Value; 4]>::try_from(parts),
            other => {
                return Err(not_one(format!(
                    "a request that is not a tuple: {}",
                    repr_within(&other, 200)
                )));
            }
        };
        match parts {
            Ok(
                [
                    ident,
                    Value::Str(method),
                    Value::Tuple(args),
                    Value::Dict(kwds),
                ],
            ) => Ok(Request {
                ident,
                method,
                args,
                kwds,
            }),
            _ => Err(not_one(
                "a request that is not (ident, method, args, kwds)".into(),
            )),
        }
    }

    /// An argument by position or by name: `get(True, 1)` or `get(timeout=1)`.
    pub fn arg(&self, at: usize, name: &str) -> Option<&Value> {
        self.args.get(at).or_else(|| {
            let name = Value::from(name);
            self.kwds.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
        })
    }
}

/// A reply: what a request returned, or the exception it raised.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `('#RETURN', value)`
    Return(Value),
    /// `('#ERROR', queue.Empty())`: the one exception we send (a `get` that timed out).
    Empty,
    /// `('#TRACEBACK', text)`: a Python client raises `RemoteError` with the text.
    Traceback(String),
}

impl Reply {
    /// `('#TRACEBACK', ...)` for what we do not serve.
    pub fn not_served(what: &str) -> Reply {
        Reply::Traceback(format!(
            "Traceback: the Rust manager does not serve this: {what}\n"
        ))
    }

    /// The pickle that carries it.
    pub fn encode(&self) -> Vec<u8> {
        let (kind, value) = match self {
            Reply::Return(value) => ("#RETURN", value.clone()),
            Reply::Empty => ("#ERROR", Value::QueueEmpty),
            Reply::Traceback(text) => ("#TRACEBACK", text.as_str().into()),
        };
        pickle::dumps(&Value::Tuple(vec![kind.into(), value]))
    }

    /// The reply to `method` in a frame: its value, `Error::Empty`, or the failure in words.
    pub fn decode(frame: &[u8], method: &str) -> Result<Value> {
        let failed = |why: String| Error::Failed(format!("the master's answer to {method}{why}"));
        let reply = pickle::loads(frame).map_err(|e| failed(format!(": {e}")))?;
        let Value::Tuple(parts) = reply else {
            return Err(failed(" is not a tuple".into()));
        };
        let Ok([Value::Str(kind), value]) = <[Value; 2]>::try_from(parts) else {
            return Err(failed(" is not (kind, value)".into()));
        };
        let said = match (kind.as_str(), value) {
            ("#RETURN", value) => return Ok(value),
            ("#ERROR", Value::QueueEmpty) => return Err(Error::Empty),
            // A traceback's last line says what was raised.
            (_, Value::Str(text)) => text
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim()
                .to_string(),
            (_, value) => repr_within(&value, 200),
        };
        Err(Error::Failed(format!(
            "the master failed {method} ({kind}): {}",
            printable(&said)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_replies_come_back_as_they_went() {
        let mut get = Request::new("7f00".into(), "get", vec![]);
        get.kwds.push(("timeout".into(), Value::Float(0.5)));
        assert_eq!(Request::decode(&get.encode()).unwrap(), get);
        assert_eq!(get.arg(1, "timeout"), Some(&Value::Float(0.5)));
        assert_eq!(get.arg(0, "block"), None);
        assert!(Request::decode(&pickle::dumps(&Value::Int(1))).is_err());
        let put = Request::new(Value::None, "put", vec![Value::Int(1), Value::Int(2)]);
        assert_eq!(put.arg(1, "timeout"), Some(&Value::Int(2)));

        let returned = Reply::Return(Value::Int(7)).encode();
        assert_eq!(Reply::decode(&returned, "get").unwrap(), Value::Int(7));
        let empty = Reply::decode(&Reply::Empty.encode(), "get");
        assert!(matches!(empty, Err(Error::Empty)));
        let traceback = Reply::not_served("join()").encode();
        let Err(Error::Failed(why)) = Reply::decode(&traceback, "join") else {
            panic!("a traceback is a failure");
        };
        assert_eq!(
            why,
            "the master failed join (#TRACEBACK): Traceback: the Rust manager does not serve this: join()"
        );
    }
}

#[cfg(test)]
mod end_to_end {
    //! A server and a client of this module, talking over loopback.
    use super::*;
    use std::thread;
    use std::time::{Duration, Instant};

    fn start(key: &[u8]) -> (Server, Queue, Queue) {
        let (task, result) = (Queue::new(), Queue::new());
        let mut served = Served::new();
        served.register("get_task_queue", &task);
        served.register("get_result_queue", &result);
        let server = BaseManager::new(served, "127.0.0.1:0", key)
            .start()
            .unwrap();
        (server, task, result)
    }

    fn client(server: &Server, key: &[u8]) -> Result<Client> {
        let mut names = Names::new();
        names.register("get_task_queue");
        names.register("get_result_queue");
        BaseManager::new(names, &server.address().to_string(), key).connect()
    }

    #[test]
    fn a_client_gets_and_puts_and_hears_empty() {
        let (server, task, result) = start(b"abc");
        task.put(7i64);
        let m = client(&server, b"abc").unwrap();
        let (t, r) = (
            m.queue("get_task_queue").unwrap(),
            m.queue("get_result_queue").unwrap(),
        );
        assert_eq!(t.get(Duration::from_secs(1)).unwrap(), Value::Int(7));
        r.put("7 * 7 = 49").unwrap();
        assert_eq!(result.get(Duration::ZERO), Some(Value::from("7 * 7 = 49")));
        assert!(matches!(
            t.get(Duration::from_millis(50)),
            Err(Error::Empty)
        ));
        assert!(m.queue("get_other_queue").is_err());
        server.shutdown();
    }

    #[test]
    fn a_wrong_key_is_refused() {
        let (server, _, _) = start(b"abc");
        let err = client(&server, b"abd").err().unwrap().to_string();
        assert!(err.contains("refused the authkey"), "{err}");
    }

    /// A server with the tasks 1, 2 and 3; a client that does `work` with the task and result
    /// queues and leaves; then what is in the task queue (waiting up to 5 s for `left` tasks),
    /// and how many results.
    fn leaves_behind(left: usize, work: impl FnOnce(&Proxy, &Proxy)) -> (Vec<Value>, usize) {
        let (server, task, result) = start(b"abc");
        [1i64, 2, 3].into_iter().for_each(|n| task.put(n));
        {
            let m = client(&server, b"abc").unwrap();
            let queue = |typeid| m.queue(typeid).unwrap();
            work(&queue("get_task_queue"), &queue("get_result_queue"));
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while task.qsize() < left && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        let tasks = std::iter::from_fn(|| task.get(Duration::ZERO)).collect();
        (tasks, result.qsize())
    }

    #[test]
    fn a_task_with_its_result_is_done_and_one_without_goes_back() {
        let got = |t: &Proxy| t.get(Duration::from_secs(1)).unwrap();
        let left = leaves_behind(2, |t, r| {
            assert_eq!(got(t), Value::Int(1));
            r.put("1 done").unwrap(); // one task, one result: task 1 is done
            assert_eq!(got(t), Value::Int(2));
        }); // gone with task 2
        assert_eq!(left, (vec![Value::Int(2), Value::Int(3)], 1));
    }

    #[test]
    fn a_result_that_cannot_say_for_which_task_settles_none() {
        let got = |t: &Proxy| t.get(Duration::from_secs(1)).unwrap();
        let left = leaves_behind(3, |t, r| {
            assert_eq!((got(t), got(t)), (Value::Int(1), Value::Int(2)));
            r.put("2 done").unwrap(); // two tasks, one result: either may still be running
        });
        // Both go back, in order: task 2 may run twice, task 1 is not lost.
        assert_eq!(left, (vec![Value::Int(1), Value::Int(2), Value::Int(3)], 1));
    }

    #[test]
    fn shutdown_wakes_a_waiting_get() {
        let (server, _, _) = start(b"abc");
        let m = client(&server, b"abc").unwrap();
        let t = m.queue("get_task_queue").unwrap();
        let started = Instant::now();
        let waiter = thread::spawn(move || {
            thread::sleep(Duration::from_millis(100));
            server.shutdown();
        });
        assert!(matches!(t.get(Duration::from_secs(20)), Err(Error::Empty)));
        assert!(started.elapsed() < Duration::from_secs(5));
        waiter.join().unwrap();
    }
}

/// What a worker does with a task: it must be an integer.
impl Value {
    /// The integer in it, or an error naming what came instead.
    pub fn into_int(self) -> Result<i64> {
        self.as_int()
            .ok_or_else(|| Error::Failed(format!("not an integer: {}", printable(&repr(&self)))))
    }
}
