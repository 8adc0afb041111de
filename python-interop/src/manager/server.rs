//! The manager's server: what `task_master` runs.
//!
//! **Threads**, one per connection, as Python's manager: the tutorial teaches 分布式进程 before
//! 异步IO, a blocking `get(timeout=1)` is then just a wait on a condition variable, and a learner
//! can read the server top to bottom. A connection authenticates both ways, then sends one
//! request to the manager (`dummy`, `create`, `incref`, `decref`, `shutdown`), which is answered,
//! and the connection ends; or `accept_connection`, which turns it into a proxy's connection:
//! calls on one queue after another until the client leaves.
//!
//! **Better than Python**, on Python's wire:
//! - a task that a connection took with `get` and that is not known to be done goes back to the
//!   front of its queue when the connection closes: a worker killed mid-task loses nothing, and
//!   a task may run twice but never zero times (`Session::record_put`);
//! - a `get` that finds the queue empty while other connections still hold tasks waits for them
//!   (up to [`HELD_WAIT`] more): a task given back finds a worker (`Queue::take`);
//! - a task taken [`MAX_TRIES`] times and never finished (one that every worker dies of) is set
//!   aside, with one log line, for the master to report: it is not passed around for ever;
//! - bounds in bytes: a request ([`MAX_FRAME`], and the pickle's own caps), each queue's content
//!   ([`MAX_QUEUE_BYTES`]), a log line and the log's backlog (`log.rs`);
//! - a wrong key, garbage, an oversized frame, a peer that has not authenticated and sent its
//!   request within [`AUTH_WAIT`] (however slowly it trickles bytes): one line on stderr, that
//!   connection ends, the others carry on;
//! - at most [`MAX_CONNECTIONS`] authenticated connections at any moment, each holding a
//!   slot that its drop gives back (`slots.rs`); one more is told that the master is full (a
//!   `#TRACEBACK` naming the cap), not left to guess; peers that never authenticate cannot lock
//!   out the workers that do (`admit`);
//! - the log never holds anything up: a full disk or a stderr nobody reads loses log lines,
//!   never a connection (`log.rs`);
//! - pickles are read without running anything, with caps.
//!
//! **A limit: a stopped worker keeps its task.** A worker stopped with SIGSTOP (a laptop asleep,
//! a debugger at a breakpoint) still answers TCP keepalive through its kernel, so its connection
//! lives and its task is not given back until the worker runs again or its connection ends. We
//! chose this over a lease (give a task back when its result is late): Python's wire has no
//! heartbeat, so a master cannot tell a stopped worker from a slow one, and a lease short enough
//! to help would hand every long task to a second worker while the first still runs it, the
//! tutorial's workers included. The other workers do not wait for a stopped one for ever: their
//! `get` waits at most [`HELD_WAIT`] for a held task.

