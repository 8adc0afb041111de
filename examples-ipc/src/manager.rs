//! A `multiprocessing.managers.BaseManager` that serves queues, and its client side.
//!
//! **The server** ([`BaseManager::start`]) does what Python's does for the tutorial: every
//! connection is authenticated both ways ([`crate::wire`]), then carries one request,
//! `(ident, method, args, kwds)`, pickled ([`crate::pickle`]). `dummy`, `create` (a registered
//! typeid; the reply is the queue's ident and its method names), `incref`, `decref` and
//! `shutdown` get their reply and the connection ends; `accept_connection` turns it into a
//! proxy's connection, where `get` (with `block`, `timeout`), `get_nowait`, `put`,
//! `put_nowait`, `qsize`, `empty` and `full` are served until the client leaves. A `get` that
//! finds nothing replies `('#ERROR', queue.Empty())`; anything else we do not serve replies
//! `('#TRACEBACK', text)`, which a Python client raises as `RemoteError`.
//!
//! **Threads**, one per connection, as Python's manager: the tutorial teaches 分布式进程 before
//! 异步IO, a blocking `get(timeout=1)` is then just a wait on a condition variable, and a
//! learner can read the server top to bottom. Connections are capped ([`MAX_CONNECTIONS`]); at the
//! cap, the oldest connection still in its handshake is closed to make room, so that peers that
//! never authenticate cannot lock out the workers that do (a handshake takes milliseconds).
//!
//! **Better than Python**, on Python's wire:
//! - a task that a connection took with `get` and has not answered with a `put` on another
//!   queue when it closes goes back to the front of its queue: a worker killed mid-task loses
//!   nothing (each `put` settles the oldest task its connection holds);
//! - a wrong key, garbage, an oversized frame, a peer that does not authenticate within
//!   [`AUTH_WAIT`]: one line on stderr, that connection ends, the others carry on;
//! - `accept` errors (such as too many open files) back off instead of spinning;
//! - pickles are read without running anything, with caps.
//!
//! **The client** ([`BaseManager::connect`]) talks to any such server, Python's or ours, as
//! Python's proxies do: `dummy` to check the key, `create` for each queue, then one connection
//! (opened with `accept_connection`) carries every `get` and `put`; `decref` when a proxy is
//! dropped. Python also sends `incref` and then `decref` right after `create`: they cancel out,
//! so we skip them.

use crate::pickle::{self, Value, repr};
use crate::wire::{self, AuthError, Connection, MAX_FRAME};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

/// How long a new connection has to authenticate and send its request.
pub const AUTH_WAIT: Duration = Duration::from_secs(5);
/// How long a write to a peer may block (a peer that does not read).
const WRITE_WAIT: Duration = Duration::from_secs(10);
/// The most connections served at once.
pub const MAX_CONNECTIONS: usize = 64;
/// The most items a queue takes from the network.
pub const MAX_QUEUE: usize = 100_000;
/// How long `shutdown` lets connections finish.
const GOODBYE_WAIT: Duration = Duration::from_secs(2);
/// How long a client waits to connect.
const CONNECT_WAIT: Duration = Duration::from_secs(10);
/// How much longer than its own timeout a client waits for an answer.
const ANSWER_MARGIN: Duration = Duration::from_secs(30);
/// The method names a queue exposes, as Python's `create` lists them for `queue.Queue`.
const EXPOSED: [&str; 9] = [
    "empty",
    "full",
    "get",
    "get_nowait",
    "join",
    "put",
    "put_nowait",
    "qsize",
    "task_done",
];

