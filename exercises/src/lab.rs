//! What an exercise's program takes from this package: [`Lock`], a `Mutex` that the checker
//! can watch.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Where a [`Lock`] writes who takes and releases it (a file the checker names).
pub const TRACE_VAR: &str = "EXERCISES_LOCK_TRACE";

/// How many locks are held, and how many threads wait for one, in the whole program.
static HELD: AtomicUsize = AtomicUsize::new(0);
static WAITING: AtomicUsize = AtomicUsize::new(0);
static FIRST: AtomicBool = AtomicBool::new(true);

/// A `Mutex<()>` that says who takes it. One more thing, so that a wrong order deadlocks on
/// every run and not now and then: the first lock the program takes is held until another
/// thread holds a lock too, or waits for one (at most 2 s). Two threads that take A and B in
/// opposite orders then each hold one and wait for the other's, whatever the machine's timing.
pub struct Lock {
    name: &'static str,
    mutex: Mutex<()>,
}

/// A held [`Lock`]: released when dropped.
pub struct Held<'a> {
    lock: &'a Lock,
    _guard: MutexGuard<'a, ()>,
}

impl Lock {
    pub const fn new(name: &'static str) -> Lock {
        Lock {
            name,
            mutex: Mutex::new(()),
        }
    }

    /// Takes the lock, waiting while another thread holds it.
    pub fn lock(&self) -> Held<'_> {
        WAITING.fetch_add(1, Ordering::SeqCst);
        let guard = self.mutex.lock().unwrap_or_else(|e| e.into_inner());
        WAITING.fetch_sub(1, Ordering::SeqCst);
        HELD.fetch_add(1, Ordering::SeqCst);
        trace("take", self.name);
        if FIRST.swap(false, Ordering::SeqCst) {
            let until = Instant::now() + Duration::from_secs(2);
            while HELD.load(Ordering::SeqCst) < 2
                && WAITING.load(Ordering::SeqCst) == 0
                && Instant::now() < until
            {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        Held {
            lock: self,
            _guard: guard,
        }
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        trace("release", self.lock.name);
        HELD.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One line, `THREAD take|release LOCK`, appended to the trace file if the checker named one.
fn trace(what: &str, lock: &str) {
    let Some(path) = std::env::var_os(TRACE_VAR) else {
        return;
    };
    let thread = format!("{:?}", std::thread::current().id()).replace(' ', "");
    let line = format!("{thread} {what} {lock}\n");
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
    {
        // One write of one short line: appends of threads do not mix.
        let _ = file.write_all(line.as_bytes());
    }
}