use super::log::Log;
use super::queue::{GivenBack, Held};
use super::slots::{Slot, Slots};
use super::{Queue, Reply, Request, Served};
use crate::pickle::{Value, cut, repr_within};
use crate::wire::{self, Connection, KEEPALIVE_WINDOW, MAX_FRAME};
use crate::{Error, Result, lock, printable};
use std::collections::VecDeque;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How long a new connection has to authenticate and send its request: one deadline for the
/// whole handshake, not a timeout per read, so that a peer trickling a byte a second cannot
/// keep a thread for ever. A real client needs a few milliseconds.
pub const AUTH_WAIT: Duration = Duration::from_secs(5);
/// The most authenticated connections served at once. A worker keeps one open while it works,
/// and each costs a thread: the cap bounds threads and memory (512 threads of 256 KiB stacks, 128 MiB
/// of address space at most), far above what a lesson's workers need.
pub const MAX_CONNECTIONS: usize = 512;
/// The most connections in their handshake at once; at the cap the oldest makes room (see
/// `admit`). Apart from [`MAX_CONNECTIONS`], so that peers that never authenticate cannot
/// take the places of those that do.
pub const MAX_HANDSHAKES: usize = 256;
/// The most items a queue takes from the network: a peer that only puts cannot fill our memory.
pub const MAX_QUEUE: usize = 100_000;
/// The most bytes a queue holds from the network (its items and those its connections hold):
/// items alone do not bound memory, when one item can be a quarter of a megabyte. 16 MiB per
/// queue keeps the master well under 64 MiB with both queues full.
pub const MAX_QUEUE_BYTES: usize = 16 << 20;
/// How much longer than its own timeout a `get` on an empty queue waits while other connections
/// hold tasks: the time to notice a vanished host ([`KEEPALIVE_WINDOW`]) and a margin. A task
/// given back within it finds this worker; a worker stopped for longer than it (see the limit
/// above) no longer keeps the others waiting.
pub const HELD_WAIT: Duration = Duration::from_secs(KEEPALIVE_WINDOW.as_secs() + 5);
/// How many times a task may be taken and given back unfinished: the third time it is set aside.
/// A worker that dies of a task (it is not an integer, it crashes the worker) gives it back each
/// time; without this, it would go to the front again and kill every worker in turn.
pub const MAX_TRIES: u32 = 3;
/// How much of a value a log line or a message shows.
const SHOWN: usize = 200;
/// How long a write to a peer may block: a peer that stops reading gives its thread back.
const WRITE_WAIT: Duration = Duration::from_secs(10);
/// How long `shutdown` lets connections finish (so that workers hear the end, and the log says
/// what happened to each), before the master exits anyway.
const GOODBYE_WAIT: Duration = Duration::from_secs(2);
/// What the log says of a peer whose host vanished (see `wire::KEEPALIVE_IDLE`).
const HOST_GONE: &str = "its host stopped answering";
/// The stack of a connection's thread: it only reads, decodes and waits.
const STACK: usize = 256 * 1024;
/// The method names of a queue, as Python's `create` lists them for `queue.Queue`: all served.
const EXPOSED: &str = "empty full get get_nowait join put put_nowait qsize task_done";

/// A queue as the network knows it: its typeid and its ident.
struct ServedQueue {
    typeid: String,
    ident: String,
    queue: Queue,
}

struct State {
    key: Vec<u8>,
    queues: Vec<ServedQueue>,
    log: Log,
    closed: AtomicBool,
    /// The connections still in their handshake, oldest first: a number each, the peer (for
    /// the log), and the socket (shared, not duplicated) to close it if room is needed.
    handshaking: Mutex<VecDeque<(u64, SocketAddr, Arc<TcpStream>)>>,
    /// A slot for each connection whose thread runs (no cap: the two below bound them), for
    /// `shutdown` to wait for the last one.
    threads: Arc<Slots>,
    /// A slot for each authenticated connection: the cap of [`MAX_CONNECTIONS`].
    working: Arc<Slots>,
}

/// A running manager.
pub struct Server {
    state: Arc<State>,
    address: SocketAddr,
}

/// Binds `address` and serves the queues of `served` on threads of their own.
pub(super) fn start(served: Served, address: &str, key: Vec<u8>) -> Result<Server> {
    let listener = TcpListener::bind(address)
        .map_err(|e| Error::Failed(format!("cannot listen on {address}: {e}")))?;
    let address = listener.local_addr()?;
    let log = Log::start()?;
    if !address.ip().is_loopback() {
        log.line(format!(
            "note: {address} is reachable from other machines: anyone with the authkey can join"
        ));
    }
    // Idents like Python's (`'%x' % id(obj)`, opaque to clients), distinct by construction.
    let base = fastrand::u64(0x7f00_0000_0000..0x7ff0_0000_0000) & !0xfff;
    let mut queues = Vec::new();
    for (i, (typeid, queue)) in served.queues.into_iter().enumerate() {
        let ident = format!("{:x}", base + 0x50 * i as u64);
        queues.push(ServedQueue {
            typeid,
            ident,
            queue,
        });
    }
    let state = Arc::new(State {
        key,
        queues,
        log,
        closed: AtomicBool::new(false),
        handshaking: Mutex::new(VecDeque::new()),
        threads: Slots::new(usize::MAX),
        working: Slots::new(MAX_CONNECTIONS),
    });
    let shared = Arc::clone(&state);
    thread::Builder::new()
        .name("manager-accept".into())
        .spawn(move || accept_loop(listener, shared))
        .map_err(|e| Error::Failed(format!("cannot start the server thread: {e}")))?;
    Ok(Server { state, address })
}

