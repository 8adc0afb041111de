//! What the lesson files of examples-process share: the imports they all use, a run whose
//! stdout the test closes part way, and what the system refuses.

pub use harness::{bin, numbers, shape};

/// When the system refuses a new process (RLIMIT_NPROC, as `ulimit -u` sets it): one `error:`
/// line that starts `error: {wanted}` and exit 1, never a panic, never a hang.
#[cfg(target_os = "linux")]
pub fn refused_a_process(path: &str, args: &[&str], wanted: &str) {
    let out = bin(path)
        .args(args)
        .limit(harness::limits::Resource::RLIMIT_NPROC, 1)
        .run();
    out.assert_one_error_line(wanted);
    assert!(
        out.stderr.contains("Resource temporarily unavailable"),
        "{out}"
    );
}

/// Unix: runs `path` with its stdout a pipe that the test closes, as `| head -N` does, once
/// `enough` says so of the lines read so far. Returns those lines, how the program ended, and
/// which of the PIDs `watch` picks out of the lines were still alive the moment it ended.
#[cfg(unix)]
pub mod closed_stdout {
    use std::io::{BufRead, BufReader, Read};
    use std::os::unix::process::CommandExt;
    use std::process::{Child, Command, ExitStatus, Stdio};
    use std::time::{Duration, Instant};

    pub struct Ended {
        pub lines: Vec<String>,
        pub status: ExitStatus,
        pub stderr: String,
        /// PIDs from `watch` that were still running when the program had exited.
        pub left_behind: Vec<u32>,
    }

    /// Kills the whole process group on the way out, whatever happens in the test.
    struct Group(Child);
    impl Drop for Group {
        fn drop(&mut self) {
            let group = nix::unistd::Pid::from_raw(self.0.id() as i32);
            let _ = nix::sys::signal::killpg(group, nix::sys::signal::SIGKILL);
            let _ = self.0.wait();
        }
    }

    pub fn run(
        path: &str,
        time_scale: &str,
        enough: impl Fn(&[String]) -> bool,
        watch: impl Fn(&str) -> Option<u32>,
    ) -> Ended {
        let child = Command::new(path)
            .env(harness::TIME_SCALE_VAR, time_scale)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .expect("start the program");
        let mut group = Group(child);
        let mut stdout = BufReader::new(group.0.stdout.take().expect("piped"));
        let mut lines = Vec::new();
        while !enough(&lines) {
            let mut line = String::new();
            let read = stdout.read_line(&mut line).expect("read stdout");
            assert!(read > 0, "stdout ended early: {lines:?}");
            lines.push(line.trim_end().to_string());
        }
        drop(stdout); // the reader has gone: the program's next write fails
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = group.0.try_wait().expect("wait") {
                break status;
            }
            assert!(Instant::now() < deadline, "did not end: {lines:?}");
            std::thread::sleep(Duration::from_millis(5));
        };
        // At once, without the grace that harness::assert_all_gone gives.
        let left_behind = lines
            .iter()
            .filter_map(|l| watch(l))
            .filter(|&pid| harness::process_alive(pid))
            .collect();
        let mut stderr_pipe = group.0.stderr.take().expect("piped");
        drop(group); // kills what is left, so that stderr ends
        let mut stderr = String::new();
        let _ = stderr_pipe.read_to_string(&mut stderr);
        Ended {
            lines,
            status,
            stderr,
            left_behind,
        }
    }
}
