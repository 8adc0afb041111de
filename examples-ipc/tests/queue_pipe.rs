//! Runs queue, queue_bench and pipe as real processes and checks what each lesson promises.
//! `cargo test -p examples-ipc --test queue_pipe queue::` runs one binary's tests.

use examples_ipc::channel::frame::{self, FrameReader};
use harness::{bin, numbers, shape};

/// `messages` framed as the queue carries them, with `text` (a writer's `eprintln!`) before each.
fn framed(messages: &[&str], text: &str) -> Vec<u8> {
    let mut stream = Vec::new();
    for m in messages {
        stream.extend(text.as_bytes());
        frame::encode(m.as_bytes(), &mut stream);
    }
    stream
}

/// The lines of `stdout` that start with `prefix`, in order.
fn lines_with<'a>(stdout: &'a str, prefix: &str) -> Vec<&'a str> {
    stdout.lines().filter(|l| l.starts_with(prefix)).collect()
}

/// Unix: runs `path` with its stdout a pipe whose reader has already gone, as `| head -1` is
/// once head has its line, so the first write fails, every time. Returns how it ended and what
/// it wrote on stderr (read to its end: every process holding it has ended).
#[cfg(unix)]
fn run_with_closed_stdout(path: &str, time_scale: &str) -> (std::process::ExitStatus, String) {
    use std::io::Read;
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let (read_end, write_end) = nix::unistd::pipe().expect("pipe");
    drop(read_end);
    let mut child = Command::new(path)
        .env(harness::TIME_SCALE_VAR, time_scale)
        .stdin(Stdio::null())
        .stdout(Stdio::from(write_end))
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("start the program");
    let group = nix::unistd::Pid::from_raw(child.id() as i32);
    let mut stderr = child.stderr.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        let _ = tx.send(text);
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = nix::sys::signal::killpg(group, nix::sys::signal::SIGKILL);
            panic!("{path} did not end with its stdout closed");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stderr = rx
        .recv_timeout(Duration::from_secs(10))
        .unwrap_or_else(|_| {
            let _ = nix::sys::signal::killpg(group, nix::sys::signal::SIGKILL);
            panic!("{path} exited, but a process it started still holds its stderr")
        });
    (status, stderr)
}

/// Lesson: whatever the writer process puts on the queue, another process, the reader, gets, in
/// order; and the reader ends by itself when the queue ends (no `terminate()`), as do both
/// children when their parent is killed.
mod queue {
    use super::*;

    const QUEUE: &str = env!("CARGO_BIN_EXE_queue");

    #[test]
    fn carries_a_b_c_from_the_writer_to_the_reader_in_another_process() {
        for _ in 0..3 {
            let running = bin(QUEUE)
                .env("TUTORIAL_TIME_SCALE", "0.05")
                .timeout(std::time::Duration::from_secs(30))
                .spawn();
            let parent = u64::from(running.pid());
            // Ends on its own: the reader sees the end of the queue once the writer has gone.
            let out = running.finish();
            out.assert_success();
            let lines = out.lines();
            assert_eq!(lines.len(), 8, "{out}");
            let writer = lines_with(&out.stdout, "Process to write: ");
            let reader = lines_with(&out.stdout, "Process to read: ");
            assert_eq!((writer.len(), reader.len()), (1, 1), "{out}");
            let (w, r) = (numbers(writer[0])[0], numbers(reader[0])[0]);
            assert!(
                w != r && w != parent && r != parent,
                "three processes: parent {parent}, writer {w}, reader {r}"
            );
            let puts = [
                "Put A to queue...",
                "Put B to queue...",
                "Put C to queue...",
            ];
            let gets = [
                "Get A from queue.",
                "Get B from queue.",
                "Get C from queue.",
            ];
            assert_eq!(lines_with(&out.stdout, "Put "), puts, "{out}");
            assert_eq!(lines_with(&out.stdout, "Get "), gets, "{out}");
            // Nothing is got before it is put.
            for (put, get) in puts.iter().zip(gets) {
                let at = |wanted: &str| lines.iter().position(|l| *l == wanted);
                assert!(at(put) < at(get), "{out}");
            }
            #[cfg(unix)]
            harness::assert_all_gone(&[w as u32, r as u32]);
        }
    }

