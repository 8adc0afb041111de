//! What the lesson files of examples-ipc share: the imports they all use, and readers and
//! writers of what the binaries print.

pub use examples_ipc::channel::frame::{self, FrameReader};
pub use harness::{bin, numbers, shape};

/// `messages` framed as the queue carries them, with `text` (a writer's `eprintln!`) before each.
pub fn framed(messages: &[&str], text: &str) -> Vec<u8> {
    let mut stream = Vec::new();
    for m in messages {
        stream.extend(text.as_bytes());
        frame::encode(m.as_bytes(), &mut stream);
    }
    stream
}

/// The lines of `stdout` that start with `prefix`, in order.
pub fn lines_with<'a>(stdout: &'a str, prefix: &str) -> Vec<&'a str> {
    stdout.lines().filter(|l| l.starts_with(prefix)).collect()
}

/// The program at `path` with room for only `rooms` processes and threads (RLIMIT_NPROC: none
/// of the children, the first only, one thread of the writer's...), one run each: one `error:`
/// line every time, never a panic, never a hang.
#[cfg(target_os = "linux")]
pub fn refused_a_process(path: &str, rooms: &[u64]) {
    for &room in rooms {
        // The tutorial's pauses (queue's writer sleeps before each put): with room for the
        // writer and its threads but not the reader, the writer must still be running when
        // the reader is started, or there is room again.
        let out = bin(path)
            .env("TUTORIAL_TIME_SCALE", "1")
            .limit(harness::limits::Resource::RLIMIT_NPROC, room)
            .run();
        out.assert_one_error_line("cannot start ");
    }
}
