//! Python's own traffic, as `tests/wire/capture.py` recorded it in `tests/wire/manager.frames`
//! (its README describes both), and hex, for the tests that compare our bytes with Python's.
//!
//! The unit tests' module (`#[cfg(test)]` in lib.rs); `examples-ipc/tests/examples/task_master.rs`
//! includes this file too (`#[path]`), so that the format is read in one place.

/// One frame of a captured connection.
pub struct Frame {
    /// The connection, counted from 1 in the order the client opened them.
    pub connection: usize,
    /// Sent by the client (`C->S`), else by the server (`S->C`).
    pub from_client: bool,
    /// `CHALLENGE`, `DIGEST`, `WELCOME` or `PICKLE`.
    pub label: &'static str,
    /// The payload, without its length.
    pub bytes: Vec<u8>,
}

/// Every frame captured, in order: connection by connection, each in the order sent.
pub fn frames() -> Vec<Frame> {
    let text = include_str!("../tests/wire/manager.frames");
    let mut connection = 0;
    let mut frames = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let fields: Vec<&'static str> = line.split_whitespace().collect();
        match fields[..] {
            [] => {}
            ["connection", n] => connection = n.parse().expect("a connection's number"),
            [direction @ ("C->S" | "S->C"), label, bytes] if connection > 0 => frames.push(Frame {
                connection,
                from_client: direction == "C->S",
                label,
                bytes: unhex(bytes),
            }),
            _ => panic!("manager.frames: not a frame: {line:?}"),
        }
    }
    frames
}

/// Bytes as lowercase hex, as Python's `bytes.hex()`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex (`bytes.fromhex`, without spaces) as bytes.
pub fn unhex(text: &str) -> Vec<u8> {
    assert!(text.len() % 2 == 0 && text.is_ascii(), "not hex: {text:?}");
    (0..text.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(&text[i..i + 2], 16).unwrap_or_else(|_| panic!("not hex: {text:?}"))
        })
        .collect()
}
