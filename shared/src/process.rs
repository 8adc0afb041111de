//! Facts about child processes that every package needs: how one ended, in words; the status of
//! a closed stdout; making sure none is left behind (its own process group, killed as a whole,
//! or killed by the kernel when we die).

use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// The exit status of a program whose stdout was closed (`| head`): 128 + SIGPIPE, what a
/// shell shows for a Unix tool killed by the broken pipe. Every example ends with it, quietly.
pub const STDOUT_CLOSED: i32 = 141;

/// How a child process ended, in words: `exited with status 3`, `was killed by signal 9
/// (SIGKILL)`, `ended because its stdout was closed (exit status 141)`, and on Windows a crash
/// as its NTSTATUS, `crashed with status 0xC0000409`.
pub fn how_it_ended(status: ExitStatus) -> String {
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
        let name = nix::sys::signal::Signal::try_from(signal).map_or("?", |s| s.as_str());
        return format!("was killed by signal {signal} ({name})");
    }
    match status.code() {
        Some(code) if cfg!(windows) && code < 0 => {
            format!("crashed with status {:#010X}", code as u32)
        }
        Some(STDOUT_CLOSED) => {
            format!("ended because its stdout was closed (exit status {STDOUT_CLOSED})")
        }
        Some(code) => format!("exited with status {code}"),
        None => status.to_string(),
    }
}

/// A child's exit code as Python's `returncode` shows it: the code, or minus the signal that
/// killed it (`-9`).
pub fn exit_code(status: ExitStatus) -> i32 {
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
        return -signal;
    }
    status.code().unwrap_or(-1)
}

/// `Ok` if the child `who` succeeded; if it found our shared stdout closed, the quiet
/// [`Error::stdout_closed`] (ours is closed too); otherwise an error that says how it ended.
pub fn check(who: &str, status: ExitStatus) -> Result {
    match status.code() {
        Some(0) => Ok(()),
        Some(STDOUT_CLOSED) => Err(Error::stdout_closed()),
        _ => Err(Error::new(format_args!("{who} {}", how_it_ended(status)))),
    }
}

/// Starts the child as the leader of a process group of its own (Unix), so that
/// [`kill_group`] reaches its children too.
pub fn own_group(command: &mut Command) {
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(command, 0);
    #[cfg(not(unix))]
    let _ = command;
}

/// Kills what is left of a child's process group (Unix; see [`own_group`]) or the child
/// (elsewhere), and reaps it.
pub fn kill_group(child: &mut Child) {
    #[cfg(unix)]
    {
        let group = nix::unistd::Pid::from_raw(child.id() as i32);
        let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
    }
    let _ = child.kill();
    let _ = child.wait();
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

/// The child's exit status, or `None` if it still runs after `timeout`.
pub fn wait_timeout(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            _ => return None,
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn ended(script: &str) -> ExitStatus {
        Command::new("sh").args(["-c", script]).status().unwrap()
    }

    #[test]
    fn how_a_child_ended_in_words() {
        assert_eq!(how_it_ended(ended("exit 3")), "exited with status 3");
        let killed = ended("kill -9 $$");
        assert_eq!(how_it_ended(killed), "was killed by signal 9 (SIGKILL)");
        assert_eq!(exit_code(killed), -9);
        assert_eq!(
            how_it_ended(ended("exit 141")),
            "ended because its stdout was closed (exit status 141)"
        );
        assert_eq!(check("the child", ended("exit 0")), Ok(()));
        assert_eq!(
            check("the child", ended("exit 141")),
            Err(Error::stdout_closed())
        );
        let failed = check("the child", ended("exit 2")).unwrap_err();
        assert_eq!(failed.to_string(), "the child exited with status 2");
    }

    /// The child of a thread that ends is killed by the kernel (Linux): a pool worker whose
    /// parent is killed outright cannot live on.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_child_dies_with_the_thread_that_started_it() {
        let child = std::thread::spawn(|| {
            let mut command = Command::new("sleep");
            command.arg("30");
            dies_with_parent(&mut command);
            command.spawn().unwrap()
        })
        .join()
        .unwrap();
        let mut child = child;
        let ended = wait_timeout(&mut child, Duration::from_secs(10));
        kill_group(&mut child);
        let signal = ended.and_then(|s| std::os::unix::process::ExitStatusExt::signal(&s));
        assert_eq!(signal, Some(9), "{ended:?}");
    }

    #[test]
    fn a_group_is_killed_as_a_whole() {
        let mut command = Command::new("sh");
        command.args(["-c", "sleep 30 & echo $!; wait"]);
        command.stdout(std::process::Stdio::piped());
        own_group(&mut command);
        let mut child = command.spawn().unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let grandchild = nix::unistd::Pid::from_raw(line.trim().parse().unwrap());
        assert_eq!(wait_timeout(&mut child, Duration::from_millis(50)), None);
        kill_group(&mut child);
        let deadline = Instant::now() + Duration::from_secs(5);
        // The grandchild is gone once signal 0 cannot reach it (or it is a zombie of init's).
        while nix::sys::signal::kill(grandchild, None).is_ok()
            && std::fs::read_to_string(format!("/proc/{grandchild}/stat"))
                .is_ok_and(|s| !s.contains(") Z "))
        {
            assert!(Instant::now() < deadline, "the grandchild survived");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
