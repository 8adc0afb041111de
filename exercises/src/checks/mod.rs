//! The check of each exercise: its lesson in one sentence (each function's doc), checked
//! through what the program's text cannot fake: the processes and threads the checker sees
//! itself, inputs it chooses at random, servers and masters it plays, the CPU time of each
//! thread against a count the checker makes itself. A failure says what is wrong in the
//! lesson's terms and never shows the expected output.

mod asyncio;
mod processes;
mod threads;

use crate::run::{Check, Failure};
use std::time::Duration;

/// A check: `Err` says what is still wrong.
pub type CheckFn = fn(&Check<'_>) -> Result<(), Failure>;

/// The check of the exercise `name`, and the one deadline of its whole check.
pub fn of(name: &str) -> Option<(CheckFn, Duration)> {
    let secs = |s| Duration::from_secs(s);
    Some(match name {
        "pool_of_five" => (processes::pool_of_five as CheckFn, secs(15)),
        "communicate" => (processes::communicate, secs(8)),
        "queue_end" => (processes::queue_end, secs(8)),
        "share_counter" => (threads::share_counter, secs(15)),
        "deadlock_order" => (threads::deadlock_order, secs(6)),
        "thread_local" => (threads::thread_local, secs(10)),
        "primes_rayon" => (threads::primes_rayon, secs(60)),
        "threads_for_cores" => (threads::threads_for_cores, secs(60)),
        "worker" => (processes::worker, secs(10)),
        "take_turns" => (asyncio::take_turns, secs(10)),
        "fetch_concurrently" => (asyncio::fetch_concurrently, secs(15)),
        "two_waits" => (asyncio::two_waits, secs(10)),
        "escaped_route" => (asyncio::escaped_route, secs(10)),
        _ => return None,
    })
}

/// Random words the checker chooses, lower case.
fn words(n: usize) -> Vec<String> {
    const SYLLABLES: [&str; 12] = [
        "ka", "mo", "ri", "tu", "len", "sa", "po", "vi", "zen", "do", "ha", "ne",
    ];
    (0..n)
        .map(|_| {
            let parts = fastrand::usize(2..=3);
            (0..parts)
                .map(|_| SYLLABLES[fastrand::usize(..SYLLABLES.len())])
                .collect()
        })
        .collect()
}

/// Whether the program's source has `construct` (a check's back-up, never the check itself).
fn source_has(check: &Check<'_>, construct: &str) -> bool {
    let Some(source) = &check.program.source else {
        return true;
    };
    let text = std::fs::read_to_string(source).unwrap_or_default();
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .any(|l| l.contains(construct))
}
