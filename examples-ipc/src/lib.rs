//! The wire protocol that `task_master` and `task_worker` speak (分布式进程, distributed processes).
//!
//! Python's `BaseManager` hides its protocol: it pickles method calls over a socket and checks the
//! `authkey` with an HMAC challenge. The Rust twins do the same in the open, in this one file:
//!
//! - **Frames**: every message is one frame, a 4-byte big-endian length and then that many bytes
//!   (tokio-util's `LengthDelimitedCodec`), at most [`MAX_FRAME`] bytes, so a peer cannot make us
//!   buffer without end. The bytes are one JSON object ([`ToMaster`], [`ToWorker`]).
//! - **Authentication** (challenge-response, both ways): the master sends a random nonce; the
//!   worker answers with HMAC-SHA256(authkey, nonce) and a nonce of its own; the master checks it
//!   and answers with the HMAC of the worker's nonce, so that the worker knows it talks to a real
//!   master. The key itself never crosses the wire, and a recorded answer is worthless for the next
//!   connection, whose nonce differs.
//! - **Work**: the worker sends `GetTasks { max: 1 }`; the master answers `Tasks` with one task
//!   or, after waiting up to 1 s (Python's `task.get(timeout=1)`), `Empty`. The worker sends
//!   `PutResult` for each task it has done. Every request is a round trip on the network, so a
//!   worker may ask for up to `max` tasks at once (`task_worker --batch`): the master sends what
//!   it has, at least one. A task handed out and not answered when the connection ends goes back
//!   into the queue.

/// The queue and pipe of `queue` and `pipe`: see the module (owned by those examples).
pub mod channel;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use sha2::Sha256;
use std::io;
use tokio::net::TcpStream;
use tokio_util::codec::{Framed, LengthDelimitedCodec};

/// Where the master listens and the worker connects, as in the tutorial (loopback by default).
pub const DEFAULT_ADDR: &str = "127.0.0.1:5000";
/// The tutorial's `authkey=b'abc'`.
pub const DEFAULT_AUTHKEY: &str = "abc";
/// The environment variable that overrides the authkey.
pub const AUTHKEY_VAR: &str = "TASK_AUTHKEY";
/// The largest frame either side accepts.
pub const MAX_FRAME: usize = 64 * 1024;

/// A task: compute `n * n`. The id tells results apart when two tasks have the same `n`.
#[derive(Serialize, Deserialize, Debug, PartialEq, Clone, Copy)]
pub struct Task {
    pub id: u64,
    pub n: u64,
}

/// Messages from a worker to the master.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(tag = "type")]
pub enum ToMaster {
    /// The answer to the master's challenge, and the worker's own challenge.
    Auth { proof: Vec<u8>, nonce: Vec<u8> },
    /// "Give me a task", `task.get(timeout=1)`; or up to `max` tasks at once, to save round trips.
    GetTasks { max: usize },
    /// `result.put(r)` for the task with this id.
    PutResult { id: u64, result: String },
}

/// Messages from the master to a worker.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(tag = "type")]
pub enum ToWorker {
    /// The first message of every connection.
    Challenge { nonce: Vec<u8> },
    /// The worker is in; `proof` shows that the master knows the key too.
    Welcome { proof: Vec<u8> },
    /// Wrong key: the master closes the connection.
    Denied,
    /// One or more tasks (at most the `max` asked for): compute `n * n` for each.
    Tasks { tasks: Vec<Task> },
    /// No task came within the wait (or the master is done).
    Empty,
}

/// A TCP connection that carries length-delimited frames.
pub type Connection = Framed<TcpStream, LengthDelimitedCodec>;

/// Frames a TCP connection, with the size cap.
pub fn framed(stream: TcpStream) -> Connection {
    LengthDelimitedCodec::builder()
        .max_frame_length(MAX_FRAME)
        .new_framed(stream)
}

/// Sends one message as one frame.
pub async fn send<T: Serialize>(conn: &mut Connection, message: &T) -> io::Result<()> {
    let json = serde_json::to_vec(message)?;
    conn.send(Bytes::from(json)).await
}

/// Receives one message: `Ok(None)` when the peer closed the connection between messages; an
/// error for a broken connection, a frame too large or cut short, or bytes that are not a message.
pub async fn recv<T: DeserializeOwned>(conn: &mut Connection) -> io::Result<Option<T>> {
    match conn.next().await {
        None => Ok(None),
        Some(frame) => {
            let frame = frame?;
            serde_json::from_slice(&frame).map(Some).map_err(|e| {
                io::Error::new(io::ErrorKind::InvalidData, format!("not a message: {e}"))
            })
        }
    }
}

/// A fresh random challenge, from the operating system's generator.
pub fn nonce() -> Vec<u8> {
    let mut nonce = vec![0u8; 32];
    getrandom::getrandom(&mut nonce).expect("the operating system's random generator");
    nonce
}

/// Who computes a proof: the two directions use different inputs, so that an answer of one
/// side can never be replayed as the other's.
#[derive(Clone, Copy)]
pub enum Role {
    Worker,
    Master,
}

fn mac(key: &[u8], role: Role, nonce: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(match role {
        Role::Worker => b"worker:",
        Role::Master => b"master:",
    });
    mac.update(nonce);
    mac
}

/// HMAC-SHA256 of the nonce under the key: proves knowledge of the key without sending it.
pub fn proof(key: &[u8], role: Role, nonce: &[u8]) -> Vec<u8> {
    mac(key, role, nonce).finalize().into_bytes().to_vec()
}

/// Checks a proof in constant time.
pub fn verify(key: &[u8], role: Role, nonce: &[u8], proof: &[u8]) -> bool {
    mac(key, role, nonce).verify_slice(proof).is_ok()
}

/// The authkey: the option if given, else `TASK_AUTHKEY`, else the tutorial's `abc`.
pub fn authkey(option: Option<String>) -> Vec<u8> {
    let key = option
        .or_else(|| std::env::var(AUTHKEY_VAR).ok())
        .unwrap_or_else(|| DEFAULT_AUTHKEY.to_string());
    if key.is_empty() {
        shared::exit_usage("the authkey cannot be empty");
    }
    key.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proof_needs_the_key_the_nonce_and_the_role() {
        let nonce = nonce();
        let good = proof(b"abc", Role::Worker, &nonce);
        assert!(verify(b"abc", Role::Worker, &nonce, &good));
        assert!(!verify(b"abd", Role::Worker, &nonce, &good));
        assert!(!verify(b"abc", Role::Master, &nonce, &good));
        assert!(!verify(b"abc", Role::Worker, &super::nonce(), &good));
        assert!(!verify(b"abc", Role::Worker, &nonce, &good[..16]));
    }

    #[test]
    fn messages_are_tagged_json() {
        let tasks = ToWorker::Tasks {
            tasks: vec![Task { id: 3, n: 7 }],
        };
        let json = serde_json::to_string(&tasks).unwrap();
        assert_eq!(json, r#"{"type":"Tasks","tasks":[{"id":3,"n":7}]}"#);
        let back: ToMaster = serde_json::from_str(r#"{"type":"GetTasks","max":1}"#).unwrap();
        assert_eq!(back, ToMaster::GetTasks { max: 1 });
    }
}
