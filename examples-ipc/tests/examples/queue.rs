//! Lesson: whatever the writer process puts on the queue, another process, the reader, gets, in
//! order; and the reader ends by itself when the queue ends (no `terminate()`), as do both
//! children when their parent is killed.

use crate::common::*;

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

#[test]
fn a_child_role_it_does_not_know_is_a_usage_error() {
    bin(QUEUE)
        .args(["--child", "other"])
        .run()
        .assert_usage_error();
}

/// When the system refuses a process (RLIMIT_NPROC) or a thread: one `error:` line, never a
/// panic, never a hang.
#[cfg(target_os = "linux")]
#[test]
fn no_process_or_thread_is_one_error_line() {
    refused_a_process(env!("CARGO_BIN_EXE_queue"), &[1, 2, 3, 4]);
}

/// When the system refuses a file descriptor for a pipe (RLIMIT_NOFILE): one `error:` line.
#[cfg(target_os = "linux")]
#[test]
fn no_descriptor_for_a_pipe_is_one_error_line() {
    for room in [4, 5, 6] {
        let out = bin(env!("CARGO_BIN_EXE_queue"))
            .limit(harness::limits::Resource::RLIMIT_NOFILE, room)
            .run();
        out.assert_one_error_line("cannot ");
    }
}