impl Server {
    /// The address it listens on (the port is known here when 0 was asked).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The queue registered under `typeid`: the master reaches its queues directly.
    pub fn queue(&self, typeid: &str) -> Option<Queue> {
        let served = self.state.queues.iter().find(|q| q.typeid == typeid);
        served.map(|q| q.queue.clone())
    }

    /// Stops serving: waiting `get`s hear `queue.Empty` at once, connections still in their
    /// handshake are closed, and connections get a moment to end (so that workers print their
    /// goodbye, and the log says what happened to each) before we return.
    pub fn shutdown(&self) {
        self.state.shutdown();
        for (_, _, socket) in lock(&self.state.handshaking).iter() {
            let _ = socket.shutdown(Shutdown::Both);
        }
        self.state
            .threads
            .wait_all_free(Instant::now() + GOODBYE_WAIT);
        self.state.log.flush(GOODBYE_WAIT);
    }
}

impl State {
    fn shutdown(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.queues.iter().for_each(|q| q.queue.close());
    }

    fn log(&self, peer: SocketAddr, what: &str) {
        self.log
            .line(format!("master: {peer}: {}", printable(what)));
    }
}

fn accept_loop(listener: TcpListener, state: Arc<State>) {
    let mut backoff = Duration::ZERO;
    for id in 0u64.. {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) => {
                // Too many open files, for one: wait for connections to end, do not spin.
                backoff = (backoff * 2).clamp(Duration::from_millis(10), Duration::from_secs(1));
                state
                    .log
                    .line(format!("master: accept: {e}; trying again in {backoff:?}"));
                thread::sleep(backoff);
                continue;
            }
        };
        backoff = Duration::ZERO;
        let stream = Arc::new(stream);
        admit(&state, id, peer, &stream);
        let (shared, thread) = (Arc::clone(&state), state.threads.try_take());
        let spawned = thread::Builder::new()
            .name("manager-conn".into())
            .stack_size(STACK)
            .spawn(move || serve(stream, peer, &shared, id, thread));
        if let Err(e) = spawned {
            // The closure, and the thread's slot in it, are dropped: its place is given back.
            state.log(peer, &format!("dropped: cannot start a thread: {e}"));
            closed_to_make_room(&state, id);
        }
    }
}

/// A new connection starts its handshake. Connections that have authenticated are never closed
/// to make room; with [`MAX_CONNECTIONS`] of them, a newcomer still authenticates, and is then
/// told that the master is full (the cap is kept in [`serve`], in one place). Connections in
/// their handshake are capped apart ([`MAX_HANDSHAKES`]): at the cap, the oldest of them is
/// closed to make room. Why the oldest: a real worker finishes its handshake in a few
/// milliseconds (two round trips), so under a flood of peers that connect and never
/// authenticate, the oldest handshakes are theirs, while every newcomer, workers included, gets
/// a fair chance; turning newcomers away instead would lock the workers out for as long as the
/// flood lasts. The log says so here, when it is decided: the closed connection's thread may
/// not run again before the master shuts down.
fn admit(state: &State, id: u64, peer: SocketAddr, stream: &Arc<TcpStream>) {
    let mut handshaking = lock(&state.handshaking);
    if handshaking.len() >= MAX_HANDSHAKES {
        if let Some((_, oldest_peer, oldest)) = handshaking.pop_front() {
            let _ = oldest.shutdown(Shutdown::Both); // its thread sees it and ends
            let why =
                format!("closed to make room, not authenticated at {MAX_HANDSHAKES} handshakes");
            state.log(oldest_peer, &format!("dropped: {why}"));
        }
    }
    handshaking.push_back((id, peer, Arc::clone(stream)));
}