    /// The writer's random pauses (up to 1 s each) go through TUTORIAL_TIME_SCALE: at 0, five
    /// runs take well under the seconds that real pauses would (15 pauses of about 0.5 s).
    #[test]
    fn its_pauses_follow_the_time_scale() {
        let started = std::time::Instant::now();
        for _ in 0..5 {
            bin(QUEUE)
                .env("TUTORIAL_TIME_SCALE", "0")
                .run()
                .assert_success();
        }
        let took = started.elapsed();
        assert!(took < std::time::Duration::from_millis(2500), "{took:?}");
    }

    /// Whatever else comes on the queue's stream (a writer's `eprintln!`, a panic message) is
    /// passed on to the terminal, never taken for a message.
    #[test]
    fn the_reader_ends_at_the_end_of_the_queue_and_passes_other_text_on() {
        let out = bin(QUEUE)
            .args(["--child", "read"])
            .stdin(framed(&["A", "B", "C"], "debug\n"))
            .run();
        out.assert_success();
        assert_eq!(out.stderr, "debug\ndebug\ndebug\n", "{out}");
        let lines = out.lines();
        assert!(lines[0].starts_with("Process to read: "), "{out}");
        assert_eq!(
            lines[1..],
            [
                "Get A from queue.",
                "Get B from queue.",
                "Get C from queue."
            ]
        );
    }

    /// `put` returns at once and the feeder writes the message at once: the reader has it
    /// while the writer still sleeps (here 3 s and more before the second message).
    #[test]
    fn a_message_is_never_held_back_while_the_writer_waits() {
        use std::process::{Command, Stdio};
        use std::time::{Duration, Instant};
        let mut writer = Command::new(QUEUE)
            .args(["--child", "write"])
            .env(harness::TIME_SCALE_VAR, "1000") // pauses of up to 1000 s
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the writer");
        let started = Instant::now();
        let stderr = writer.stderr.take().expect("piped");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = FrameReader::new(stderr, std::io::sink());
            let _ = tx.send(reader.next_message().ok().flatten());
        });
        let first = rx.recv_timeout(Duration::from_secs(20));
        let took = started.elapsed();
        let _ = writer.kill();
        let _ = writer.wait();
        assert_eq!(first, Ok(Some(b"A".to_vec())));
        assert!(
            took < Duration::from_secs(10),
            "the first message took {took:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_killed_parent_takes_both_children_along() {
        // Pauses of up to 100 s: the writer would be at it for minutes if nobody stopped it.
        let mut running = bin(QUEUE).env("TUTORIAL_TIME_SCALE", "100").spawn();
        // The two children print their PIDs in either order.
        let children: Vec<u32> = (0..2)
            .map(|_| numbers(&running.wait_for_line(|l| l.starts_with("Process to ")))[0] as u32)
            .collect();
        running.signal(nix::sys::signal::SIGKILL);
        harness::assert_all_gone(&children);
    }

    #[cfg(unix)]
    #[test]
    fn a_killed_reader_is_named_and_the_writer_is_not_blamed() {
        let mut running = bin(QUEUE).env("TUTORIAL_TIME_SCALE", "1").spawn();
        let r: i32 = running
            .wait_for_value("Process to read: ", "")
            .parse()
            .unwrap();
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(r), nix::sys::signal::SIGKILL)
            .expect("kill the reader");
        let out = running.finish();
        out.assert_code(1);
        assert_eq!(
            out.stderr, "error: the reader was killed by signal 9 (SIGKILL)\n",
            "{out}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_closed_stdout_ends_quietly() {
        let (status, stderr) = run_with_closed_stdout(QUEUE, "0");
        assert_eq!((status.code(), stderr.as_str()), (Some(141), ""));
    }

    #[test]
    fn takes_help_and_refuses_what_it_does_not_know() {
        harness::assert_takes_help_and_refuses_unknown_options(QUEUE);
        bin(QUEUE)
            .args(["--child", "other"])
            .run()
            .assert_usage_error();
    }
}