/// What a queue operation can end with, besides a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// `queue.Empty`: nothing came within the timeout.
    Empty,
    /// Anything else, in one line: the network, the peer, a value we do not read.
    Failed(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Empty => f.write_str("queue.Empty"),
            Error::Failed(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for Error {}

/// Control characters escaped (`\n`, `\u{1b}`...), so that text from a peer cannot forge lines
/// or move the cursor on our terminal.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The queue

/// A FIFO queue shared by threads, Python's `queue.Queue` (unbounded).
#[derive(Clone, Default)]
pub struct Queue(Arc<QueueInner>);

#[derive(Default)]
struct QueueInner {
    state: Mutex<QueueState>,
    ready: Condvar,
}

#[derive(Default)]
struct QueueState {
    items: VecDeque<Value>,
    /// Set by shutdown: a `get` on an empty queue no longer waits.
    closed: bool,
}

impl Queue {
    pub fn new() -> Queue {
        Queue::default()
    }

    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.0.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `queue.put(item)`.
    pub fn put(&self, item: impl Into<Value>) {
        self.lock().items.push_back(item.into());
        self.0.ready.notify_one();
    }

    /// `queue.get(timeout=...)`: the first item, waiting at most `timeout` for one.
    pub fn get(&self, timeout: Duration) -> Result<Value, Error> {
        self.get_until(Instant::now().checked_add(timeout))
    }

    /// The first item, waiting until `deadline` (`None`: for ever, unless closed).
    fn get_until(&self, deadline: Option<Instant>) -> Result<Value, Error> {
        let mut state = self.lock();
        loop {
            if let Some(item) = state.items.pop_front() {
                return Ok(item);
            }
            if state.closed {
                return Err(Error::Empty);
            }
            state = match deadline {
                None => self.0.ready.wait(state).unwrap_or_else(|e| e.into_inner()),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(Error::Empty);
                    }
                    self.0
                        .ready
                        .wait_timeout(state, left)
                        .unwrap_or_else(|e| e.into_inner())
                        .0
                }
            };
        }
    }

    /// How many items wait.
    pub fn qsize(&self) -> usize {
        self.lock().items.len()
    }

    /// Back to the front: the next `get` hands it out again.
    fn put_back(&self, item: Value) {
        self.lock().items.push_front(item);
        self.0.ready.notify_one();
    }

    fn close(&self) {
        self.lock().closed = true;
        self.0.ready.notify_all();
    }

    fn same(&self, other: &Queue) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

// ---------------------------------------------------------------------------------------------
// The manager

/// The typeids a manager knows: Python's `QueueManager.register(...)` calls.
#[derive(Default, Clone)]
pub struct Registry {
    typeids: Vec<(String, Option<Queue>)>,
}

impl Registry {
    pub fn new() -> Registry {
        Registry::default()
    }

    /// `register(typeid, callable)`: a server serves `queue` under `typeid`; a client registers
    /// the name only (`None`).
    pub fn register(&mut self, typeid: &str, queue: Option<&Queue>) {
        self.typeids.push((typeid.to_string(), queue.cloned()));
    }
}

/// Python's `BaseManager(address, authkey)`: [`start`](Self::start) serves the registered
/// queues, [`connect`](Self::connect) reaches a server.
pub struct BaseManager {
    registry: Registry,
    address: String,
    authkey: Vec<u8>,
}

impl BaseManager {
    pub fn new(registry: Registry, address: &str, authkey: &[u8]) -> BaseManager {
        BaseManager {
            registry,
            address: address.to_string(),
            authkey: authkey.to_vec(),
        }
    }

    /// Binds the address and serves the queues on threads of their own.
    pub fn start(self) -> Result<Server, String> {
        let listener = TcpListener::bind(&self.address)
            .map_err(|e| format!("cannot listen on {}: {e}", self.address))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        if !address.ip().is_loopback() {
            eprintln!(
                "note: {address} is reachable from other machines: anyone with the authkey can join"
            );
        }
        let mut queues = Vec::new();
        // Idents like Python's (`'%x' % id(obj)`, opaque to clients), distinct by construction.
        let base = fastrand::u64(0x7f00_0000_0000..0x7ff0_0000_0000) & !0xfff;
        for (i, (typeid, queue)) in self.registry.typeids.into_iter().enumerate() {
            let queue = queue.ok_or_else(|| format!("{typeid} is registered without a queue"))?;
            let ident = format!("{:x}", base + 0x50 * i as u64);
            queues.push(Served {
                typeid,
                ident,
                queue,
            });
        }
        let state = Arc::new(State {
            key: self.authkey,
            queues,
            closed: AtomicBool::new(false),
            active: Mutex::new(0),
            idle: Condvar::new(),
            handshaking: Mutex::new(VecDeque::new()),
        });
        let shared = state.clone();
        thread::Builder::new()
            .name("manager-accept".into())
            .spawn(move || accept_loop(listener, shared))
            .map_err(|e| format!("cannot start the server thread: {e}"))?;
        Ok(Server { state, address })
    }

    /// Connects to a server and checks the key (Python's `connect()`, a `dummy` request).
    pub fn connect(self) -> Result<Client, String> {
        let client = Client(Rc::new(ClientInner {
            registry: self.registry,
            address: self.address,
            key: self.authkey,
            conn: RefCell::new(None),
            gone: Cell::new(false),
        }));
        let mut conn = client.0.open()?;
        client
            .0
            .dispatch(&mut conn, Value::None, "dummy", vec![], vec![], None)
            .map_err(|e| e.to_string())?;
        Ok(client)
    }
}

struct Served {
    typeid: String,
    ident: String,
    queue: Queue,
}

struct State {
    key: Vec<u8>,
    queues: Vec<Served>,
    closed: AtomicBool,
    /// Connections being served.
    active: Mutex<usize>,
    idle: Condvar,
    /// The connections still in their handshake, oldest first (a number each, and the socket,
    /// to close it if room is needed).
    handshaking: Mutex<VecDeque<(u64, TcpStream)>>,
}

impl State {
    fn shutdown(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.queues.iter().for_each(|q| q.queue.close());
    }

    fn active(&self) -> MutexGuard<'_, usize> {
        self.active.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn handshaking(&self) -> MutexGuard<'_, VecDeque<(u64, TcpStream)>> {
        self.handshaking.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The handshake of connection `id` is over: `false` if it had been closed to make room.
    fn handshake_over(&self, id: u64) -> bool {
        let mut handshaking = self.handshaking();
        let at = handshaking.iter().position(|(i, _)| *i == id);
        at.and_then(|at| handshaking.remove(at)).is_some()
    }
}

/// A running manager.
pub struct Server {
    state: Arc<State>,
    address: SocketAddr,
}

impl Server {
    /// The address it listens on (the port is known here when 0 was asked).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The queue registered under `typeid`: the master reaches its queues directly.
    pub fn queue(&self, typeid: &str) -> Queue {
        let served = self.state.queues.iter().find(|q| q.typeid == typeid);
        served.expect("a registered typeid").queue.clone()
    }

    /// Stops serving: waiting `get`s hear `queue.Empty` at once; connections get a moment to
    /// end (so that workers print their goodbye) before we return.
    pub fn shutdown(&self) {
        self.state.shutdown();
        let deadline = Instant::now() + GOODBYE_WAIT;
        let mut active = self.state.active();
        while *active > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            active = self
                .state
                .idle
                .wait_timeout(active, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

fn log(peer: SocketAddr, what: &str) {
    eprintln!("master: {peer}: {}", printable(what));
}

fn accept_loop(listener: TcpListener, state: Arc<State>) {
    let mut backoff = Duration::ZERO;
    for id in 0u64.. {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) => {
                // Too many open files, for one: wait for connections to end, do not spin.
                backoff = (backoff * 2).clamp(Duration::from_millis(10), Duration::from_secs(1));
                eprintln!("master: accept: {e}; trying again in {backoff:?}");
                thread::sleep(backoff);
                continue;
            }
        };
        backoff = Duration::ZERO;
        {
            let mut active = state.active();
            // Full: the oldest connection still in its handshake makes room (its thread ends at
            // once, so the count stays near the cap).
            let oldest = (*active >= MAX_CONNECTIONS && *active < 2 * MAX_CONNECTIONS)
                .then(|| state.handshaking().pop_front())
                .flatten();
            if let Some((_, oldest)) = oldest {
                let _ = oldest.shutdown(Shutdown::Both);
            } else if *active >= MAX_CONNECTIONS {
                log(
                    peer,
                    &format!("dropped: already {MAX_CONNECTIONS} connections"),
                );
                continue;
            }
            *active += 1;
        }
        if let Ok(socket) = stream.try_clone() {
            state.handshaking().push_back((id, socket));
        }
        let shared = state.clone();
        let spawned = thread::Builder::new()
            .name("manager-conn".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                serve(stream, peer, &shared, id);
                *shared.active() -= 1;
                shared.idle.notify_all();
            });
        if let Err(e) = spawned {
            log(peer, &format!("dropped: cannot start a thread: {e}"));
            *state.active() -= 1;
        }
    }
}

/// Python's `('#TRACEBACK', text)`: a Python client raises `RemoteError` with the text.
fn traceback(what: &str) -> Value {
    Value::Tuple(vec![
        "#TRACEBACK".into(),
        format!("Traceback: the Rust manager does not serve this: {what}\n").into(),
    ])
}

fn returned(value: Value) -> Value {
    Value::Tuple(vec!["#RETURN".into(), value])
}

/// A request's four parts: `(ident, method, args, kwds)`.
type Request = (Value, String, Vec<Value>, Vec<(Value, Value)>);

/// A request's four parts, or why not.
fn request(value: Value) -> Result<Request, String> {
    match value {
        Value::Tuple(parts) => match <[Value; 4]>::try_from(parts) {
            Ok(
                [
                    ident,
                    Value::Str(method),
                    Value::Tuple(args),
                    Value::Dict(kwds),
                ],
            ) => Ok((ident, method, args, kwds)),
            _ => Err("a request that is not (ident, method, args, kwds)".into()),
        },
        other => Err(format!("a request that is not a tuple: {}", repr(&other))),
    }
}

/// One connection: the handshake, then one request (or, after `accept_connection`, many).
fn serve(stream: TcpStream, peer: SocketAddr, state: &State, id: u64) {
    let _ = stream.set_read_timeout(Some(AUTH_WAIT));
    let _ = stream.set_write_timeout(Some(WRITE_WAIT));
    let handshake = Connection::new(stream)
        .map_err(AuthError::from)
        .and_then(|mut conn| {
            wire::deliver_challenge(&mut conn, &state.key)?;
            wire::answer_challenge(&mut conn, &state.key)?;
            Ok(conn)
        });
    if !state.handshake_over(id) {
        let why =
            format!("closed to make room, not authenticated at {MAX_CONNECTIONS} connections");
        return log(peer, &format!("dropped: {why}"));
    }
    let mut conn = match handshake {
        Ok(conn) => conn,
        Err(e) => {
            let why = match e {
                AuthError::WrongAnswer => "wrong authkey, connection refused".to_string(),
                AuthError::Refused => "it refused our answer: it has another authkey".to_string(),
                AuthError::Protocol(e) if is_timeout(&e) => {
                    format!("no handshake within {} s", AUTH_WAIT.as_secs())
                }
                AuthError::Protocol(e) => e.to_string(),
            };
            return log(peer, &format!("dropped: {why}"));
        }
    };
    let frame = match conn.recv_bytes(MAX_FRAME) {
        Ok(Some(frame)) => frame,
        Ok(None) => return,
        Err(e) if is_timeout(&e) => {
            return log(
                peer,
                &format!("dropped: no request within {} s", AUTH_WAIT.as_secs()),
            );
        }
        Err(e) => return log(peer, &format!("dropped: {e}")),
    };
    let reply = match pickle::loads(&frame)
        .map_err(|e| e.to_string())
        .and_then(request)
    {
        Err(why) => {
            log(peer, &why);
            traceback(&why)
        }
        Ok((_, method, args, _)) => match method.as_str() {
            "dummy" | "incref" | "decref" => returned(Value::None),
            "create" => match args.first() {
                Some(Value::Str(typeid)) => match state.queues.iter().find(|q| &q.typeid == typeid)
                {
                    Some(q) => {
                        let exposed = EXPOSED.iter().map(|&m| m.into()).collect();
                        returned(Value::Tuple(vec![
                            q.ident.clone().into(),
                            Value::Tuple(exposed),
                        ]))
                    }
                    None => {
                        log(peer, &format!("not served: create {}", repr(&args[0])));
                        traceback(&format!("KeyError: {}", repr(&args[0])))
                    }
                },
                _ => traceback("create without a typeid"),
            },
            "shutdown" => {
                log(peer, "asked the manager to shut down");
                state.shutdown();
                returned(Value::None)
            }
            "accept_connection" => {
                if conn
                    .send_bytes(&pickle::dumps(&returned(Value::None)))
                    .is_ok()
                {
                    let _ = conn.set_read_timeout(None);
                    serve_client(conn, peer, state);
                }
                return;
            }
            other => {
                log(peer, &format!("not served: {other}"));
                traceback(&format!("{other}()"))
            }
        },
    };
    let _ = conn.send_bytes(&pickle::dumps(&reply));
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// A proxy's connection: method calls on the queues until the client leaves. What it took and
/// did not settle goes back.
fn serve_client(mut conn: Connection, peer: SocketAddr, state: &State) {
    let mut holding: VecDeque<(Queue, Value)> = VecDeque::new();
    let ending = loop {
        let frame = match conn.recv_bytes(MAX_FRAME) {
            Ok(Some(frame)) => frame,
            Ok(None) => break None,
            Err(e) => break Some(e),
        };
        let reply = match pickle::loads(&frame)
            .map_err(|e| e.to_string())
            .and_then(request)
        {
            Err(why) => {
                log(peer, &why);
                traceback(&why)
            }
            Ok((ident, method, args, kwds)) => {
                match state
                    .queues
                    .iter()
                    .find(|q| Value::Str(q.ident.clone()) == ident)
                {
                    Some(q) => call(&q.queue, &method, args, kwds, &mut holding, peer),
                    None => traceback(&format!("KeyError: {}", repr(&ident))),
                }
            }
        };
        if let Err(e) = conn.send_bytes(&pickle::dumps(&reply)) {
            break Some(e);
        }
    };
    if let Some(e) = ending {
        log(peer, &format!("dropped: {e}"));
    }
    for (queue, item) in holding.into_iter().rev() {
        eprintln!(
            "master: {peer} left holding task {}: put back into the queue",
            printable(&item.to_string())
        );
        queue.put_back(item);
    }
}

/// An argument by position or by name.
fn arg<'a>(
    args: &'a [Value],
    kwds: &'a [(Value, Value)],
    at: usize,
    name: &str,
) -> Option<&'a Value> {
    args.get(at).or_else(|| {
        kwds.iter()
            .find(|(k, _)| *k == Value::from(name))
            .map(|(_, v)| v)
    })
}

