//! The manager's client. It talks to any such server, Python's or ours, as Python's proxies do: `dummy` to check the key, `create` for each queue, then one
//! connection (opened with `accept_connection`) carries every `get` and `put`; `decref` when a
//! proxy is dropped. Python also sends `incref` and then `decref` right after `create`: they
//! cancel out, so we skip them.

use super::{Names, Reply, Request};
use crate::pickle::{Value, repr};
use crate::wire::{self, Connection, MAX_FRAME};
use crate::{Error, Result, printable};
use std::cell::{Cell, RefCell};
use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a client waits to connect.
const CONNECT_WAIT: Duration = Duration::from_secs(10);
/// How much longer than its own timeout a client waits for an answer.
const ANSWER_MARGIN: Duration = Duration::from_secs(30);

/// A connection to a manager, Python's `m.connect()`.
pub struct Client(Rc<Inner>);

struct Inner {
    names: Names,
    address: String,
    key: Vec<u8>,
    /// The proxies' connection, opened on their first call (Python: one per thread).
    conn: RefCell<Option<Connection>>,
    /// Set when a connection to the master broke or closed: no goodbye (`decref`) then.
    gone: Cell<bool>,
}

/// A queue on the server, Python's proxy: `get` and `put` go over the network.
pub struct Proxy {
    client: Rc<Inner>,
    ident: String,
}

/// Connects to the server at `address` and checks the key with a `dummy` request.
pub(super) fn connect(names: Names, address: String, key: Vec<u8>) -> Result<Client> {
    let inner = Inner {
        names,
        address,
        key,
        conn: RefCell::new(None),
        gone: Cell::new(false),
    };
    let mut conn = inner.open(CONNECT_WAIT)?;
    inner.dispatch(&mut conn, Request::new(Value::None, "dummy", vec![]), None)?;
    Ok(Client(Rc::new(inner)))
}

impl Client {
    /// Closes the proxies' connection, so that a master of ours puts back every task this client
    /// took and did not finish (a task it cannot run, say); the next call opens a new one.
    /// (Python's manager keeps no such record: there the tasks are simply dropped.)
    pub fn give_back(&self) {
        if let Some(conn) = self.0.conn.borrow_mut().take() {
            let _ = conn.socket().shutdown(std::net::Shutdown::Both);
        }
    }

    /// `m.get_task_queue()`: a proxy for the queue registered under `typeid`.
    pub fn queue(&self, typeid: &str) -> Result<Proxy> {
        if !self.0.names.typeids.iter().any(|t| t == typeid) {
            return Err(Error::Failed(format!("{typeid} is not registered")));
        }
        let mut conn = self.0.open(CONNECT_WAIT)?;
        let create = Request::new(Value::None, "create", vec![typeid.into()]);
        match self.0.dispatch(&mut conn, create, None)? {
            Value::Tuple(parts) if matches!(parts.first(), Some(Value::Str(_))) => {
                let Some(Value::Str(ident)) = parts.into_iter().next() else {
                    unreachable!("just matched")
                };
                Ok(Proxy {
                    client: Rc::clone(&self.0),
                    ident,
                })
            }
            other => Err(Error::Protocol(format!(
                "create answered {}, not (ident, methods)",
                printable(&repr(&other))
            ))),
        }
    }
}

impl Inner {
    /// What a broken connection to the master says, in words: it did not answer, it sent what
    /// we do not take (a frame over the limit), or it went away.
    fn broken(&self, e: &Error) -> String {
        match e {
            e if e.is_timeout() => format!("the master at {} did not answer", self.address),
            e if e.is_host_gone() => format!(
                "the master at {} stopped answering: its host is gone ({e})",
                self.address
            ),
            Error::Protocol(why) => format!("the master at {} sent {why}", self.address),
            _ => format!("the master at {} went away", self.address),
        }
    }

    /// A new authenticated connection.
    fn open(&self, connect_wait: Duration) -> Result<Connection> {
        let cannot = |e: &dyn std::fmt::Display| {
            Error::Failed(format!("cannot connect to {}: {e}", self.address))
        };
        let addrs: Vec<SocketAddr> = self
            .address
            .to_socket_addrs()
            .map_err(|e| cannot(&e))?
            .collect();
        let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
        let stream = addrs
            .iter()
            .find_map(|a| {
                let connected = TcpStream::connect_timeout(a, connect_wait);
                connected.map_err(|e| last = e).ok()
            })
            .ok_or_else(|| cannot(&last))?;
        let mut conn = Connection::new(Arc::new(stream), ANSWER_MARGIN).map_err(|e| cannot(&e))?;
        conn.set_deadline(Some(Instant::now() + ANSWER_MARGIN));
        let handshake = wire::answer_challenge(&mut conn, &self.key)
            .and_then(|()| wire::deliver_challenge(&mut conn, &self.key));
        let why = match handshake {
            Ok(()) => return Ok(conn),
            Err(Error::Refused) => {
                "the master refused the authkey (is it the same as the master's?)".to_string()
            }
            Err(Error::WrongKey) => {
                format!("{} does not know the authkey: not our master", self.address)
            }
            Err(Error::Protocol(e)) => format!(
                "{} does not speak Python's manager protocol: {e}",
                self.address
            ),
            Err(e) => self.broken(&e),
        };
        Err(Error::Failed(why))
    }