/// Lesson: how many messages a second go through the queue's pipe between two processes, every
/// message counted.
mod queue_bench {
    use super::*;

    const QUEUE_BENCH: &str = env!("CARGO_BIN_EXE_queue_bench");

    #[test]
    fn measures_the_rate_of_counted_messages() {
        let out = bin(QUEUE_BENCH).args(["--count", "1000"]).run();
        out.assert_success();
        let shapes: Vec<String> = out.lines().iter().map(|l| shape(l)).collect();
        assert_eq!(
            shapes,
            [
                "# messages through the queue: # ms (min # ms, max # ms, # samples)",
                "median rate: # messages/s"
            ],
            "{out}"
        );
        assert_eq!(numbers(out.lines()[0])[0], 1000);
        // Honest figures: five samples after a warm-up, and the rate is that of the median.
        let figures: Vec<f64> = out
            .stdout
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter_map(|n| n.parse().ok())
            .collect();
        let [_, median, min, max, samples, rate] = figures[..] else {
            panic!("{out}")
        };
        assert_eq!(samples, 5.0, "{out}");
        assert!(min <= median && median <= max, "{out}");
        let implied = 1000.0 / (median / 1000.0);
        assert!((rate - implied).abs() / implied < 0.01, "{out}");
    }

    #[test]
    fn a_lost_message_fails_the_run() {
        let out = bin(QUEUE_BENCH)
            .args(["--child", "read=3"])
            .stdin(framed(&["m", "m", "end"], ""))
            .run();
        out.assert_code(1);
        assert_eq!(out.stderr, "error: the reader got 2 of 3 messages\n");
    }

    /// Python's `multiprocessing.Queue` in the same run, beside ours; a release build moves
    /// at least 20 times as many messages a second (issue 17; CI runs the release tests).
    #[test]
    fn vs_python_beside_multiprocessing_queue() {
        if !harness::python3_present("queue_bench::vs_python_beside_multiprocessing_queue") {
            return;
        }
        let count = if cfg!(debug_assertions) {
            "20000"
        } else {
            "2000000"
        };
        let out = bin(QUEUE_BENCH)
            .args(["--count", count, "--vs-python"])
            .timeout(std::time::Duration::from_secs(300))
            .run();
        out.assert_success();
        let lines = out.lines();
        let row = lines
            .iter()
            .find(|l| l.starts_with("  a message "))
            .unwrap_or_else(|| panic!("no row for a message\n{out}"));
        assert!(
            lines.iter().any(|l| l.contains("multiprocessing.Queue")),
            "{out}"
        );
        let ratio: f64 = row
            .rsplit("Python/Rust ")
            .next()
            .and_then(|r| r.trim_end_matches('x').parse().ok())
            .unwrap_or_else(|| panic!("no ratio in {row:?}"));
        if !cfg!(debug_assertions) {
            assert!(ratio >= 20.0, "only {ratio}x Python's mp.Queue\n{out}");
        }
    }