fn call(
    queue: &Queue,
    method: &str,
    args: Vec<Value>,
    kwds: Vec<(Value, Value)>,
    holding: &mut VecDeque<(Queue, Value)>,
    peer: SocketAddr,
) -> Value {
    match method {
        "get" | "get_nowait" => {
            let block =
                method == "get" && arg(&args, &kwds, 0, "block") != Some(&Value::Bool(false));
            let timeout = match arg(&args, &kwds, 1, "timeout") {
                None | Some(Value::None) => None,
                Some(Value::Int(n)) => Some(*n as f64),
                Some(Value::Float(x)) => Some(*x),
                Some(other) => return traceback(&format!("TypeError: timeout {}", repr(other))),
            };
            let deadline = match (block, timeout) {
                (false, _) => Some(Instant::now()),
                (true, None) => None,
                (true, Some(t)) if t.is_nan() || t < 0.0 => {
                    return traceback("ValueError: 'timeout' must be a non-negative number");
                }
                (true, Some(t)) => Duration::try_from_secs_f64(t)
                    .ok()
                    .and_then(|t| Instant::now().checked_add(t)),
            };
            match queue.get_until(deadline) {
                Ok(item) => {
                    holding.push_back((queue.clone(), item.clone()));
                    returned(item)
                }
                Err(_) => Value::Tuple(vec!["#ERROR".into(), Value::QueueEmpty]),
            }
        }
        "put" | "put_nowait" => {
            let Some(item) = arg(&args, &kwds, 0, "item") else {
                return traceback("put() without an item");
            };
            if queue.qsize() >= MAX_QUEUE {
                log(
                    peer,
                    &format!("put refused: the queue holds {MAX_QUEUE} items already"),
                );
                return traceback(&format!("put() on a queue of {MAX_QUEUE} items (our cap)"));
            }
            // A put (a result) settles the oldest task this connection took from another queue.
            if let Some(at) = holding.iter().position(|(q, _)| !q.same(queue)) {
                holding.remove(at);
            }
            queue.put(item.clone());
            returned(Value::None)
        }
        "qsize" => returned(Value::Int(queue.qsize() as i64)),
        "empty" => returned(Value::Bool(queue.qsize() == 0)),
        "full" => returned(Value::Bool(false)),
        other => {
            log(peer, &format!("not served: {other}()"));
            traceback(&format!("{other}()"))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The client

/// A connection to a manager, Python's `m.connect()`.
pub struct Client(Rc<ClientInner>);

struct ClientInner {
    registry: Registry,
    address: String,
    key: Vec<u8>,
    /// The proxies' connection, opened on their first call (Python: one per thread).
    conn: RefCell<Option<Connection>>,
    /// Set when a connection to the master broke or closed: no goodbye (`decref`) then.
    gone: Cell<bool>,
}

/// A queue on the server, Python's proxy: `get` and `put` go over the network.
pub struct Proxy {
    client: Rc<ClientInner>,
    ident: String,
}

impl Client {
    /// `m.get_task_queue()`: a proxy for the queue registered under `typeid`.
    pub fn queue(&self, typeid: &str) -> Result<Proxy, String> {
        if !self.0.registry.typeids.iter().any(|(t, _)| t == typeid) {
            return Err(format!("{typeid} is not registered"));
        }
        let mut conn = self.0.open()?;
        let reply = self
            .0
            .dispatch(
                &mut conn,
                Value::None,
                "create",
                vec![typeid.into()],
                vec![],
                None,
            )
            .map_err(|e| e.to_string())?;
        match reply {
            Value::Tuple(parts) if matches!(parts.first(), Some(Value::Str(_))) => {
                let Some(Value::Str(ident)) = parts.into_iter().next() else {
                    unreachable!()
                };
                Ok(Proxy {
                    client: self.0.clone(),
                    ident,
                })
            }
            other => Err(format!(
                "create answered {}, not (ident, methods)",
                printable(&repr(&other))
            )),
        }
    }
}

impl ClientInner {
    fn went_away(&self, e: &io::Error) -> String {
        if is_timeout(e) {
            format!("the master at {} did not answer", self.address)
        } else {
            format!("the master at {} went away", self.address)
        }
    }

    /// A new authenticated connection.
    fn open(&self) -> Result<Connection, String> {
        self.open_within(CONNECT_WAIT)
    }

    fn open_within(&self, connect_wait: Duration) -> Result<Connection, String> {
        let cannot = |e: &dyn fmt::Display| format!("cannot connect to {}: {e}", self.address);
        let addrs: Vec<SocketAddr> = self
            .address
            .to_socket_addrs()
            .map_err(|e| cannot(&e))?
            .collect();
        let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
        let stream = addrs
            .iter()
            .find_map(|a| {
                TcpStream::connect_timeout(a, connect_wait)
                    .map_err(|e| last = e)
                    .ok()
            })
            .ok_or_else(|| cannot(&last))?;
        let _ = stream.set_read_timeout(Some(ANSWER_MARGIN));
        let _ = stream.set_write_timeout(Some(ANSWER_MARGIN));
        let mut conn = Connection::new(stream).map_err(|e| cannot(&e))?;
        let handshake = wire::answer_challenge(&mut conn, &self.key)
            .and_then(|()| wire::deliver_challenge(&mut conn, &self.key));
        match handshake {
            Ok(()) => Ok(conn),
            Err(AuthError::Refused) => {
                Err("the master refused the authkey (is it the same as the master's?)".into())
            }
            Err(AuthError::WrongAnswer) => Err(format!(
                "{} does not know the authkey: not our master",
                self.address
            )),
            Err(AuthError::Protocol(e)) if e.kind() == io::ErrorKind::InvalidData => Err(format!(
                "{} does not speak Python's manager protocol: {e}",
                self.address
            )),
            Err(AuthError::Protocol(e)) => Err(self.went_away(&e)),
        }
    }

    /// Sends a request, reads the reply: Python's `dispatch`.
    fn dispatch(
        &self,
        conn: &mut Connection,
        ident: Value,
        method: &str,
        args: Vec<Value>,
        kwds: Vec<(Value, Value)>,
        wait: Option<Duration>,
    ) -> Result<Value, Error> {
        let failed = |e: io::Error| {
            self.gone.set(true);
            use io::ErrorKind::{BrokenPipe, ConnectionAborted, ConnectionReset, UnexpectedEof};
            match e.kind() {
                // A master that shuts down while we wait for a task (as Python's does once it
                // has all its results) has no more tasks: the same end as `queue.Empty`.
                BrokenPipe | ConnectionAborted | ConnectionReset | UnexpectedEof
                    if wait.is_some() =>
                {
                    Error::Empty
                }
                _ => Error::Failed(self.went_away(&e)),
            }
        };
        let request = Value::Tuple(vec![
            ident,
            method.into(),
            Value::Tuple(args),
            Value::Dict(kwds),
        ]);
        let _ = conn.set_read_timeout(Some(wait.unwrap_or_default() + ANSWER_MARGIN));
        conn.send_bytes(&pickle::dumps(&request)).map_err(failed)?;
        let frame = conn
            .recv_bytes(MAX_FRAME)
            .map_err(failed)?
            .ok_or_else(|| failed(io::ErrorKind::UnexpectedEof.into()))?;
        let reply = pickle::loads(&frame)
            .map_err(|e| Error::Failed(format!("the master's answer to {method}: {e}")))?;
        let Value::Tuple(mut parts) = reply else {
            return Err(Error::Failed(format!(
                "the master's answer to {method} is not a tuple"
            )));
        };
        match (parts.pop(), parts.pop(), parts.is_empty()) {
            (Some(value), Some(Value::Str(kind)), true) => match (kind.as_str(), value) {
                ("#RETURN", value) => Ok(value),
                ("#ERROR", Value::QueueEmpty) => Err(Error::Empty),
                (kind, Value::Str(text)) => {
                    let last = text
                        .lines()
                        .rev()
                        .find(|l| !l.trim().is_empty())
                        .unwrap_or("");
                    Err(Error::Failed(format!(
                        "the master failed {method} ({kind}): {}",
                        printable(last.trim())
                    )))
                }
                (kind, value) => Err(Error::Failed(format!(
                    "the master failed {method} ({kind}): {}",
                    printable(&repr(&value))
                ))),
            },
            _ => Err(Error::Failed(format!(
                "the master's answer to {method} is not (kind, value)"
            ))),
        }
    }
}

impl Proxy {
    fn call(
        &self,
        method: &str,
        args: Vec<Value>,
        kwds: Vec<(Value, Value)>,
        wait: Option<Duration>,
    ) -> Result<Value, Error> {
        let client = &self.client;
        let mut slot = client.conn.borrow_mut();
        if slot.is_none() {
            let mut conn = client.open().map_err(Error::Failed)?;
            client.dispatch(
                &mut conn,
                Value::None,
                "accept_connection",
                vec!["MainProcess".into()],
                vec![],
                None,
            )?;
            *slot = Some(conn);
        }
        let conn = slot.as_mut().expect("just opened");
        let result = client.dispatch(conn, self.ident.clone().into(), method, args, kwds, wait);
        if matches!(&result, Err(Error::Failed(_))) {
            *slot = None; // a broken connection is not reused
        }
        result
    }

    /// `queue.get(timeout=...)`: `Err(Error::Empty)` if nothing came in time.
    pub fn get(&self, timeout: Duration) -> Result<Value, Error> {
        let secs = if timeout.subsec_nanos() == 0 {
            Value::Int(timeout.as_secs() as i64)
        } else {
            Value::Float(timeout.as_secs_f64())
        };
        self.call("get", vec![], vec![("timeout".into(), secs)], Some(timeout))
    }

    /// `queue.put(item)`.
    pub fn put(&self, item: impl Into<Value>) -> Result<(), Error> {
        self.call("put", vec![item.into()], vec![], None)
            .map(|_| ())
    }
}

/// Python's finalizer: tell the server we no longer use the queue. Best effort, and not when
/// the proxies' connection has failed (the master is gone: do not wait for it at exit).
impl Drop for Proxy {
    fn drop(&mut self) {
        if self.client.gone.get() {
            return;
        }
        if let Ok(mut conn) = self.client.open_within(Duration::from_secs(1)) {
            let _ = self.client.dispatch(
                &mut conn,
                Value::None,
                "decref",
                vec![self.ident.clone().into()],
                vec![],
                None,
            );
        }
    }
}

impl Value {
    /// The integer in it, or an error naming what came instead.
    pub fn into_int(self) -> Result<i64, Error> {
        self.as_int()
            .ok_or_else(|| Error::Failed(format!("not an integer: {}", printable(&repr(&self)))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(key: &[u8]) -> (Server, Queue, Queue) {
        let (task, result) = (Queue::new(), Queue::new());
        let mut registry = Registry::new();
        registry.register("get_task_queue", Some(&task));
        registry.register("get_result_queue", Some(&result));
        let server = BaseManager::new(registry, "127.0.0.1:0", key)
            .start()
            .unwrap();
        (server, task, result)
    }

    fn client(server: &Server, key: &[u8]) -> Result<Client, String> {
        let mut registry = Registry::new();
        registry.register("get_task_queue", None);
        registry.register("get_result_queue", None);
        BaseManager::new(registry, &server.address().to_string(), key).connect()
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
        assert_eq!(t.get(Duration::from_secs(1)), Ok(Value::Int(7)));
        r.put("7 * 7 = 49").unwrap();
        assert_eq!(result.get(Duration::ZERO), Ok(Value::from("7 * 7 = 49")));
        assert_eq!(t.get(Duration::from_millis(50)), Err(Error::Empty));
        assert!(m.queue("get_other_queue").is_err());
        server.shutdown();
    }

    #[test]
    fn a_wrong_key_is_refused() {
        let (server, _, _) = start(b"abc");
        let err = client(&server, b"abd").err().unwrap();
        assert!(err.contains("refused the authkey"), "{err}");
    }

    #[test]
    fn a_task_held_by_a_closed_connection_goes_back() {
        let (server, task, result) = start(b"abc");
        for n in [1i64, 2, 3] {
            task.put(n);
        }
        {
            let m = client(&server, b"abc").unwrap();
            let (t, r) = (
                m.queue("get_task_queue").unwrap(),
                m.queue("get_result_queue").unwrap(),
            );
            assert_eq!(t.get(Duration::from_secs(1)), Ok(Value::Int(1)));
            assert_eq!(t.get(Duration::from_secs(1)), Ok(Value::Int(2)));
            r.put("1 done").unwrap(); // settles task 1; task 2 is still held
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while task.qsize() < 2 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(task.get(Duration::ZERO), Ok(Value::Int(2)));
        assert_eq!(task.get(Duration::ZERO), Ok(Value::Int(3)));
        assert_eq!(result.qsize(), 1);
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
        assert_eq!(t.get(Duration::from_secs(20)), Err(Error::Empty));
        assert!(started.elapsed() < Duration::from_secs(5));
        waiter.join().unwrap();
    }

    #[test]
    fn printable_escapes_control_characters() {
        assert_eq!(
            printable("ok 长\nResult: \u{1b}[2J"),
            "ok 长\\nResult: \\u{1b}[2J"
        );
    }
}
