//! A learner's program that runs, on the runner of `shared::process` (a process group of its
//! own, its output read by two threads up to the cap, one deadline, its group killed before it
//! is reaped): waited for until the check's deadline while the checker watches it (`observe`),
//! then killed with all it started; Ctrl-C on the checker kills it too.

use crate::lang::Lang;
use crate::observe::{Seen, Watch};
use crate::run::{CAP, Check, Failure, Input, Options, Run, THREAD, shown};
use crate::say;
use shared::process::{Spawned, Stdin};
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

/// A program that runs, on the runner of `shared::process`. Dropped, it is killed with all it
/// started.
pub struct Running {
    child: Spawned,
    lang: Lang,
    status: Option<(ExitStatus, Option<Duration>, Instant)>,
    watch: Watch,
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
        .env_remove("RUST_BACKTRACE");
    if let Some(cores) = options.cores {
        crate::observe::on_cores(&mut command, cores);
    }
    let mut run = shared::process::Options::new(Duration::ZERO);
    run.deadline = check.deadline;
    run.cap = CAP;
    run.dies_with_parent = true;
    run.thread_name = THREAD;
    run.stdin = match options.stdin {
        Input::Null => Stdin::Null,
        Input::Bytes(bytes) => Stdin::Bytes(bytes),
        Input::Held(bytes) => Stdin::Held(bytes),
    };
    let child = Spawned::spawn(&mut command, run)
        .map_err(|e| say!(lang, "cannot start it: {e}", "无法启动它：{e}"))?;
    interrupted::register(child.id());
    let watch = Watch::start(child.id());
    Ok(Running {
        child,
        lang,
        status: None,
        watch,
    })
}

/// Runs it to its end: `Err` if it does not end by the deadline (`hung` says why that is the
/// lesson's failure), or prints more than [`CAP`].
pub fn run(check: &Check<'_>, options: Options, hung: &str) -> Result<Run, Failure> {
    start(check, options)?.finish(hung)
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
        self.child.close_stdin();
    }

    /// Waits (at most until the deadline) for a line of its stdout that `wanted` accepts.
    pub fn wait_for_line(&mut self, wanted: impl Fn(&str) -> bool) -> Option<String> {
        let deadline = self.child.deadline;
        loop {
            let text = shown(&self.child.stdout);
            let complete = text.rsplit_once('\n').map_or("", |(done, _)| done);
            if let Some(line) = complete.lines().find(|l| wanted(l)) {
                return Some(line.to_string());
            }
            if self.child.overflowed() || Instant::now() >= deadline {
                return None;
            }
            let step = (Instant::now() + Duration::from_millis(20)).min(deadline);
            if self.child.pump(step, true) && self.exited().is_some() {
                return None;
            }
        }
    }

    /// Waits (at most until `until`) for `wanted` of what the checker sees.
    pub fn wait_to_see(&mut self, until: Instant, wanted: impl Fn(&Seen) -> bool) -> bool {
        let until = until.min(self.child.deadline);
        loop {
            if wanted(&self.watch.seen()) {
                return true;
            }
            if Instant::now() >= until || self.child.overflowed() {
                return false;
            }
            let step = (Instant::now() + Duration::from_millis(5)).min(until);
            self.child.pump(step, false);
            if self.exited().is_some() {
                // A last look: what it started may have been seen in its last moment.
                return wanted(&self.watch.seen());
            }
        }
    }

    /// Its exit status, if it has exited (reaped here, with its CPU time). Before it is reaped
    /// (Linux: the runner sees it over with `waitid(WNOWAIT)`), what is left of its group is
    /// killed and the watch stops: until then its PID, its group's ID, is still its own, and
    /// neither the kill nor the watch can hit a stranger who got the PID back.
    fn exited(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.child.ended()?;
            self.end_of_group();
            self.status = self.child.reap().map(|(s, cpu)| (s, cpu, Instant::now()));
        }
        self.status.map(|(s, _, _)| s)
    }

    /// Kills what is left of its process group (if it is not reaped: elsewhere than Linux it
    /// is by now, and its group is left alone), and stops watching.
    fn end_of_group(&mut self) {
        self.child.kill_group();
        self.watch.kill_seen();
        self.watch.stop();
        interrupted::forget(self.child.id());
    }

    /// Waits for its end, reading its output: `Err` if it is not over by the deadline, or
    /// prints more than [`CAP`]. Whatever it left behind is killed.
    pub fn finish(mut self, hung: &str) -> Result<Run, Failure> {
        let lang = self.lang;
        let deadline = self.child.deadline;
        while self.exited().is_none() && !self.child.overflowed() && Instant::now() < deadline {
            let step = (Instant::now() + Duration::from_millis(5)).min(deadline);
            self.child.pump(step, false);
        }
        let in_time = self.status.is_some();
        // Over, or out of time: whatever is left of it goes; then its pipes close.
        self.kill_all();
        let grace = Instant::now() + Duration::from_millis(500);
        self.child.pump(grace.min(deadline.max(grace)), false);
        let seen = self.watch.stop();
        if self.child.overflowed() {
            let cap = CAP >> 20;
            return Err(self.failure(say!(
                lang,
                "it printed more than {cap} MiB: it was stopped there",
                "它输出的内容超过了 {cap} MiB，已被终止"
            )));
        }
        let started = self.child.started();
        let Some((status, cpu, ended)) = self.status.filter(|_| in_time) else {
            let secs = deadline.saturating_duration_since(started).as_secs_f64();
            return Err(self.failure(say!(
                lang,
                "it did not finish within {secs:.0} s: {hung}",
                "它没有在 {secs:.0} 秒内结束：{hung}"
            )));
        };
        Ok(Run {
            stdout: std::mem::take(&mut self.child.stdout),
            stderr: std::mem::take(&mut self.child.stderr),
            status,
            wall: ended - started,
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
        self.child
            .pump(Instant::now() + Duration::from_millis(500), false);
        self.watch.stop();
        self.failure(why)
    }

    fn failure(&mut self, why: String) -> Failure {
        Failure {
            why,
            stdout: std::mem::take(&mut self.child.stdout),
            stderr: std::mem::take(&mut self.child.stderr),
        }
    }

    /// Kills its process group and every descendant seen, and reaps it.
    fn kill_all(&mut self) {
        self.child.close_stdin();
        if self.status.is_none() {
            // Not reaped: its group's ID is still its own.
            self.child.kill_unreaped();
            let deadline = Instant::now() + Duration::from_secs(5);
            while self.exited().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
        self.watch.kill_seen();
        // A process that left its group and its parent (`setsid`, an orphan) but still holds
        // its output: found by the pipe it holds.
        if self.child.pipes_open() {
            crate::observe::kill_holders(&self.child.pipe_ids());
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill_all();
        self.watch.stop();
    }
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
