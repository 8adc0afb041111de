//! What the checker sees of a running program from outside it, never from what it prints
//! (Linux, in `/proc`, every few milliseconds): the processes it started and their parents,
//! even those that left its process group; its threads, which of them were runnable at once,
//! and the CPU time of each. Elsewhere nothing is seen, and the checks that need it say so.

use shared::process::proc::{TaskStat, stat};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A clock tick of `/proc`'s CPU times, in seconds (USER_HZ: 100 a second on Linux).
pub const TICK: f64 = 0.01;

/// How often it looks.
const EVERY: Duration = Duration::from_millis(3);

/// What was seen of a program and its descendants.
#[derive(Clone, Debug, Default)]
pub struct Seen {
    /// Whether anything could be seen at all (Linux).
    pub watched: bool,
    /// Every descendant seen: its pid, its parent's pid.
    pub descendants: BTreeMap<u32, u32>,
    /// The most threads the program had at once.
    pub most_threads: usize,
    /// Looks at which the program had at least one runnable thread, and at which it had two
    /// or more runnable at once.
    pub busy_looks: usize,
    pub parallel_looks: usize,
    /// The CPU time of each of the program's threads, in clock ticks, as last seen.
    pub thread_ticks: BTreeMap<u32, u64>,
    /// How long the program waited with no thread runnable (between two looks that both saw
    /// it so): a sleep, a wait for the network.
    pub idle: Duration,
    /// When the last look saw it idle.
    idle_since: Option<std::time::Instant>,
    /// The program's pid.
    pub root: u32,
}

impl Seen {
    /// The pids seen whose parent was the program.
    pub fn children(&self) -> BTreeSet<u32> {
        let root = self.root;
        let kids = self
            .descendants
            .iter()
            .filter(|&(_, &parent)| parent == root);
        kids.map(|(&pid, _)| pid).collect()
    }
}

/// A thread that watches a program until stopped.
pub struct Watch {
    seen: Arc<Mutex<Seen>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    /// The descendants seen, with their start times, to kill them (and not a stranger who got
    /// a pid back).
    started: Arc<Mutex<BTreeMap<u32, u64>>>,
}