/// Takes connection `id` off the list of handshakes: `true` if it was no longer on it, because
/// [`admit`] closed it to make room (and logged it).
fn closed_to_make_room(state: &State, id: u64) -> bool {
    let mut handshaking = lock(&state.handshaking);
    let at = handshaking.iter().position(|(i, _, _)| *i == id);
    at.and_then(|at| handshaking.remove(at)).is_none()
}

/// The log line of a connection turned away at the cap.
fn at_the_cap() -> String {
    format!("dropped: already {MAX_CONNECTIONS} connections")
}

/// What a connection turned away at the cap is told, as the last line of a `#TRACEBACK` (our
/// client says it in its own words, a Python client raises it as `RemoteError`).
pub const FULL: &str = "the master is full: already";

/// One connection: the handshake, then its requests. `_thread` is its place among the running
/// connections, given back when this returns.
fn serve(
    stream: Arc<TcpStream>,
    peer: SocketAddr,
    state: &Arc<State>,
    id: u64,
    _thread: Option<Slot>,
) {
    let handshake = Connection::new(stream, WRITE_WAIT).and_then(|mut conn| {
        conn.set_deadline(Some(Instant::now() + AUTH_WAIT));
        wire::deliver_challenge(&mut conn, &state.key)?;
        wire::answer_challenge(&mut conn, &state.key)?;
        Ok(conn)
    });
    let made_room = closed_to_make_room(state, id);
    if handshake.is_err() && state.closed.load(Ordering::SeqCst) {
        return; // closed by `shutdown`: the manager is going, not the peer misbehaving
    }
    if made_room {
        return; // logged by `admit`
    }
    let mut conn = match handshake {
        Ok(conn) => conn,
        Err(e) => return state.log(peer, &format!("dropped: {}", handshake_failure(e))),
    };
    // The cap, in this one place: a connection that has authenticated takes a working slot, or
    // is turned away. (Checking at `accept` only would let every connection then in its
    // handshake through, up to MAX_HANDSHAKES over the cap.) The slot is given back when this
    // function returns, however it returns.
    let Some(_working) = state.working.try_take() else {
        // Its first request is answered with why, so that it does not take a master that is
        // alive for one that went away.
        if let Ok(Some(_)) = conn.recv_bytes(MAX_FRAME) {
            let full = format!("RuntimeError: {FULL} {MAX_CONNECTIONS} connections");
            let _ = conn.send_bytes(&Reply::Traceback(format!("Traceback: {full}\n")).encode());
        }
        return state.log(peer, &at_the_cap());
    };
    let mut session = Session {
        held: Vec::new(),
        results: 0,
        proxy: false,
    };
    loop {
        let frame = match conn.recv_bytes(MAX_FRAME) {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(e) if e.is_timeout() => {
                let why = format!("no request within {} s", AUTH_WAIT.as_secs());
                break state.log(peer, &format!("dropped: {why}"));
            }
            Err(e) if e.is_host_gone() => {
                break state.log(peer, &format!("dropped: {HOST_GONE} ({e})"));
            }
            Err(_) if state.closed.load(Ordering::SeqCst) => break, // as below
            Err(e) => break state.log(peer, &format!("dropped: {e}")),
        };
        let reply = match Request::decode(&frame) {
            Err(why) => {
                let why = why.to_string();
                state.log(peer, &why);
                Reply::not_served(&why)
            }
            Ok(request) if session.proxy => session.call(state, &request, peer),
            Ok(request) => session.manager_call(state, &request, peer),
        };
        if let Err(e) = conn.send_bytes(&reply.encode()) {
            // A connection that `shutdown` closed (it was still in its handshake when the
            // manager began to go) is the manager going, not the peer misbehaving.
            if !state.closed.load(Ordering::SeqCst) {
                state.log(peer, &format!("dropped: {e}"));
            }
            break;
        }
        if !session.proxy {
            break; // a manager request gets one reply; the client opens a new connection
        }
        conn.set_deadline(None); // a proxy's connection waits for its worker for as long as it takes
    }
    session.put_back_held(state, peer);
}

