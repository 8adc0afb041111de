//! A learner's program that runs: started in a process group of its own, its output read by
//! two threads up to the cap, waited for until the check's deadline, then killed with all it
//! started; Ctrl-C on the checker kills it too.

use crate::lang::Lang;
use crate::observe::{Seen, Watch};
use crate::run::{CAP, Check, Failure, Input, Options, Run, THREAD, shown};
use crate::say;
use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

enum Chunk {
    Out(Vec<u8>),
    Err(Vec<u8>),
    Closed,
}

/// A program that runs. Dropped, it is killed with all it started.
pub struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    chunks: Receiver<Chunk>,
    open_pipes: usize,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    overflow: bool,
    started: Instant,
    deadline: Instant,
    lang: Lang,
    status: Option<(ExitStatus, Option<Duration>, Instant)>,
    watch: Watch,
    /// Its stdout's and stderr's pipes.
    pipes: [Option<u64>; 2],
}

/// Starts the program of `check` with `options`.
pub fn start(check: &Check<'_>, options: Options) -> Result<Running, Failure> {
    let lang = check.lang;
    let mut command = Command::new(&check.program.exe);
    command
        .args(&options.args)
        .envs(check.program.env.iter().map(|(k, v)| (k, v)))
        .envs(options.env.iter().map(|(k, v)| (k, v)))
        .env(shared::time::TIME_SCALE_VAR, options.scale.to_string())
        .env_remove("RUST_BACKTRACE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(match options.stdin {
            Input::Null => Stdio::null(),
            _ => Stdio::piped(),
        });
    shared::process::own_group(&mut command);
    shared::process::dies_with_parent(&mut command);
    if let Some(cores) = options.cores {
        crate::observe::on_cores(&mut command, cores);
    }
    // Before the spawn: the program may run (and start its waits) before spawn returns.
    let started = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|e| say!(lang, "cannot start it: {e}", "无法启动它：{e}"))?;
    interrupted::register(child.id());
    let watch = Watch::start(child.id());
    let (tx, chunks) = mpsc::channel();
    let mut open_pipes = 0;
    let pipes = [
        pipe_id(child.stdout.as_ref()),
        pipe_id(child.stderr.as_ref()),
    ];
    if let Some(pipe) = child.stdout.take() {
        open_pipes += 1;
        read_into(pipe, tx.clone(), Chunk::Out);
    }
    if let Some(pipe) = child.stderr.take() {
        open_pipes += 1;
        read_into(pipe, tx, Chunk::Err);
    }
    let mut stdin = child.stdin.take();
    let held = match options.stdin {
        Input::Null => false,
        Input::Bytes(bytes) => {
            write_in_background(stdin.take(), bytes);
            false
        }
        Input::Held(bytes) => {
            if let Some(pipe) = stdin.as_mut() {
                // Small: it fits in the pipe, and a program that does not read cannot block us.
                let _ = pipe.write_all(&bytes[..bytes.len().min(4096)]);
            }
            true
        }
    };
    Ok(Running {
        child,
        stdin: if held { stdin } else { None },
        chunks,
        open_pipes,
        stdout: Vec::new(),
        stderr: Vec::new(),
        overflow: false,
        started,
        deadline: check.deadline,
        lang,
        status: None,
        watch,
        pipes,
    })
}

/// The identity of a pipe (Linux: its inode), to find who else holds it.
#[cfg(target_os = "linux")]
fn pipe_id(pipe: Option<&impl std::os::fd::AsRawFd>) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    let fd = pipe?.as_raw_fd();
    std::fs::metadata(format!("/proc/self/fd/{fd}"))
        .ok()
        .map(|m| m.ino())
}

#[cfg(not(target_os = "linux"))]
fn pipe_id<T>(_: Option<&T>) -> Option<u64> {
    None
}

/// Runs it to its end: `Err` if it does not end by the deadline (`hung` says why that is the
/// lesson's failure), or prints more than [`CAP`].
pub fn run(check: &Check<'_>, options: Options, hung: &str) -> Result<Run, Failure> {
    start(check, options)?.finish(hung)
}

