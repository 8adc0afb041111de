//! The machinery of the 进程间通信 and 分布式进程 examples (inter-process communication,
//! distributed processes): what Python hides in `multiprocessing`, written out here so that
//! each example reads like its sample.
//!
//! - [`channel`]: the queue and the pipe of `queue` and `pipe`.
//! - [`manager`]: Python's `multiprocessing.managers.BaseManager` for `task_master` and
//!   `task_worker`, on Python's own wire, so that either can talk to the tutorial's
//!   `task_master.py` or `task_worker.py`: [`wire`] for the frames and the authkey handshake,
//!   [`pickle`] for the few values the requests carry.

/// The queue and pipe of `queue` and `pipe`: see the module (owned by those examples).
pub mod channel;
#[cfg(test)]
mod fixtures;
pub mod manager;
pub mod pickle;
pub mod wire;

/// Where the master listens and the worker connects, as in the tutorial (loopback by default).
pub const DEFAULT_ADDR: &str = "127.0.0.1:5000";
/// The tutorial's `authkey=b'abc'`.
pub const DEFAULT_AUTHKEY: &str = "abc";
/// The environment variable that overrides the authkey.
pub const AUTHKEY_VAR: &str = "TASK_AUTHKEY";

/// The authkey: the option if given, else `TASK_AUTHKEY`, else the tutorial's `abc`; an empty
/// one is refused (an HMAC under an empty key proves nothing).
pub fn authkey(option: Option<String>) -> shared::Result<Vec<u8>> {
    let key = option
        .or_else(|| std::env::var(AUTHKEY_VAR).ok())
        .unwrap_or_else(|| DEFAULT_AUTHKEY.to_string());
    if key.is_empty() {
        return Err(shared::Error::new("the authkey cannot be empty"));
    }
    Ok(key.into_bytes())
}
