//! The machinery of the 进程间通信 and 分布式进程 examples (inter-process communication,
//! distributed processes) that is not the lesson.
//!
//! - [`channel`]: the queue and the pipe of `queue`, `pipe` and `queue_bench`.
//! - For `task_master` and `task_worker`: their defaults ([`DEFAULT_ADDR`], [`authkey`]), the
//!   address of a master ([`HostPort`]), the results a master waits for ([`Awaited`]), and what
//!   it hears next, a result or a task set aside ([`Outcomes`]).
//!   Python's manager protocol itself, which they speak so that either can talk to the
//!   tutorial's `task_master.py` or `task_worker.py`, is the `python-interop` crate.

/// The queue and pipe of `queue` and `pipe`: see the module (owned by those examples).
pub mod channel;

use python_interop::manager::Queue;
use python_interop::pickle::Value;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// Where the master listens and the worker connects, as in the tutorial (loopback by default).
pub const DEFAULT_ADDR: &str = "127.0.0.1:5000";
/// The tutorial's `authkey=b'abc'`.
pub const DEFAULT_AUTHKEY: &str = "abc";
/// The environment variable that overrides the authkey.
pub const AUTHKEY_VAR: &str = "TASK_AUTHKEY";

/// `HOST:PORT`, where a worker finds its master: a host name or an IP address (an IPv6 one in
/// brackets, `[::1]:5000`), and a port from 1 to 65535. Checked when the option is read, so
/// that a malformed one is a usage error, not a failed connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort(String);

impl FromStr for HostPort {
    type Err = String;

    fn from_str(text: &str) -> Result<HostPort, String> {
        let (host, port) = match text.rsplit_once(':') {
            Some((host, port)) if !port.ends_with(']') => (host, port),
            _ => return Err("write HOST:PORT, like 127.0.0.1:5000".into()),
        };
        if host.is_empty() {
            return Err("no host before the port".into());
        }
        if host.contains(':') && !(host.starts_with('[') && host.ends_with(']')) {
            return Err("write an IPv6 address in brackets, like [::1]:5000".into());
        }
        match port.parse::<u16>() {
            Ok(1..) => Ok(HostPort(text.to_string())),
            _ => Err(format!("{port:?} is not a port from 1 to 65535")),
        }
    }
}

impl fmt::Display for HostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

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

/// The tasks whose results the master still waits for. A task given back by a worker that left
/// may run twice (at-least-once: see `python_interop::manager::server`), so the master counts the tasks that
/// have had a result, not the results. A result names its task as the tutorial's worker writes
/// it, `n * n = n²`: its first number.
#[derive(Debug, Default)]
pub struct Awaited {
    /// Every task put.
    put: BTreeSet<i64>,
    /// The tasks without a result yet, each with how many times it was put and awaits one.
    waiting: BTreeMap<i64, usize>,
    /// How many tasks were put, how many of them wait, and how many failed.
    total: usize,
    left: usize,
    failed: usize,
}

impl Awaited {
    /// A task was put.
    pub fn put(&mut self, task: i64) {
        self.put.insert(task);
        *self.waiting.entry(task).or_default() += 1;
        self.total += 1;
        self.left += 1;
    }

    /// A result came: `false` if it is for a task that has had its result already (the task
    /// ran twice). A result that names no task put counts for one task waiting: it is some
    /// worker's answer, and the master must not wait for ever.
    pub fn came(&mut self, result: &str) -> bool {
        let task = result.split(' ').next().and_then(|n| n.parse::<i64>().ok());
        let task = match task {
            Some(n) if self.waiting.contains_key(&n) => n,
            Some(n) if self.put.contains(&n) => return false,
            _ => match self.waiting.keys().next() {
                Some(&any) => any,
                None => return true,
            },
        };
        match self.waiting.get_mut(&task) {
            Some(1) => drop(self.waiting.remove(&task)),
            Some(n) => *n -= 1,
            None => unreachable!("a task waiting"),
        }
        self.left -= 1;
        true
    }