fn handshake_failure(e: Error) -> String {
    match e {
        Error::WrongKey => "wrong authkey, connection refused".to_string(),
        Error::Refused => "it refused our answer: it has another authkey".to_string(),
        e if e.is_timeout() => format!("no handshake within {} s", AUTH_WAIT.as_secs()),
        e => e.to_string(),
    }
}

/// What one connection has done: whether it is a proxy's, and the tasks it holds.
struct Session {
    /// The items this connection got and that are not known to be done, oldest first, with
    /// their queue.
    held: Vec<(Queue, Held)>,
    /// The results it has put since it last held nothing.
    results: usize,
    proxy: bool,
}

impl Session {
    /// A request to the manager itself (ident `None`).
    fn manager_call(&mut self, state: &State, request: &Request, peer: SocketAddr) -> Reply {
        match request.method.as_str() {
            "dummy" | "incref" | "decref" => Reply::Return(Value::None),
            "create" => match request.args.first() {
                Some(Value::Str(typeid)) => match state.queues.iter().find(|q| q.typeid == *typeid)
                {
                    Some(q) => {
                        let exposed = EXPOSED.split(' ').map(Value::from).collect();
                        let created = vec![q.ident.as_str().into(), Value::Tuple(exposed)];
                        Reply::Return(Value::Tuple(created))
                    }
                    None => {
                        let typeid = repr_within(&request.args[0], SHOWN);
                        state.log(peer, &format!("not served: create {typeid}"));
                        Reply::not_served(&format!("KeyError: {typeid}"))
                    }
                },
                _ => Reply::not_served("create without a typeid"),
            },
            "shutdown" => {
                state.log(peer, "asked the manager to shut down");
                state.shutdown();
                Reply::Return(Value::None)
            }
            "accept_connection" => {
                self.proxy = true;
                Reply::Return(Value::None)
            }
            other => {
                state.log(peer, &format!("not served: {other}"));
                Reply::not_served(&format!("{other}()"))
            }
        }
    }

    /// A proxy's call of a method of the queue that its ident names.
    fn call(&mut self, state: &State, request: &Request, peer: SocketAddr) -> Reply {
        let Some(served) = state
            .queues
            .iter()
            .find(|q| request.ident == q.ident.as_str().into())
        else {
            return Reply::not_served(&format!("KeyError: {}", repr_within(&request.ident, SHOWN)));
        };
        let queue = &served.queue;
        match request.method.as_str() {
            "get" | "get_nowait" => match get_deadline(request) {
                Ok((deadline, blocking)) => {
                    let own = self.held.iter().filter(|(q, _)| q.same(queue)).count();
                    // Only a blocking get waits for tasks held elsewhere: `get_nowait` answers
                    // at once, as Python's does.
                    let grace = if blocking { HELD_WAIT } else { Duration::ZERO };
                    match queue.take(deadline, own, grace) {
                        Some(held) => {
                            let item = held.value.clone();
                            self.held.push((queue.clone(), held));
                            Reply::Return(item)
                        }
                        None => Reply::Empty,
                    }
                }
                Err(why) => Reply::not_served(&why),
            },
            "put" | "put_nowait" => {
                let Some(item) = request.arg(0, "item") else {
                    return Reply::not_served("put() without an item");
                };
                if let Err(why) = queue.try_put(item.clone(), MAX_QUEUE, MAX_QUEUE_BYTES) {
                    state.log(peer, &format!("put refused: {why}"));
                    return Reply::not_served(&format!("put() refused: {why}"));
                }
                self.record_put(queue);
                Reply::Return(Value::None)
            }
            "task_done" if queue.task_done() => Reply::Return(Value::None),
            "task_done" => Reply::not_served("ValueError: task_done() called too many times"),
            "join" => {
                queue.join();
                Reply::Return(Value::None)
            }
            "qsize" => Reply::Return(Value::Int(queue.qsize() as i64)),
            "empty" => Reply::Return(Value::Bool(queue.qsize() == 0)),
            "full" => Reply::Return(Value::Bool(false)),
            other => {
                state.log(peer, &format!("not served: {other}()"));
                Reply::not_served(&format!("{other}()"))
            }
        }
    }