/// A thread that reads the pipe and sends what it reads, up to the cap and a byte more.
fn read_into(
    mut pipe: impl Read + Send + 'static,
    tx: mpsc::Sender<Chunk>,
    kind: fn(Vec<u8>) -> Chunk,
) {
    let reader = std::thread::Builder::new().name(THREAD.into());
    let _ = reader.spawn(move || {
        let (mut buffer, mut total) = (vec![0; 16 * 1024], 0);
        loop {
            match pipe.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    total += n;
                    if tx.send(kind(buffer[..n].to_vec())).is_err() || total > CAP {
                        break;
                    }
                }
            }
        }
        let _ = tx.send(Chunk::Closed);
    });
}

fn write_in_background(stdin: Option<ChildStdin>, bytes: Vec<u8>) {
    if let Some(mut pipe) = stdin {
        let writer = std::thread::Builder::new().name(THREAD.into());
        let _ = writer.spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
}

impl Running {
    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the checker has seen of it so far.
    pub fn seen(&self) -> Seen {
        self.watch.seen()
    }

    /// Ends its stdin (of [`Input::Held`]).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Reads what came until `until` (or until a chunk arrived, if `one`); whether its pipes
    /// are all closed.
    fn pump(&mut self, until: Instant, one: bool) -> bool {
        while self.open_pipes > 0 {
            let wait = until.saturating_duration_since(Instant::now());
            match self.chunks.recv_timeout(wait) {
                Ok(Chunk::Out(bytes)) => keep(&mut self.stdout, &bytes, &mut self.overflow),
                Ok(Chunk::Err(bytes)) => keep(&mut self.stderr, &bytes, &mut self.overflow),
                Ok(Chunk::Closed) => self.open_pipes -= 1,
                Err(RecvTimeoutError::Timeout) => return false,
                Err(RecvTimeoutError::Disconnected) => self.open_pipes = 0,
            }
            if one || self.overflow {
                break;
            }
        }
        self.open_pipes == 0
    }

    /// Waits (at most until the deadline) for a line of its stdout that `wanted` accepts.
    pub fn wait_for_line(&mut self, wanted: impl Fn(&str) -> bool) -> Option<String> {
        loop {
            let text = shown(&self.stdout);
            let complete = text.rsplit_once('\n').map_or("", |(done, _)| done);
            if let Some(line) = complete.lines().find(|l| wanted(l)) {
                return Some(line.to_string());
            }
            if self.overflow || Instant::now() >= self.deadline {
                return None;
            }
            let step = (Instant::now() + Duration::from_millis(20)).min(self.deadline);
            if self.pump(step, true) && self.exited().is_some() {
                return None;
            }
        }
    }

    /// Waits (at most until `until`) for `wanted` of what the checker sees.
    pub fn wait_to_see(&mut self, until: Instant, wanted: impl Fn(&Seen) -> bool) -> bool {
        let until = until.min(self.deadline);
        loop {
            if wanted(&self.watch.seen()) {
                return true;
            }
            if Instant::now() >= until || self.overflow {
                return false;
            }
            self.pump(
                (Instant::now() + Duration::from_millis(5)).min(until),
                false,
            );
            if self.exited().is_some() {
                // A last look: what it started may have been seen in its last moment.
                return wanted(&self.watch.seen());
            }
        }
    }

    /// Its exit status, if it has exited (reaped here, with its CPU time). Before it is reaped
    /// (Linux: seen over with `waitid(WNOWAIT)`), what is left of its group is killed and the
    /// watch stops: until then its PID, its group's ID, is still its own, and neither the kill
    /// nor the watch can hit a stranger who got the PID back.
    fn exited(&mut self) -> Option<ExitStatus> {
        if self.status.is_some() {
            return self.status.map(|(s, _, _)| s);
        }
        if cfg!(target_os = "linux") {
            if !over(&self.child) {
                return None;
            }
            self.end_of_group();
            self.status = reap(&mut self.child).map(|(s, cpu)| (s, cpu, Instant::now()));
        } else {
            self.status = reap(&mut self.child).map(|(s, cpu)| (s, cpu, Instant::now()));
            if self.status.is_some() {
                self.end_of_group();
            }
        }
        self.status.map(|(s, _, _)| s)
    }

    /// Kills what is left of its process group, and stops watching.
    fn end_of_group(&mut self) {
        kill_group(self.child.id());
        self.watch.kill_seen();
        self.watch.stop();
        interrupted::forget(self.child.id());
    }

    /// Waits for its end, reading its output: `Err` if it is not over by the deadline, or
    /// prints more than [`CAP`]. Whatever it left behind is killed.
    pub fn finish(mut self, hung: &str) -> Result<Run, Failure> {
        let lang = self.lang;
        while self.exited().is_none() && !self.overflow && Instant::now() < self.deadline {
            self.pump(
                (Instant::now() + Duration::from_millis(5)).min(self.deadline),
                false,
            );
        }
        let in_time = self.status.is_some();
        // Over, or out of time: whatever is left of it goes; then its pipes close.
        self.kill_all();
        let grace = Instant::now() + Duration::from_millis(500);
        self.pump(grace.min(self.deadline.max(grace)), false);
        let seen = self.watch.stop();
        if self.overflow {
            let cap = CAP >> 20;
            return Err(self.failure(say!(
                lang,
                "it printed more than {cap} MiB: it was stopped there",
                "它输出的内容超过了 {cap} MiB，已被终止"
            )));
        }
        let Some((status, cpu, ended)) = self.status.filter(|_| in_time) else {
            let secs = self
                .deadline
                .saturating_duration_since(self.started)
                .as_secs_f64();
            return Err(self.failure(say!(
                lang,
                "it did not finish within {secs:.0} s: {hung}",
                "它没有在 {secs:.0} 秒内结束：{hung}"
            )));
        };
        Ok(Run {
            stdout: std::mem::take(&mut self.stdout),
            stderr: std::mem::take(&mut self.stderr),
            status,
            wall: ended - self.started,
            cpu,
            seen,
        })
    }

    /// Kills it now (a server that would run for ever): what it printed, in a [`Failure`] that
    /// says `why`.
    pub fn stop(mut self, why: String) -> Failure {
        let lang = self.lang;
        let why = match self.exited() {
            Some(status) => {
                let how = crate::run::ended(lang, status);
                say!(lang, "{why} (it {how})", "{why}（它{how}）")
            }
            None => why,
        };
        self.kill_all();
        self.pump(Instant::now() + Duration::from_millis(500), false);
        self.watch.stop();
        self.failure(why)
    }

    fn failure(&mut self, why: String) -> Failure {
        Failure {
            why,
            stdout: std::mem::take(&mut self.stdout),
            stderr: std::mem::take(&mut self.stderr),
        }
    }

    /// Kills its process group and every descendant seen, and reaps it.
    fn kill_all(&mut self) {
        self.stdin = None;
        if self.status.is_none() {
            // Not reaped: its group's ID is still its own.
            kill_group(self.child.id());
            let _ = self.child.kill();
            let deadline = Instant::now() + Duration::from_secs(5);
            while self.exited().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
        self.watch.kill_seen();
        // A process that left its group and its parent (`setsid`, an orphan) but still holds
        // its output: found by the pipe it holds.
        if self.open_pipes > 0 {
            crate::observe::kill_holders(&self.pipes);
        }
    }
}

/// Kills the process group `group` (Unix).
fn kill_group(group: u32) {
    #[cfg(unix)]
    {
        let group = nix::unistd::Pid::from_raw(group as i32);
        let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
    }
    #[cfg(not(unix))]
    let _ = group;
}

/// Whether the child has exited, without reaping it (Linux: `waitid` with `WNOWAIT`).
#[cfg(target_os = "linux")]
fn over(child: &Child) -> bool {
    use nix::libc;
    // SAFETY: an all-zero siginfo_t is valid; waitid writes it.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    let flags = libc::WEXITED | libc::WNOHANG | libc::WNOWAIT;
    // SAFETY: `info` is valid for writes; the child is ours, and WNOWAIT leaves it unreaped.
    let done = unsafe { libc::waitid(libc::P_PID, child.id(), &mut info, flags) } == 0;
    // SAFETY: waitid filled `info` (its pid is 0 when the child still runs).
    done && unsafe { info.si_pid() } != 0
}

#[cfg(not(target_os = "linux"))]
fn over(_: &Child) -> bool {
    true
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill_all();
        self.watch.stop();
    }
}

fn keep(into: &mut Vec<u8>, bytes: &[u8], overflow: &mut bool) {
    let room = (CAP + 1).saturating_sub(into.len());
    into.extend_from_slice(&bytes[..bytes.len().min(room)]);
    if into.len() > CAP {
        into.truncate(CAP);
        *overflow = true;
    }
}

/// Its exit status and CPU time (its own and its waited-for children's), if it has exited.
#[cfg(unix)]
fn reap(child: &mut Child) -> Option<(ExitStatus, Option<Duration>)> {
    use nix::libc;
    use std::os::unix::process::ExitStatusExt;
    let (mut status, pid) = (0, child.id() as libc::pid_t);
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `status` and `usage` are valid for writes; `pid` is our own child, which no one
    // else reaps (this is the only `wait` for it).
    let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
    if reaped != pid {
        return None;
    }
    let time = |t: libc::timeval| {
        Duration::new(t.tv_sec as u64, 0) + Duration::from_micros(t.tv_usec as u64)
    };
    let cpu = time(usage.ru_utime) + time(usage.ru_stime);
    Some((ExitStatus::from_raw(status), Some(cpu)))
}

#[cfg(not(unix))]
fn reap(child: &mut Child) -> Option<(ExitStatus, Option<Duration>)> {
    child.try_wait().ok().flatten().map(|s| (s, None))
}

/// Ctrl-C: the learner's program runs in a process group of its own, so the terminal's
/// interrupt reaches the checker only. Then the checker kills each program that runs (its
/// group, and the descendants seen), and ends.
pub fn kill_on_interrupt() {
    interrupted::install();
}

/// The programs (process groups) and descendants that run: a fixed table of atomics, which a
/// signal handler may read.
pub(crate) mod interrupted {
    use std::sync::atomic::{AtomicI32, Ordering};

    const SLOTS: usize = 256;
    static RUNNING: [AtomicI32; SLOTS] = [const { AtomicI32::new(0) }; SLOTS];

    pub(crate) fn register(pid: u32) {
        for slot in &RUNNING {
            if slot
                .compare_exchange(0, pid as i32, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                return;
            }
        }
    }

    pub(crate) fn forget(pid: u32) {
        for slot in &RUNNING {
            let _ = slot.compare_exchange(pid as i32, 0, Ordering::SeqCst, Ordering::SeqCst);
        }
    }

    #[cfg(unix)]
    extern "C" fn on_interrupt(_: nix::libc::c_int) {
        for slot in &RUNNING {
            let pid = slot.load(Ordering::SeqCst);
            if pid > 0 {
                // SAFETY: kill is async-signal-safe; a process group and a process by id.
                unsafe {
                    nix::libc::kill(-pid, nix::libc::SIGKILL);
                    nix::libc::kill(pid, nix::libc::SIGKILL);
                }
            }
        }
        // SAFETY: _exit is async-signal-safe; 130 is how a shell shows an interrupt.
        unsafe { nix::libc::_exit(130) }
    }

    pub(crate) fn install() {
        #[cfg(unix)]
        {
            use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
            let action = SigAction::new(
                SigHandler::Handler(on_interrupt),
                SaFlags::empty(),
                SigSet::empty(),
            );
            for signal in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
                // SAFETY: the handler calls only async-signal-safe functions (kill, _exit) and
                // reads atomics.
                let _ = unsafe { sigaction(signal, &action) };
            }
        }
    }
}