    /// The PIDs of `parent`'s children whose command line contains `arg`.
    #[cfg(target_os = "linux")]
    fn children_with(parent: u32, arg: &str) -> Vec<u32> {
        let dirs = std::fs::read_dir("/proc").unwrap().filter_map(Result::ok);
        let pids = dirs.filter_map(|d| d.file_name().to_str()?.parse::<u32>().ok());
        pids.filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // After the name in parentheses: state, then the parent's PID.
            let ppid = stat.rsplit(") ").next().and_then(|r| r.split(' ').nth(1));
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            ppid == Some(&parent.to_string()) && String::from_utf8_lossy(&cmdline).contains(arg)
        })
        .collect()
    }

    /// A writer killed mid-run is named, as `queue` names it; the reader, which found its queue
    /// cut short, is not blamed.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_killed_writer_is_named() {
        let running = bin(QUEUE_BENCH).args(["--count", "10000000"]).spawn();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let writer = loop {
            if let Some(&pid) = children_with(running.pid(), "write=").first() {
                break pid;
            }
            assert!(std::time::Instant::now() < deadline, "no writer started");
            std::thread::sleep(std::time::Duration::from_millis(10));
        };
        let writer = nix::unistd::Pid::from_raw(writer as i32);
        nix::sys::signal::kill(writer, nix::sys::signal::SIGKILL).expect("kill the writer");
        let out = running.finish();
        out.assert_code(1);
        let debug_note = "note: this is a debug build";
        let said: Vec<&str> = out
            .stderr
            .lines()
            .filter(|l| !l.starts_with(debug_note))
            .collect();
        assert_eq!(
            said,
            ["error: the writer was killed by signal 9 (SIGKILL)"],
            "{out}"
        );
    }

    /// The writer holds a bounded amount: with nobody reading its queue, a `put` waits once
    /// `MAX_WAITING` bytes wait to be written, where an unbounded feeder would hold every one of
    /// ten million messages (about 150 MB).
    #[cfg(target_os = "linux")]
    #[test]
    fn a_writer_nobody_reads_holds_a_bounded_amount() {
        use std::process::{Command, Stdio};
        use std::time::{Duration, Instant};
        let mut writer = Command::new(QUEUE_BENCH)
            .args(["--child", "write=10000000"])
            .stdin(Stdio::piped()) // its lifeline: closing it ends the writer
            .stdout(Stdio::null())
            .stderr(Stdio::piped()) // the queue, which nobody reads
            .spawn()
            .unwrap();
        let proc = |file: &str| std::fs::read_to_string(format!("/proc/{}/{file}", writer.id()));
        let cpu_ticks = || -> u64 {
            let stat = proc("stat").unwrap();
            let fields: Vec<&str> = stat.rsplit(") ").next().unwrap().split(' ').collect();
            fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
        };
        // Until it has used no CPU for a second: waiting in `put`, or (unbounded) done putting.
        let (deadline, mut last, mut still) = (Instant::now() + Duration::from_secs(120), 0, 0);
        while still < 5 {
            assert!(Instant::now() < deadline, "the writer never stopped");
            std::thread::sleep(Duration::from_millis(200));
            let now = cpu_ticks();
            still = if now == last { still + 1 } else { 0 };
            last = now;
        }
        let status = proc("status").unwrap();
        let peak_kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
            .unwrap();
        drop(writer.stdin.take());
        assert!(!writer.wait().unwrap().success(), "ended by its lifeline");
        assert!(peak_kib < 16 * 1024, "the writer grew to {peak_kib} KiB");
    }

    #[test]
    fn counts_have_a_ceiling() {
        for count in ["0", "10000001"] {
            bin(QUEUE_BENCH)
                .args(["--count", count])
                .run()
                .assert_usage_error();
        }
        harness::assert_takes_help_and_refuses_unknown_options(QUEUE_BENCH);
    }
}

/// Lesson: one duplex pipe carries messages both ways in lock step between a parent and a
/// child process, and closing one end (or the death of its process) ends the other side.
mod pipe {
    use super::*;

    const PIPE: &str = env!("CARGO_BIN_EXE_pipe");

    #[test]
    fn carries_messages_both_ways_and_closes_cleanly() {
        let running = bin(PIPE)
            .timeout(std::time::Duration::from_secs(30))
            .spawn();
        let pid = u64::from(running.pid());
        let out = running.finish();
        out.assert_success();
        let lines = out.lines();
        let (parent, child) = (numbers(lines[0])[0], numbers(lines[0])[1]);
        assert_eq!(
            lines[0],
            format!("Parent process {parent} and child process {child} share a duplex pipe.")
        );
        assert!(parent == pid && child != pid, "{out}");
        let mut expected = Vec::new();
        for n in 1..=3 {
            expected.push(format!("parent sends: ping {n}"));
            expected.push(format!("child got: ping {n}, answers: pong {n}"));
            expected.push(format!("parent got: pong {n}"));
        }
        expected.push("parent closes its end.".into());
        expected.push("child: the parent closed its end, so the child ends.".into());
        expected.push("parent: the child exited with status 0.".into());
        assert_eq!(lines[1..], expected);
        #[cfg(unix)]
        harness::assert_all_gone(&[child as u32]);
    }

