//! A process or thread as Linux's `/proc` shows it from outside: its parent, its group, whether
//! it is runnable, its CPU time. What the exercises' checker and the tests watch a program
//! with, instead of trusting what it prints. Elsewhere there is no `/proc`: nothing is seen.

/// The fields of `/proc/PID/stat` (or `/proc/PID/task/TID/stat`) used here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskStat {
    pub parent: u32,
    pub group: u32,
    /// `R` runnable (running, or waiting for a core), `S` asleep (waiting for a lock, a timer,
    /// a pipe), `Z` a zombie, ...
    pub state: char,
    /// Its CPU time, user and system, in clock ticks (USER_HZ: 100 a second on Linux).
    pub ticks: u64,
    /// When it started, in clock ticks after boot: with its pid, it names one process.
    pub start: u64,
}

/// Reads one `stat` text; `None` if it is not one.
pub fn parse_stat(text: &str) -> Option<TaskStat> {
    // The command's name is in parentheses and may hold anything: the fields follow its last ')'.
    let (_, rest) = text.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // fields[0] is field 3 of proc(5): state, ppid, pgrp, ... utime (14), stime (15), starttime (22).
    let number = |i: usize| fields.get(i)?.parse::<u64>().ok();
    Some(TaskStat {
        state: fields.first()?.chars().next()?,
        parent: number(1)? as u32,
        group: number(2)? as u32,
        ticks: number(11)? + number(12)?,
        start: number(19)?,
    })
}

/// The process `pid` now, if it is there.
pub fn stat(pid: u32) -> Option<TaskStat> {
    parse_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// The threads of process `pid` now, each with its thread id: the live ones, not those that
/// have ended and wait to be reaped. Empty if it is gone (or where there is no `/proc`).
pub fn threads(pid: u32) -> Vec<(u32, TaskStat)> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    let tids = tasks
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok());
    tids.filter_map(|tid| {
        let text = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/stat")).ok()?;
        Some((tid, parse_stat(&text)?))
    })
    .filter(|(_, s)| s.state != 'Z' && s.state != 'X')
    .collect()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_name_with_parentheses_and_spaces_is_skipped() {
        let text = "42 (a) b (c) S 1 42 42 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 99 0 0";
        let s = parse_stat(text).unwrap();
        assert_eq!((s.state, s.parent, s.group), ('S', 1, 42));
        assert_eq!((s.ticks, s.start), (10, 99));
        assert_eq!(parse_stat("42 (a) S 1"), None);
    }

    #[test]
    fn a_busy_thread_is_seen_runnable_and_a_sleeping_one_asleep() {
        use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
        let (stop, busy, asleep) = (AtomicBool::new(false), AtomicU32::new(0), AtomicU32::new(0));
        let (wake, sleeper) = std::sync::mpsc::channel::<()>();
        std::thread::scope(|s| {
            s.spawn(|| {
                busy.store(nix::unistd::gettid().as_raw() as u32, Ordering::SeqCst);
                while !stop.load(Ordering::SeqCst) {
                    std::hint::spin_loop();
                }
            });
            let asleep = &asleep;
            s.spawn(move || {
                asleep.store(nix::unistd::gettid().as_raw() as u32, Ordering::SeqCst);
                let _ = sleeper.recv();
            });
            while busy.load(Ordering::SeqCst) == 0 || asleep.load(Ordering::SeqCst) == 0 {
                std::thread::yield_now();
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
            let threads = threads(std::process::id());
            let state = |tid: &AtomicU32| {
                let tid = tid.load(Ordering::SeqCst);
                threads
                    .iter()
                    .find(|(t, _)| *t == tid)
                    .map(|(_, s)| s.state)
            };
            stop.store(true, Ordering::SeqCst);
            drop(wake);
            assert_eq!(state(&busy), Some('R'), "{threads:?}");
            assert_eq!(state(asleep), Some('S'), "{threads:?}");
            // The thread that reads is running.
            let me = AtomicU32::new(nix::unistd::gettid().as_raw() as u32);
            assert_eq!(state(&me), Some('R'), "{threads:?}");
        });
        let me = stat(std::process::id()).expect("this process");
        assert_eq!(me.parent, nix::unistd::getppid().as_raw() as u32);
    }
}