    /// A `put` into `queue`: a result, if it goes to another queue than a held task came from
    /// (a `put` into the queue a task came from hands a task on). Python's protocol does not
    /// say which task a result is for, so the master never guesses: the held tasks are known to
    /// be done only once there are as many results as tasks. The tutorial's worker, one task
    /// then its result, settles each task with its result; a worker that gets two tasks and
    /// puts one result may still be running either, so both stay held.
    fn record_put(&mut self, queue: &Queue) {
        if self.held.iter().any(|(q, _)| !q.same(queue)) {
            self.results += 1;
            if self.results >= self.held.len() {
                for (queue, held) in self.held.drain(..) {
                    queue.settle(held);
                }
                self.results = 0;
            }
        }
    }

    /// The connection has ended: every task it held that is not known to be done goes back to
    /// the front of its queue, in order. A task may then run twice (its worker may have
    /// finished it and put a result that we could not tell from the others'), never zero times:
    /// at-least-once. (Python's manager keeps no such record: a worker killed mid-task loses its
    /// task.) A task taken [`MAX_TRIES`] times is set aside instead.
    fn put_back_held(self, state: &State, peer: SocketAddr) {
        let perhaps_done = match self.results {
            0 => String::new(),
            1 => format!(" ({} tasks, 1 result: perhaps done)", self.held.len()),
            n => format!(" ({} tasks, {n} results: perhaps done)", self.held.len()),
        };
        let tasks: Vec<String> = self.held.iter().map(|(_, h)| shown(&h.value)).collect();
        // To the front, the last first: they keep their order.
        let mut outcomes: Vec<GivenBack> = (self.held.into_iter().rev())
            .map(|(queue, held)| queue.give_back(held, MAX_TRIES))
            .collect();
        outcomes.reverse();
        for (task, outcome) in tasks.iter().zip(outcomes) {
            let what = match outcome {
                GivenBack::Queued => "put back into the queue".to_string(),
                GivenBack::SetAside(tries) => {
                    format!("set aside: taken {tries} times and never finished")
                }
            };
            state.log.line(format!(
                "master: {peer} left holding task {task}{perhaps_done}: {what}"
            ));
        }
    }
}

/// A task as a log line shows it: its text, or its repr if it is not text, at most [`SHOWN`]
/// bytes of it, control characters escaped.
fn shown(task: &Value) -> String {
    match task {
        Value::Str(text) => {
            let mut end = SHOWN.min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            cut(printable(&text[..end]), text.len(), end)
        }
        other => printable(&repr_within(other, SHOWN)),
    }
}

/// When a `get` stops waiting, from its `block` and `timeout` (by position or name), as
/// Python's `queue.Queue.get` reads them: `None` to wait for ever; and whether it blocks.
fn get_deadline(request: &Request) -> Result<(Option<Instant>, bool), String> {
    let block = request.method == "get" && request.arg(0, "block") != Some(&Value::Bool(false));
    let timeout = match request.arg(1, "timeout") {
        None | Some(Value::None) => None,
        Some(Value::Int(n)) => Some(*n as f64),
        Some(Value::Float(x)) => Some(*x),
        Some(other) => {
            return Err(format!("TypeError: timeout {}", repr_within(other, SHOWN)));
        }
    };
    let deadline = match (block, timeout) {
        (false, _) => Some(Instant::now()),
        (true, None) => None,
        (true, Some(t)) if t.is_nan() || t < 0.0 => {
            return Err("ValueError: 'timeout' must be a non-negative number".into());
        }
        (true, Some(t)) => Duration::try_from_secs_f64(t)
            .ok()
            .and_then(|t| Instant::now().checked_add(t)),
    };
    Ok((deadline, block))
}