    /// A task was set aside (no worker could finish it): it waits no more, and counts as failed.
    /// One that was not put here (a peer put it) fails all the same, and was never awaited.
    pub fn failed(&mut self, task: &Value) {
        self.failed += 1;
        let Some(n) = task.as_int() else { return };
        match self.waiting.get_mut(&n) {
            Some(1) => drop(self.waiting.remove(&n)),
            Some(k) => *k -= 1,
            None => return,
        }
        self.left -= 1;
    }

    /// How many tasks failed.
    pub fn failures(&self) -> usize {
        self.failed
    }

    /// How many tasks still wait for their result.
    pub fn left(&self) -> usize {
        self.left
    }

    /// How many tasks have had their result.
    pub fn done(&self) -> usize {
        self.total - self.left
    }
}

/// What a master hears next: a result, or a task that the server set aside because every
/// worker that took it left without finishing it (see `python_interop::manager::server`).
#[derive(Debug, PartialEq)]
pub enum Heard {
    /// A result from the result queue.
    Result(Value),
    /// A task set aside from the task queue.
    SetAside(Value),
}

/// The master's two sources of news: its result queue, and the tasks its task queue set aside.
pub struct Outcomes {
    task: Queue,
    result: Queue,
    aside: VecDeque<Value>,
}

impl Outcomes {
    /// News from `task` (what it sets aside) and `result`.
    pub fn new(task: &Queue, result: &Queue) -> Outcomes {
        Outcomes {
            task: task.clone(),
            result: result.clone(),
            aside: VecDeque::new(),
        }
    }

    /// The next result or task set aside, waiting at most `wait`; `None` if neither came. (A
    /// task is set aside rarely: it is looked for every 20 ms, between waits for a result.)
    pub fn next(&mut self, wait: Duration) -> Option<Heard> {
        let deadline = Instant::now() + wait;
        loop {
            self.aside.extend(self.task.take_set_aside());
            if let Some(task) = self.aside.pop_front() {
                return Some(Heard::SetAside(task));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if let Some(r) = self.result.get(left.min(Duration::from_millis(20))) {
                return Some(Heard::Result(r));
            }
            if left.is_zero() {
                return None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Awaited, HostPort};

    #[test]
    fn a_task_counts_once_however_often_its_result_comes() {
        let mut awaited = Awaited::default();
        [7, 9, 7].into_iter().for_each(|n| awaited.put(n));
        assert!(awaited.came("9 * 9 = 81"));
        assert!(!awaited.came("9 * 9 = 81"), "task 9 ran twice");
        assert!(
            awaited.came("7 * 7 = 49") && awaited.came("7 * 7 = 49"),
            "7 was put twice"
        );
        assert_eq!((awaited.left(), awaited.done()), (0, 3));
        awaited.put(1);
        assert!(awaited.came("no task named"));
        assert_eq!(awaited.left(), 0);
        awaited.put(5);
        awaited.failed(&"abc".into());
        assert_eq!((awaited.left(), awaited.failures()), (1, 1));
        awaited.failed(&5i64.into());
        assert_eq!((awaited.left(), awaited.failures()), (0, 2));
    }

    #[test]
    fn a_master_is_found_at_host_and_port() {
        for good in [
            "127.0.0.1:5000",
            "localhost:5000",
            "[::1]:5000",
            "master.example:1",
        ] {
            assert_eq!(
                good.parse::<HostPort>().map(|h| h.to_string()),
                Ok(good.into())
            );
        }
        for bad in [
            "",
            "abc",
            "127.0.0.1:99999",
            "127.0.0.1:-1",
            "[::1]",
            ":5000",
            "::1:5000",
        ] {
            assert!(bad.parse::<HostPort>().is_err(), "{bad:?}");
        }
        assert!(
            "127.0.0.1:0".parse::<HostPort>().is_err(),
            "a worker needs a real port"
        );
    }
}
