//! Child processes, for every package: how one ended, in words; the status of a closed stdout;
//! and the one runner ([`Spawned`]) that starts one in a process group of its own, reads its
//! output, and makes sure none is left behind (its group killed as a whole before it is
//! reaped, or it killed by the kernel when we die); and [`proc`], what Linux shows of a
//! running process and its threads.

mod group;
pub mod proc;
mod runner;

pub use group::{dies_with_parent, own_group};
pub use runner::{Options, Spawned, Stdin, Stream};

use std::process::ExitStatus;

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

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::process::Command;
    use std::time::{Duration, Instant};

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
        let mut child = std::thread::spawn(|| {
            let mut options = Options::new(Duration::from_secs(10));
            options.dies_with_parent = true;
            Spawned::spawn(Command::new("sleep").arg("30"), options).unwrap()
        })
        .join()
        .unwrap();
        let ended = child.run_to_end().map(|(status, _)| status);
        let signal = ended.and_then(|s| std::os::unix::process::ExitStatusExt::signal(&s));
        assert_eq!(signal, Some(9), "{ended:?}");
    }

    /// Runs `sh -c script` that prints the pid of a child it started, and returns both.
    fn with_grandchild(script: &str) -> (Spawned, nix::unistd::Pid) {
        let mut child = Spawned::spawn(
            Command::new("sh").args(["-c", script]),
            Options::new(Duration::from_secs(10)),
        )
        .unwrap();
        while !child.stdout.contains(&b'\n') {
            assert!(!child.pump(child.deadline, true), "no pid printed");
        }
        let pid = String::from_utf8_lossy(&child.stdout)
            .trim()
            .parse()
            .unwrap();
        (child, nix::unistd::Pid::from_raw(pid))
    }

    fn gone(pid: nix::unistd::Pid) -> bool {
        // Gone once signal 0 cannot reach it (or it is a zombie of init's).
        nix::sys::signal::kill(pid, None).is_err()
            || std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .is_ok_and(|s| s.contains(") Z "))
    }

    fn wait_gone(pid: nix::unistd::Pid) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !gone(pid) {
            assert!(Instant::now() < deadline, "the grandchild survived");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn a_group_is_killed_as_a_whole() {
        let (mut child, grandchild) = with_grandchild("sleep 30 & echo $!; wait");
        assert_eq!(child.ended(), None);
        child.kill();
        wait_gone(grandchild);
        assert!(child.reap().is_some());
    }

    /// What a child left behind in its group is killed before the child is reaped: after the
    /// reap its group's ID may be a stranger's.
    #[test]
    fn what_is_left_is_killed_before_the_reap() {
        let (mut child, grandchild) = with_grandchild("sleep 30 & echo $!");
        let (status, _) = child.run_to_end().expect("it exits at once");
        assert!(status.success(), "{status:?}");
        wait_gone(grandchild);
    }

    /// Once a child is reaped its group is never killed again: here a stranger has taken the
    /// group's ID (the test plays it, a second child in that very group, which outlives the
    /// first's reap), and it survives the first's kill.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_reaped_child_s_group_is_left_alone() {
        let (mut child, stranger) = with_grandchild("sleep 30 & echo $!");
        while child.ended().is_none() {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(child.reap().is_some());
        child.kill_group();
        child.kill();
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            !gone(stranger),
            "the group was killed after its leader was reaped"
        );
        let _ = nix::sys::signal::kill(stranger, nix::sys::signal::Signal::SIGKILL);
    }

    #[test]
    fn output_is_capped_and_kept_as_bytes() {
        let mut options = Options::new(Duration::from_secs(10));
        options.cap = 4;
        options.stdin = Stdin::Bytes(b"\xff\xfeabcdef".to_vec());
        let mut child = Spawned::spawn(&mut Command::new("cat"), options).unwrap();
        assert!(child.run_to_end().is_some());
        assert_eq!(child.stdout, b"\xff\xfeab");
        assert!(child.overflowed());
    }
}
