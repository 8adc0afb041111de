//! Whether a program's threads ran side by side or took turns, seen from outside it (Linux, in
//! `/proc`, about every millisecond), for the lessons of threads without a GIL.
//!
//! Timings cannot tell: two threads that take turns (a lock held around the work, as a GIL
//! would) and two threads on a machine whose cores other programs hold both take twice as long.
//! Their states can: a thread waiting for a lock is asleep (`S`), while a thread waiting for a
//! core is runnable (`R`) all the same. So at each look this counts the program's threads, its
//! main thread aside, and how many of them are runnable; threads that run side by side are all
//! runnable at almost every look, however busy the machine, and threads that take turns never.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One look at the program: its threads other than the main one, and how many were runnable.
#[derive(Clone, Copy, Debug)]
pub struct Look {
    pub at: Instant,
    pub threads: usize,
    pub runnable: usize,
}

/// Looks at a program until [`Watch::stop`] is called (or the watch is dropped).
pub struct Watch {
    looks: Arc<Mutex<Vec<Look>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Starts looking at the program `pid` (see the module's doc).
pub fn watch(pid: u32) -> Watch {
    let (looks, stop) = (
        Arc::<Mutex<Vec<Look>>>::default(),
        Arc::new(AtomicBool::new(false)),
    );
    let (mine, stopped) = (Arc::clone(&looks), Arc::clone(&stop));
    let thread = std::thread::spawn(move || {
        while !stopped.load(Ordering::SeqCst) {
            let threads = shared::process::proc::threads(pid);
            let workers = threads.iter().filter(|(tid, _)| *tid != pid);
            let runnable = workers.clone().filter(|(_, s)| s.state == 'R').count();
            let (at, threads) = (Instant::now(), workers.count());
            shared::lock(&mine).push(Look {
                at,
                threads,
                runnable,
            });
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    Watch {
        looks,
        stop,
        thread: Some(thread),
    }
}

impl Watch {
    /// Stops looking: every look, in order.
    pub fn stop(mut self) -> Vec<Look> {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            thread.join().expect("the watching thread does not panic");
        }
        std::mem::take(&mut *shared::lock(&self.looks))
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// What the looks from `from` to `to` saw: how many found two or more threads besides the main
/// one, and of those how many found two or more of them runnable at once. `None` if there were
/// too few such looks (under 10) to tell.
pub fn runnable_at_once(looks: &[Look], from: Instant, to: Instant) -> Option<(usize, usize)> {
    let two = looks
        .iter()
        .filter(|l| l.at >= from && l.at <= to && l.threads >= 2);
    let at_once = two.clone().filter(|l| l.runnable >= 2).count();
    let two = two.count();
    (two >= 10).then_some((at_once, two))
}

/// Fails the test unless the program's threads were runnable at once at most looks (at least
/// half) from `from` to `to`: they did not take turns. Where there is no `/proc` to look in
/// (not Linux), it says so on stderr and passes. `what` names the run in the message.
pub fn assert_side_by_side(looks: &[Look], from: Instant, to: Instant, what: &str) {
    if !cfg!(target_os = "linux") {
        eprintln!("skipped: {what}: threads can only be watched in Linux's /proc");
        return;
    }
    let (at_once, two) = runnable_at_once(looks, from, to)
        .unwrap_or_else(|| panic!("{what}: too few looks at two or more threads to tell"));
    assert!(
        2 * at_once >= two,
        "{what}: the threads took turns: two or more were runnable at only {at_once} of {two} \
         looks at them (a thread that waits for a core is runnable; one that waits for a lock \
         is not)"
    );
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// CPython's threads take turns under the GIL: two busy ones are never seen side by side.
    #[test]
    fn python_threads_under_the_gil_are_seen_taking_turns() {
        if !crate::python3_present(
            "side_by_side::python_threads_under_the_gil_are_seen_taking_turns",
        ) {
            return;
        }
        let spin = "import sys, threading, time\n\
            if not getattr(sys, '_is_gil_enabled', lambda: True)(): sys.exit(3)\n\
            def spin():\n    end = time.time() + 0.5\n    while time.time() < end: pass\n\
            ts = [threading.Thread(target=spin) for _ in range(2)]\n\
            [t.start() for t in ts]; print('started', flush=True); [t.join() for t in ts]\n";
        let mut python = crate::bin("python3").args(["-c", spin]).spawn();
        let watch = watch(python.pid());
        python.wait_for_line(|l| l == "started");
        let from = Instant::now();
        let out = python.finish();
        let looks = watch.stop();
        if out.status.code() == Some(3) {
            eprintln!("skipped: this python3 has no GIL");
            return;
        }
        out.assert_success();
        let (at_once, two) = runnable_at_once(&looks, from, Instant::now()).expect("enough looks");
        assert!(2 * at_once < two, "{at_once} of {two}");
    }
}
