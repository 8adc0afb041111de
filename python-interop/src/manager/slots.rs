//! Places for connections, counted by their owners' lifetimes: a [`Slot`] is taken when a
//! connection gets a place and given back when it is dropped, however its thread ends (a panic
//! too). Nothing counts by hand, so no place is lost and none is counted twice. (tokio's
//! `Semaphore` and its permits do the same for tasks; here the connections are threads.)

use crate::lock;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

/// At most `max` places.
pub(super) struct Slots {
    taken: Mutex<usize>,
    /// Signalled when a place is given back.
    freed: Condvar,
    max: usize,
}

/// One place, given back when dropped.
pub(super) struct Slot(Arc<Slots>);

impl Slots {
    pub(super) fn new(max: usize) -> Arc<Slots> {
        Arc::new(Slots {
            taken: Mutex::new(0),
            freed: Condvar::new(),
            max,
        })
    }

    /// A place, or `None` if all are taken: the check and the taking are one step, under one
    /// lock, so two connections can never both take the last place.
    pub(super) fn try_take(self: &Arc<Self>) -> Option<Slot> {
        let mut taken = lock(&self.taken);
        if *taken >= self.max {
            return None;
        }
        *taken += 1;
        Some(Slot(Arc::clone(self)))
    }

    /// Waits until every place is free, or until `deadline`.
    pub(super) fn wait_all_free(&self, deadline: Instant) {
        let mut taken = lock(&self.taken);
        while *taken > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            taken = self
                .freed
                .wait_timeout(taken, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        *lock(&self.0.taken) -= 1;
        self.0.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_is_taken_once_and_given_back_on_drop() {
        let slots = Slots::new(2);
        let (a, b) = (slots.try_take(), slots.try_take());
        assert!(a.is_some() && b.is_some());
        assert!(slots.try_take().is_none(), "a cap is a cap");
        drop(a);
        let again = slots.try_take();
        assert!(again.is_some(), "a place given back is taken again");
        drop(again);
        let c = std::thread::spawn(move || drop(b));
        c.join().unwrap();
        slots.wait_all_free(Instant::now() + std::time::Duration::from_secs(5));
        assert_eq!(*lock(&slots.taken), 0);
    }
}