impl Watch {
    pub fn start(root: u32) -> Watch {
        let seen = Arc::new(Mutex::new(Seen {
            root,
            watched: cfg!(target_os = "linux"),
            ..Seen::default()
        }));
        let (stop, started) = (Arc::new(AtomicBool::new(false)), Arc::default());
        let thread = cfg!(target_os = "linux").then(|| {
            let (seen, stop, started) =
                (Arc::clone(&seen), Arc::clone(&stop), Arc::clone(&started));
            let watcher = std::thread::Builder::new().name(crate::run::THREAD.into());
            watcher.spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    look(root, &seen, &started);
                    std::thread::sleep(EVERY);
                }
            })
        });
        let thread = thread.and_then(Result::ok);
        Watch {
            seen,
            stop,
            thread,
            started,
        }
    }

    pub fn seen(&self) -> Seen {
        shared::lock(&self.seen).clone()
    }

    /// Stops watching; what was seen.
    pub fn stop(&mut self) -> Seen {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        for pid in shared::lock(&self.started).keys() {
            crate::run::interrupted::forget(*pid);
        }
        self.seen()
    }

    /// Kills every descendant seen that still runs (Linux).
    pub fn kill_seen(&self) {
        #[cfg(unix)]
        for (&pid, &start) in shared::lock(&self.started).iter() {
            if stat(pid).is_some_and(|s| s.start == start) {
                let pid = nix::unistd::Pid::from_raw(pid as i32);
                let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One look at the program `root` and its descendants.
fn look(root: u32, seen: &Mutex<Seen>, started: &Mutex<BTreeMap<u32, u64>>) {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return;
    };
    let all: Vec<(u32, TaskStat)> = dir
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| Some((pid, stat(pid)?)))
        .collect();
    let mut seen = shared::lock(seen);
    let mut started = shared::lock(started);
    // Descendants: in its group, or a child of one already known (twice: pids wrap around).
    for _ in 0..2 {
        for (pid, s) in &all {
            let known = |p: &u32| *p == root || seen.descendants.contains_key(p);
            if *pid != root
                && (s.group == root || known(&s.parent))
                && !seen.descendants.contains_key(pid)
            {
                seen.descendants.insert(*pid, s.parent);
                started.insert(*pid, s.start);
                crate::run::interrupted::register(*pid);
            }
        }
    }
    // Its threads: how many, which are runnable, the CPU time of each.
    let threads = shared::process::proc::threads(root);
    let runnable = threads.iter().filter(|(_, s)| s.state == 'R').count();
    for (tid, s) in &threads {
        seen.thread_ticks.insert(*tid, s.ticks);
    }
    let threads = threads.len();
    seen.most_threads = seen.most_threads.max(threads);
    let now = std::time::Instant::now();
    if threads > 0 && runnable == 0 {
        if let Some(since) = seen.idle_since {
            seen.idle += now - since;
        }
        seen.idle_since = Some(now);
    } else {
        seen.idle_since = None;
    }
    seen.busy_looks += usize::from(runnable >= 1);
    seen.parallel_looks += usize::from(runnable >= 2);
}

/// Kills every process that holds the write end of one of these pipes (Linux): only the
/// program and what it started can; this process holds the read ends, and so, for a moment,
/// does a child this process forks for another check before its exec (not to be killed).
pub fn kill_holders(pipes: &[Option<u64>]) {
    #[cfg(target_os = "linux")]
    {
        let wanted: Vec<String> = pipes
            .iter()
            .flatten()
            .map(|p| format!("pipe:[{p}]"))
            .collect();
        let me = std::process::id();
        let Ok(dir) = std::fs::read_dir("/proc") else {
            return;
        };
        for pid in dir
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        {
            let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
                continue;
            };
            let writes = |fd: &std::fs::DirEntry| {
                let info = format!("/proc/{pid}/fdinfo/{}", fd.file_name().to_string_lossy());
                let info = std::fs::read_to_string(info).unwrap_or_default();
                let flags = info.lines().find_map(|l| l.strip_prefix("flags:"));
                let flags = flags.and_then(|f| u32::from_str_radix(f.trim(), 8).ok());
                flags.is_some_and(|f| f & 0o3 == 0o1) // O_WRONLY
            };
            let holds = fds.flatten().any(|fd| {
                std::fs::read_link(fd.path())
                    .is_ok_and(|link| wanted.iter().any(|w| link.as_os_str() == w.as_str()))
                    && writes(&fd)
            });
            if holds && pid != me {
                let pid = nix::unistd::Pid::from_raw(pid as i32);
                let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = pipes;
}

/// The cores this process may run on (Linux: its CPU affinity mask), or how many there are.
pub fn cores() -> usize {
    #[cfg(target_os = "linux")]
    if let Some(mask) = affinity() {
        return mask.len();
    }
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(target_os = "linux")]
fn affinity() -> Option<Vec<usize>> {
    use nix::libc;
    // SAFETY: an all-zero `cpu_set_t` is the empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is valid for writes of its own size.
    let got = unsafe { libc::sched_getaffinity(0, std::mem::size_of_val(&set), &mut set) };
    if got != 0 {
        return None;
    }
    // SAFETY: `set` is initialised and `cpu` is below CPU_SETSIZE.
    let cpus = (0..libc::CPU_SETSIZE as usize).filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) });
    Some(cpus.collect())
}

/// Linux: the command runs on `n` of the checker's cores (its CPU affinity mask), as if the
/// machine had `n`; `available_parallelism` says `n` in it. Elsewhere it runs as it would.
pub fn on_cores(command: &mut std::process::Command, n: usize) {
    #[cfg(target_os = "linux")]
    if let Some(mask) = affinity() {
        use nix::libc;
        use std::os::unix::process::CommandExt;
        // SAFETY: an all-zero `cpu_set_t` is the empty set.
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        for &cpu in mask.iter().take(n.max(1)) {
            // SAFETY: `cpu` came from the mask, below CPU_SETSIZE.
            unsafe { libc::CPU_SET(cpu, &mut set) };
        }
        // SAFETY: the closure runs in the child between fork and exec, and only calls
        // sched_setaffinity, a system call that allocates nothing.
        unsafe {
            command.pre_exec(move || {
                match libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set) {
                    0 => Ok(()),
                    _ => Err(std::io::Error::last_os_error()),
                }
            });
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (command, n);
}
