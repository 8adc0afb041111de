//! Running an example on one core ([`Cmd::on_one_core`]), or where the system refuses it what
//! it asks for: a process or a thread
//! (`RLIMIT_NPROC`, what `ulimit -u` sets), address space (`RLIMIT_AS`, `ulimit -v`), file
//! descriptors (`RLIMIT_NOFILE`, `ulimit -n`). Linux only: the limits are set in the child
//! between fork and exec.
//!
//! `RLIMIT_NPROC` counts every process and thread of the user, and root ignores it. So a program
//! under that limit runs as a user id of its own, that nothing else uses: as root, the test
//! switches to it (and runs a copy of the program in a fresh folder, which that user can reach
//! wherever the build lives); as another user, the limit binds as it is, on that user's own
//! processes too, so such a test asks for room accordingly.

pub use nix::sys::resource::Resource;
use std::os::unix::process::CommandExt;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::Cmd;

/// Whether this test runs as root.
pub fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

impl Cmd {
    /// Runs the program with `resource` limited to `value` (soft and hard limit), for it alone.
    pub fn limit(mut self, resource: Resource, value: u64) -> Self {
        if resource == Resource::RLIMIT_NPROC && is_root() {
            self = self.run_as_fresh_user();
        }
        // SAFETY: between fork and exec the child only makes a system call (setrlimit), which
        // is async-signal-safe, and allocates nothing.
        unsafe {
            self.command_mut().pre_exec(move || {
                nix::sys::resource::setrlimit(resource, value, value)?;
                Ok(())
            });
        }
        self
    }

    /// Runs the program on one core only (CPU 0), as on a one-core machine: its threads can
    /// then only take turns.
    pub fn on_one_core(mut self) -> Self {
        let mut one = nix::sched::CpuSet::new();
        one.set(0).expect("CPU 0 exists");
        // SAFETY: between fork and exec the child only makes a system call (sched_setaffinity),
        // which is async-signal-safe, and allocates nothing (the set is built beforehand).
        unsafe {
            self.command_mut().pre_exec(move || {
                nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &one)?;
                Ok(())
            });
        }
        self
    }

    /// Runs a copy of the program, in a fresh folder of its own, as a user id that no other
    /// process has (root only: switching users needs it).
    fn run_as_fresh_user(self) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let which = NEXT.fetch_add(1, Ordering::Relaxed);
        let uid = 1_500_000_000 + (std::process::id() % 100_000) * 1000 + which % 1000;
        let program = std::path::PathBuf::from(self.program());
        let dir = std::env::temp_dir().join(format!("limits-{}-{which}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a folder for the copy");
        let copy = dir.join(program.file_name().expect("a program file"));
        std::fs::copy(&program, &copy).expect("copy the program");
        let mut cmd = self.with_program(copy.as_os_str());
        cmd.scratch = Some(dir);
        // SAFETY: between fork and exec the child only makes system calls (setgroups, setgid,
        // setuid), which are async-signal-safe, and allocates nothing.
        unsafe {
            cmd.command_mut().pre_exec(move || {
                let id = nix::unistd::Gid::from_raw(uid);
                nix::unistd::setgroups(&[id])?;
                nix::unistd::setgid(id)?;
                nix::unistd::setuid(nix::unistd::Uid::from_raw(uid))?;
                Ok(())
            });
        }
        cmd
    }
}
