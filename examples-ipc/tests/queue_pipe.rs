//! Runs queue and pipe as real processes and checks what the lesson promises.

use harness::{bin, numbers, shape};

#[cfg(unix)]
use harness::assert_all_gone;

/// The lines of `stdout` that start with `prefix`, in order.
fn lines_with<'a>(stdout: &'a str, prefix: &str) -> Vec<&'a str> {
    stdout.lines().filter(|l| l.starts_with(prefix)).collect()
}

#[cfg(unix)]
#[test]
fn queue_carries_a_b_c_from_the_writer_to_the_reader() {
    for _ in 0..3 {
        let out = bin(env!("CARGO_BIN_EXE_queue"))
            .env("TUTORIAL_TIME_SCALE", "0.05")
            .run();
        out.assert_success();
        let lines = out.lines();
        assert_eq!(lines.len(), 8, "{out}");
        let writer = lines_with(&out.stdout, "Process to write: ");
        let reader = lines_with(&out.stdout, "Process to read: ");
        assert_eq!((writer.len(), reader.len()), (1, 1), "{out}");
        let (w, r) = (numbers(writer[0])[0], numbers(reader[0])[0]);
        assert_ne!(w, r, "two processes");
        assert_eq!(
            lines_with(&out.stdout, "Put "),
            [
                "Put A to queue...",
                "Put B to queue...",
                "Put C to queue..."
            ]
        );
        assert_eq!(
            lines_with(&out.stdout, "Get "),
            [
                "Get A from queue.",
                "Get B from queue.",
                "Get C from queue."
            ]
        );
        // Nothing is got before it is put.
        for value in ["A", "B", "C"] {
            let put = lines
                .iter()
                .position(|l| *l == format!("Put {value} to queue..."));
            let get = lines
                .iter()
                .position(|l| *l == format!("Get {value} from queue."));
            assert!(put < get, "{out}");
        }
        assert_all_gone(&[w as u32, r as u32]);
    }
}

#[cfg(unix)]
#[test]
fn queue_bench_counts_every_message() {
    let out = bin(env!("CARGO_BIN_EXE_queue"))
        .args(["--bench", "1000"])
        .run();
    out.assert_success();
    let shapes: Vec<String> = out.lines().iter().map(|l| shape(l)).collect();
    assert!(
        shapes[0].starts_with("# messages through the queue: "),
        "{out}"
    );
    assert!(shapes[0].ends_with(", # samples)"), "{out}");
    assert_eq!(shapes[1], "median rate: # messages/s");
    bin(env!("CARGO_BIN_EXE_queue"))
        .args(["--bench", "0"])
        .run()
        .assert_usage_error();
}

#[cfg(unix)]
#[test]
fn pipe_carries_messages_both_ways_and_closes_cleanly() {
    let out = bin(env!("CARGO_BIN_EXE_pipe")).run();
    out.assert_success();
    let lines = out.lines();
    let (parent, child) = (numbers(lines[0])[0], numbers(lines[0])[1]);
    assert_eq!(
        lines[0],
        format!("Parent process {parent} and child process {child} share a duplex pipe.")
    );
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
    assert_all_gone(&[child as u32]);
}

#[test]
fn queue_and_pipe_take_help_and_refuse_what_they_do_not_know() {
    for path in [env!("CARGO_BIN_EXE_queue"), env!("CARGO_BIN_EXE_pipe")] {
        harness::assert_takes_help_and_refuses_unknown_options(path);
    }
}