    /// The parent's half-second pauses go through TUTORIAL_TIME_SCALE: at 0.4, three pauses
    /// take at least 0.6 s; at 0, two runs take well under the 3 s of real ones.
    #[test]
    fn its_pauses_are_half_a_second_scaled() {
        let timed = |scale: &str| {
            let started = std::time::Instant::now();
            bin(PIPE)
                .env("TUTORIAL_TIME_SCALE", scale)
                .run()
                .assert_success();
            started.elapsed().as_secs_f64()
        };
        let slow = timed("0.4");
        assert!(slow >= 0.6, "{slow} s");
        let fast = timed("0") + timed("0");
        assert!(fast < 2.5, "{fast} s");
    }

    #[cfg(unix)]
    #[test]
    fn a_killed_parent_takes_its_child_along() {
        // The parent pauses 50 s before each message.
        let mut running = bin(PIPE).env("TUTORIAL_TIME_SCALE", "100").spawn();
        let first = running.wait_for_line(|l| l.starts_with("Parent process "));
        running.signal(nix::sys::signal::SIGKILL);
        harness::assert_all_gone(&[numbers(&first)[1] as u32]);
    }

    #[cfg(unix)]
    #[test]
    fn a_killed_child_is_named_in_words() {
        // The parent pauses 2 s before each message: time to kill the child first.
        let mut running = bin(PIPE).env("TUTORIAL_TIME_SCALE", "4").spawn();
        let first = running.wait_for_line(|l| l.starts_with("Parent process "));
        let child = nix::unistd::Pid::from_raw(numbers(&first)[1] as i32);
        nix::sys::signal::kill(child, nix::sys::signal::SIGKILL).expect("kill the child");
        let out = running.finish();
        out.assert_code(1);
        assert_eq!(
            out.stderr, "error: the child was killed by signal 9 (SIGKILL)\n",
            "{out}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_closed_stdout_ends_quietly() {
        let (status, stderr) = run_with_closed_stdout(PIPE, "0");
        assert_eq!((status.code(), stderr.as_str()), (Some(141), ""));
    }

    #[test]
    fn takes_help_and_refuses_what_it_does_not_know() {
        harness::assert_takes_help_and_refuses_unknown_options(PIPE);
    }
}

/// When the system refuses a process (RLIMIT_NPROC), a thread, or a file descriptor for a
/// pipe (RLIMIT_NOFILE): one `error:` line, never a panic, never a hang.
#[cfg(target_os = "linux")]
mod refused {
    use harness::bin;
    use harness::limits::Resource::{RLIMIT_NOFILE, RLIMIT_NPROC};

    const ALL: [&str; 3] = [
        env!("CARGO_BIN_EXE_queue"),
        env!("CARGO_BIN_EXE_pipe"),
        env!("CARGO_BIN_EXE_queue_bench"),
    ];

    #[test]
    fn no_process_or_thread_is_one_error_line() {
        // Room for: none of the children, the first only, one thread of the writer's...
        let rooms: [(&str, &[u64]); 3] = [
            (ALL[0], &[1, 2, 3, 4]),
            (ALL[1], &[1]),
            (ALL[2], &[1, 2, 3, 4]),
        ];
        for (path, rooms) in rooms {
            for &room in rooms {
                // The tutorial's pauses (queue's writer sleeps before each put): with room for
                // the writer and its threads but not the reader, the writer must still be
                // running when the reader is started, or there is room again.
                let out = bin(path)
                    .env("TUTORIAL_TIME_SCALE", "1")
                    .limit(RLIMIT_NPROC, room)
                    .run();
                out.assert_one_error_line("cannot start ");
            }
        }
    }

    #[test]
    fn no_descriptor_for_a_pipe_is_one_error_line() {
        for path in ALL {
            for room in [4, 5, 6] {
                let out = bin(path).limit(RLIMIT_NOFILE, room).run();
                out.assert_one_error_line("cannot ");
            }
        }
    }
}

/// Every output a header shows is what a real run prints (what varies, redacted).
#[test]
fn every_header_output_is_what_a_run_prints() {
    harness::check_headers!(queue, pipe, queue_bench);
}