    /// Sends a request and reads its reply, Python's `dispatch`; `wait` is how long the server
    /// may take on purpose (a `get` with a timeout).
    fn dispatch(
        &self,
        conn: &mut Connection,
        request: Request,
        wait: Option<Duration>,
    ) -> Result<Value> {
        // A connection that breaks is a master gone, also while we wait for a task: our master
        // answers a waiting `get` with `queue.Empty` when it shuts down, so a connection that
        // ends without an answer is a master killed or vanished (or Python's, which exits
        // without answering: its own worker dies of `EOFError` then), not an empty queue.
        let failed = |e: Error| {
            self.gone.set(true);
            let broken = self.broken(&e);
            match (&e, wait) {
                // Said so: the same end as a master killed, or one that exits with all its
                // results without answering (Python's `task_master.py`).
                (Error::Io(_), Some(_)) if broken.ends_with(" went away") => {
                    Error::Failed(format!("{broken} while we waited for a task"))
                }
                _ => Error::Failed(broken),
            }
        };
        conn.set_deadline(Some(
            Instant::now() + wait.unwrap_or_default() + ANSWER_MARGIN,
        ));
        conn.send_bytes(&request.encode()).map_err(failed)?;
        let frame = conn
            .recv_bytes(MAX_FRAME)
            .map_err(failed)?
            .ok_or_else(|| failed(io::Error::from(io::ErrorKind::UnexpectedEof).into()))?;
        match Reply::decode(&frame, &request.method) {
            // Turned away at the master's cap: it is alive, and full.
            Err(Error::Failed(why)) if why.contains(super::server::FULL) => {
                let cap = why.rsplit(super::server::FULL).next().unwrap_or("").trim();
                Err(Error::Failed(format!(
                    "the master at {} is full (already {cap}): try again later",
                    self.address
                )))
            }
            other => other,
        }
    }
}

impl Proxy {
    fn call(&self, request: Request, wait: Option<Duration>) -> Result<Value> {
        let client = &self.client;
        let mut slot = client.conn.borrow_mut();
        if slot.is_none() {
            let mut conn = client.open(CONNECT_WAIT)?;
            let accept = Request::new(Value::None, "accept_connection", vec!["MainProcess".into()]);
            client.dispatch(&mut conn, accept, None)?;
            *slot = Some(conn);
        }
        let conn = slot.as_mut().expect("just opened");
        let result = client.dispatch(conn, request, wait);
        if matches!(&result, Err(Error::Failed(_))) {
            *slot = None; // a broken connection is not reused
        }
        result
    }

    /// `queue.get(timeout=...)`: `Err(Error::Empty)` if nothing came in time.
    pub fn get(&self, timeout: Duration) -> Result<Value> {
        let secs = if timeout.subsec_nanos() == 0 {
            Value::Int(timeout.as_secs() as i64)
        } else {
            Value::Float(timeout.as_secs_f64())
        };
        let mut get = Request::new(self.ident.as_str().into(), "get", vec![]);
        get.kwds.push(("timeout".into(), secs));
        self.call(get, Some(timeout))
    }

    /// `queue.put(item)`.
    pub fn put(&self, item: impl Into<Value>) -> Result<()> {
        let put = Request::new(self.ident.as_str().into(), "put", vec![item.into()]);
        self.call(put, None).map(|_| ())
    }
}

/// Python's finalizer: tell the server we no longer use the queue. Best effort, and not when
/// the proxies' connection has failed (the master is gone: do not wait for it at exit).
impl Drop for Proxy {
    fn drop(&mut self) {
        if self.client.gone.get() {
            return;
        }
        if let Ok(mut conn) = self.client.open(Duration::from_secs(1)) {
            let decref = Request::new(Value::None, "decref", vec![self.ident.as_str().into()]);
            let _ = self.client.dispatch(&mut conn, decref, None);
        }
    }
}
