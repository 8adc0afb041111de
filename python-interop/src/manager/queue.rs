//! Python's `queue.Queue` (unbounded): a FIFO shared by threads, with `task_done` and `join`.

use crate::lock;
use crate::pickle::Value;
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A FIFO queue shared by threads; cloning it gives another handle to the same queue.
#[derive(Clone, Default)]
pub struct Queue(Arc<Inner>);

#[derive(Default)]
struct Inner {
    state: Mutex<State>,
    /// Signalled when an item arrives, when the last task is done, and when the queue closes.
    changed: Condvar,
}

#[derive(Default)]
struct State {
    items: VecDeque<Value>,
    /// Items put and not yet marked done with `task_done` (Python's `unfinished_tasks`).
    unfinished: usize,
    /// Set when the manager shuts down: nothing waits any more.
    closed: bool,
}

impl Queue {
    /// An empty queue.
    pub fn new() -> Queue {
        Queue::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.0.state)
    }

    /// Waits for a change of the state, until `deadline` (`None`: for ever).
    fn wait<'a>(
        &self,
        state: MutexGuard<'a, State>,
        deadline: Option<Instant>,
    ) -> Option<MutexGuard<'a, State>> {
        let changed = &self.0.changed;
        match deadline {
            None => Some(changed.wait(state).unwrap_or_else(|e| e.into_inner())),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                let (state, _) = changed
                    .wait_timeout(state, left)
                    .unwrap_or_else(|e| e.into_inner());
                (!left.is_zero()).then_some(state)
            }
        }
    }

    /// `queue.put(item)`.
    pub fn put(&self, item: impl Into<Value>) {
        let mut state = self.state();
        state.items.push_back(item.into());
        state.unfinished += 1;
        self.0.changed.notify_all();
    }

    /// `queue.get(timeout=...)`: the first item, waiting at most `timeout` for one;
    /// `None` if none came (Python raises `queue.Empty`).
    pub fn get(&self, timeout: Duration) -> Option<Value> {
        self.get_until(Instant::now().checked_add(timeout))
    }

    /// The first item, waiting until `deadline` (`None`: for ever, unless the queue closes).
    pub fn get_until(&self, deadline: Option<Instant>) -> Option<Value> {
        let mut state = self.state();
        loop {
            if let Some(item) = state.items.pop_front() {
                return Some(item);
            }
            if state.closed {
                return None;
            }
            state = self.wait(state, deadline)?;
        }
    }

    /// `queue.task_done()`: one item that was got is finished. `false` if every item put is
    /// already done (Python raises `ValueError`).
    pub fn task_done(&self) -> bool {
        let mut state = self.state();
        if state.unfinished == 0 {
            return false;
        }
        state.unfinished -= 1;
        if state.unfinished == 0 {
            self.0.changed.notify_all();
        }
        true
    }

    /// `queue.join()`: waits until every item put has been marked done (or the queue closes).
    pub fn join(&self) {
        let mut state = self.state();
        while state.unfinished > 0 && !state.closed {
            state = self.wait(state, None).expect("no deadline");
        }
    }

    /// How many items wait.
    pub fn qsize(&self) -> usize {
        self.state().items.len()
    }

    /// Back to the front, for the next `get`: a task whose worker left without finishing it.
    pub fn put_back(&self, item: Value) {
        self.state().items.push_front(item);
        self.0.changed.notify_all();
    }

    /// Nothing waits any more: a `get` on an empty queue returns at once, `join` too.
    pub fn close(&self) {
        self.state().closed = true;
        self.0.changed.notify_all();
    }

    /// Whether both handles are the same queue.
    pub fn same(&self, other: &Queue) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_in_first_out_with_timeouts_and_joins() {
        let q = Queue::new();
        assert_eq!(q.get(Duration::from_millis(10)), None);
        q.put(1i64);
        q.put(2i64);
        assert_eq!(q.get(Duration::ZERO), Some(Value::Int(1)));
        q.put_back(Value::Int(1));
        assert_eq!(q.qsize(), 2);
        assert_eq!(q.get(Duration::ZERO), Some(Value::Int(1)));
        let joiner = {
            let q = q.clone();
            std::thread::spawn(move || q.join())
        };
        assert!(q.task_done() && !joiner.is_finished());
        assert_eq!(q.get(Duration::ZERO), Some(Value::Int(2)));
        assert!(q.task_done());
        joiner.join().unwrap();
        assert!(!q.task_done(), "every task is already done");
        let waiter = {
            let q = q.clone();
            std::thread::spawn(move || q.get_until(None))
        };
        q.close();
        assert_eq!(waiter.join().unwrap(), None);
    }
}
