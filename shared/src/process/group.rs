//! A child in a process group of its own, and the order that keeps its group's kill safe: see
//! that the child has ended without reaping it (Linux: `waitid` with `WNOWAIT`), kill what is
//! left of its group, and only then reap it. Until it is reaped its PID, its group's ID, is
//! still its own, so the kill cannot reach a stranger (another test's program, say) that got
//! the PID back.

use std::process::{Child, Command, ExitStatus};
use std::time::Duration;

/// Starts the child as the leader of a process group of its own (Unix), so that
/// [`Spawned::kill_group`](super::Spawned::kill_group) reaches its children too.
pub fn own_group(command: &mut Command) {
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(command, 0);
    #[cfg(not(unix))]
    let _ = command;
}

/// Linux: the child gets SIGKILL from the kernel when the thread that started it ends, even if
/// this program is killed outright (`kill -9`), so it cannot outlive us. Elsewhere nothing: the
/// child must notice by itself (its stdin ending, say).
pub fn dies_with_parent(command: &mut Command) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        let parent = nix::unistd::getpid();
        // SAFETY: the closure runs in the forked child before exec, where only async-signal-safe
        // calls are allowed: `prctl`, `getppid` and `_exit` are system calls and allocate nothing.
        unsafe {
            command.pre_exec(move || {
                let _ = nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL);
                // We may have ended before the line above: then the child ends at once.
                if nix::unistd::getppid() != parent {
                    nix::libc::_exit(1);
                }
                Ok(())
            });
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = command;
}

/// Where a child is: running, ended but not reaped (a zombie that still holds its PID), or
/// reaped (its PID may be anyone's now).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    not(target_os = "linux"),
    expect(dead_code, reason = "only Linux sees an end without a reap")
)]
pub enum State {
    Running,
    Ended(ExitStatus),
    Reaped,
}

/// Where the child `pid` is, without reaping it (Linux; elsewhere, never `Ended`: see
/// [`reap`]).
pub(super) fn state(pid: u32) -> State {
    #[cfg(target_os = "linux")]
    {
        use nix::libc;
        use std::os::unix::process::ExitStatusExt;
        // SAFETY: an all-zero siginfo_t is valid; waitid writes it.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let flags = libc::WEXITED | libc::WNOHANG | libc::WNOWAIT;
        // SAFETY: `info` is valid for writes; WNOWAIT leaves the child unreaped.
        if unsafe { libc::waitid(libc::P_PID, pid, &mut info, flags) } != 0 {
            return State::Reaped; // ECHILD: not (or no longer) a child of ours
        }
        // SAFETY: waitid filled `info` (its pid is 0 when the child still runs).
        let (who, status) = unsafe { (info.si_pid(), info.si_status()) };
        if who == 0 {
            return State::Running;
        }
        // As a wait status: an exit code in the second byte, or the signal (0x80: a core).
        let raw = match info.si_code {
            libc::CLD_EXITED => (status & 0xff) << 8,
            libc::CLD_DUMPED => status | 0x80,
            _ => status,
        };
        State::Ended(ExitStatus::from_raw(raw))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pid;
        State::Running
    }
}

/// Reaps the child if it has ended: its exit status and (Unix) its CPU time, its own and its
/// waited-for children's. Never call `child.kill()` or `child.wait()` afterwards: the child no
/// longer knows it is over.
pub(super) fn reap(child: &mut Child) -> Option<(ExitStatus, Option<Duration>)> {
    #[cfg(unix)]
    {
        use nix::libc;
        use std::os::unix::process::ExitStatusExt;
        let (mut status, pid) = (0, child.id() as libc::pid_t);
        // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `status` and `usage` are valid for writes; `pid` is our own child, which no
        // one else reaps (its `Child` is borrowed here, and its owner reaps it only here).
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
    child.try_wait().ok().flatten().map(|s| (s, None))
}

/// Kills the process group `group` (Unix). Only while the child that leads it is not reaped:
/// then the group's ID is still its own. On Windows, nothing.
pub(super) fn kill_group_of(group: u32) {
    #[cfg(unix)]
    {
        let group = nix::unistd::Pid::from_raw(group as i32);
        let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
    }
    #[cfg(not(unix))]
    let _ = group;
}
