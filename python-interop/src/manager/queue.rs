//! Python's `queue.Queue` (unbounded): a FIFO shared by threads, with `task_done` and `join`.
//!
//! What the server adds, for the tasks that connections take (`take`): the queue knows how many
//! are held and not yet finished, so that a worker's `get` waits for them rather than calling the
//! queue empty; how many times each was taken and given back, so that a task no worker can finish
//! is set aside instead of passed around for ever; and how many bytes it holds, so that a peer's
//! puts are bounded in bytes, not only in items.

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
    items: VecDeque<Item>,
    /// The bytes of the items queued and of those held ([`Value::size`]).
    bytes: usize,
    /// Items taken by connections (`take`) and neither settled nor given back yet.
    held: usize,
    /// Items given back too often (`give_back`), for the master to report.
    aside: Vec<Value>,
    /// Items put and not yet marked done with `task_done` (Python's `unfinished_tasks`).
    unfinished: usize,
    /// Set when the manager shuts down: nothing waits any more.
    closed: bool,
}

/// A queued item, with how many times a connection took it and gave it back unfinished.
struct Item {
    value: Value,
    tries: u32,
}

/// An item a connection took: it stays counted (and its bytes too) until it is settled or
/// given back.
pub(crate) struct Held {
    pub(crate) value: Value,
    tries: u32,
    size: usize,
}

/// What became of an item given back.
pub(crate) enum GivenBack {
    /// Back at the front of the queue, for the next `get`.
    Queued,
    /// Set aside: it has been taken this many times and never finished.
    SetAside(u32),
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
        let value = item.into();
        let mut state = self.state();
        state.bytes += value.size();
        state.items.push_back(Item { value, tries: 0 });
        state.unfinished += 1;
        self.0.changed.notify_all();
    }

    /// `put` from the network: refused (`Err` with the bytes the queue holds) when the item
    /// would take the queue past `max_bytes` or `max_items`.
    pub(crate) fn try_put(
        &self,
        value: Value,
        max_items: usize,
        max_bytes: usize,
    ) -> Result<(), String> {
        let size = value.size();
        let mut state = self.state();
        if state.items.len() >= max_items {
            return Err(format!("the queue holds {max_items} items"));
        }
        if state.bytes + size > max_bytes {
            return Err(format!(
                "the queue holds {} bytes, and {size} more would pass its {max_bytes}",
                state.bytes
            ));
        }
        state.bytes += size;
        state.items.push_back(Item { value, tries: 0 });
        state.unfinished += 1;
        self.0.changed.notify_all();
        Ok(())
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
                state.bytes -= item.value.size();
                return Some(item.value);
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

    /// A connection's `get`: the first item, held for that connection until it is settled or
    /// given back. Waits until `deadline` for one; past it, while other connections still hold
    /// items of this queue (more than the `own` ones of the asker), it waits on, up to `grace`
    /// more, for one of them to be given back: "empty" then means nothing queued and nothing held
    /// elsewhere, so that a worker does not leave while a task may still come back.
    pub(crate) fn take(
        &self,
        deadline: Option<Instant>,
        own: usize,
        grace: Duration,
    ) -> Option<Held> {
        let late = deadline.and_then(|d| d.checked_add(grace));
        let mut state = self.state();
        loop {
            if let Some(Item { value, tries }) = state.items.pop_front() {
                state.held += 1;
                let size = value.size();
                return Some(Held { value, tries, size });
            }
            if state.closed {
                return None;
            }
            let until = if state.held > own { late } else { deadline };
            state = self.wait(state, until)?;
        }
    }

    /// A held item is done (its result came): it no longer counts.
    pub(crate) fn settle(&self, held: Held) {
        let mut state = self.state();
        state.held -= 1;
        state.bytes -= held.size;
        self.0.changed.notify_all();
    }

    /// A held item comes back unfinished (its connection left): to the front, for the next
    /// `get`; or, once it has been taken `max_tries` times, set aside for the master to report.
    pub(crate) fn give_back(&self, held: Held, max_tries: u32) -> GivenBack {
        let mut state = self.state();
        state.held -= 1;
        let tries = held.tries + 1;
        let outcome = if tries >= max_tries {
            state.bytes -= held.size;
            state.unfinished = state.unfinished.saturating_sub(1);
            state.aside.push(held.value);
            GivenBack::SetAside(tries)
        } else {
            state.items.push_front(Item {
                value: held.value,
                tries,
            });
            GivenBack::Queued
        };
        self.0.changed.notify_all();
        outcome
    }

    /// The items set aside since the last call: tasks that connections took again and again
    /// and never finished (a task every worker dies of).
    pub fn take_set_aside(&self) -> Vec<Value> {
        std::mem::take(&mut self.state().aside)
    }

    /// How many bytes the items queued and held take.
    pub fn bytes(&self) -> usize {
        self.state().bytes
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
        let held = q.take(Some(Instant::now()), 0, Duration::ZERO).unwrap();
        assert_eq!(held.value, Value::Int(1));
        assert!(matches!(q.give_back(held, 3), GivenBack::Queued));
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

    #[test]
    fn a_get_waits_for_items_held_elsewhere_and_takes_one_given_back() {
        let q = Queue::new();
        q.put(7i64);
        let held = q.take(Some(Instant::now()), 0, Duration::ZERO).unwrap();
        // Nothing queued, one held elsewhere: a get waits past its own deadline...
        let waiter = {
            let q = q.clone();
            std::thread::spawn(move || {
                q.take(Some(Instant::now()), 0, Duration::from_secs(20))
                    .map(|h| h.value)
            })
        };
        std::thread::sleep(Duration::from_millis(100));
        assert!(!waiter.is_finished());
        // ...and takes the item when it comes back.
        assert!(matches!(q.give_back(held, 3), GivenBack::Queued));
        assert_eq!(waiter.join().unwrap(), Some(Value::Int(7)));
        // Its own held items do not keep a connection waiting; settled ones free the others.
        let started = Instant::now();
        assert!(
            q.take(Some(Instant::now()), 1, Duration::from_secs(20))
                .is_none()
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn an_item_taken_three_times_unfinished_is_set_aside_and_its_bytes_freed() {
        let q = Queue::new();
        q.put("poison");
        let size = q.bytes();
        assert!(size > 0);
        for tries in 1..=3 {
            let held = q.take(Some(Instant::now()), 0, Duration::ZERO).unwrap();
            match q.give_back(held, 3) {
                GivenBack::Queued => assert!(tries < 3),
                GivenBack::SetAside(n) => assert_eq!((tries, n), (3, 3)),
            }
        }
        assert_eq!((q.qsize(), q.bytes()), (0, 0));
        assert_eq!(q.take_set_aside(), [Value::from("poison")]);
        assert!(q.take_set_aside().is_empty());
        assert!(q.try_put(Value::from("x".repeat(100)), 10, 50).is_err());
        assert!(q.try_put(Value::from("x"), 10, 50).is_ok());
    }
}
