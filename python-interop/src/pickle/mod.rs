//! The few pickles a `BaseManager` exchanges, read and written without running anything.
//!
//! Python's manager sends every request and reply as a pickle. Python's `pickle.loads` can build
//! any object and call any function the bytes name, so it must never read bytes from a stranger.
//! This module reads only the opcodes that carry plain data: `None`, `bool`, `int` (within 64
//! bits: a larger one is refused with a clear error, not truncated), `float`, `str`, `bytes`,
//! `tuple`, `list`, `dict`, and one class instance, `queue.Empty()`, which a manager returns
//! when a `get` times out. Any other opcode, any other global, is refused. Caps on nesting depth,
//! element count and copies made through the memo keep a small frame from growing into a big
//! structure.
//!
//! The writer emits protocol 4 the way CPython 3.8–3.13 does (a `FRAME`, `MEMOIZE` after each
//! string, tuple, list and dict), so that our requests are byte for byte what Python sends: the
//! tests compare them with captures of Python's own traffic (`tests/wire/`). Every Python 3.4 or
//! later reads it.
//!
//! Why not serde-pickle: it decodes the values but cannot write a class instance (the
//! `queue.Empty()` above) and drops class names on reading. The subset needed here is about six
//! hundred lines, each opcode checked against `pickletools`' documentation:
//!
//! - this file: [`Value`], Python's `repr()` and `str()` of it, the caps;
//! - `write`: [`dumps`];
//! - `read`: [`loads`], one function per family of opcodes.

use std::fmt;

mod read;
mod write;

pub use read::loads;
pub use write::dumps;

/// How deeply containers may nest in a pickle we read.
pub const MAX_DEPTH: usize = 32;
/// How many values one pickle may hold.
pub const MAX_ELEMENTS: usize = 10_000;
/// How many bytes of copies a pickle may make through its memo (storing a value, naming it again).
/// With [`crate::wire::MAX_FRAME`] it bounds what one request costs once read: a 60 KB string
/// named again 17 times (about 1 MB) is refused, where it used to be taken.
pub const MAX_COPIED: usize = 256 * 1024;

/// A Python value that a pickle can carry between a manager and its clients.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `None`
    None,
    /// `True`, `False`
    Bool(bool),
    /// An `int` within 64 bits.
    Int(i64),
    /// A `float`.
    Float(f64),
    /// A `str`.
    Str(String),
    /// `bytes`
    Bytes(Vec<u8>),
    /// A `tuple`.
    Tuple(Vec<Value>),
    /// A `list`.
    List(Vec<Value>),
    /// A `dict`, its items in order.
    Dict(Vec<(Value, Value)>),
    /// `queue.Empty()`: what a `get` that timed out raises.
    QueueEmpty,
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Int(n)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(s)
    }
}

impl Value {
    /// The integer, if it is one (a `bool` is not, unlike in Python).
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }
}

/// Like Python's `str()`: a string as itself, anything else as its `repr()`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => f.write_str(s),
            other => f.write_str(&repr(other)),
        }
    }
}

impl Value {
    /// About how many bytes of memory it takes: what a queue counts against its bound.
    pub fn size(&self) -> usize {
        let own = std::mem::size_of::<Value>();
        own + match self {
            Value::Str(s) => s.len(),
            Value::Bytes(b) => b.len(),
            Value::Tuple(items) | Value::List(items) => items.iter().map(Value::size).sum(),
            Value::Dict(items) => items.iter().map(|(k, v)| k.size() + v.size()).sum(),
            _ => 0,
        }
    }
}

/// [`repr`] for a log line or a message: at most `max` bytes of it, and when it is longer, its
/// first bytes then `... (N bytes)`. Nothing longer than that is ever built, whatever the value
/// (a 60 KB string named again and again would otherwise make megabytes of text).
pub fn repr_within(value: &Value, max: usize) -> String {
    let mut out = Within {
        text: String::new(),
        max,
        total: 0,
    };
    let _ = write_repr(&mut out, value);
    cut(out.text, out.total, max)
}

/// `text` (the first bytes of something `total` bytes long) as `text... (total bytes)` when it
/// was longer than `max`.
pub fn cut(mut text: String, total: usize, max: usize) -> String {
    if total <= max {
        return text;
    }
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push_str(&format!("... ({total} bytes)"));
    text
}

/// A writer that keeps the first `max` bytes and counts the rest.
struct Within {
    text: String,
    max: usize,
    total: usize,
}

impl fmt::Write for Within {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.total += s.len();
        if self.text.len() < self.max {
            let room = self.max + 4 - self.text.len(); // a few more: a char is cut at its boundary
            let mut end = room.min(s.len());
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            self.text.push_str(&s[..end]);
        }
        Ok(())
    }
}

/// Python's `repr()`, closely enough for messages and for printing results.
pub fn repr(value: &Value) -> String {
    let mut out = String::new();
    let _ = write_repr(&mut out, value);
    out
}

fn write_repr(out: &mut impl fmt::Write, value: &Value) -> fmt::Result {
    fn seq(out: &mut impl fmt::Write, items: &[Value], open: &str, close: &str) -> fmt::Result {
        out.write_str(open)?;
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.write_str(", ")?;
            }
            write_repr(out, item)?;
        }
        if open == "(" && items.len() == 1 {
            out.write_str(",")?;
        }
        out.write_str(close)
    }
    match value {
        Value::Str(s) => write!(out, "'{}'", s.escape_default()),
        Value::Bytes(b) => write!(out, "b'{}'", b.escape_ascii()),
        Value::Tuple(items) => seq(out, items, "(", ")"),
        Value::List(items) => seq(out, items, "[", "]"),
        Value::Dict(items) => {
            out.write_str("{")?;
            for (i, (k, v)) in items.iter().enumerate() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                write_repr(out, k)?;
                out.write_str(": ")?;
                write_repr(out, v)?;
            }
            out.write_str("}")
        }
        other => out.write_str(&scalar_repr(other)),
    }
}

/// The repr of a value that holds no other.
fn scalar_repr(value: &Value) -> String {
    match value {
        Value::None => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Int(n) => n.to_string(),
        Value::Float(x) if x.is_nan() => "nan".into(),
        Value::Float(x) if x.is_infinite() => if *x > 0.0 { "inf" } else { "-inf" }.into(),
        Value::Float(x) if x.fract() == 0.0 && x.abs() < 1e16 => format!("{x:.1}"),
        Value::Float(x) => x.to_string(),
        Value::QueueEmpty => "Empty()".into(),
        // Containers and text are written by `write_repr`, piece by piece.
        Value::Str(_) | Value::Bytes(_) | Value::Tuple(_) | Value::List(_) | Value::Dict(_) => {
            String::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn a_long_repr_is_cut_with_its_length() {
        let long = Value::Tuple(vec![Value::from("é".repeat(3000)); 17]);
        let full = repr(&long);
        let short = repr_within(&long, 100);
        assert!(short.len() < 140, "{short}");
        assert!(
            short.ends_with(&format!("... ({} bytes)", full.len())),
            "{short}"
        );
        assert!(full.starts_with(short.split("...").next().unwrap()));
        assert_eq!(repr_within(&Value::Int(7), 100), "7");
        assert_eq!(cut("abcdef".into(), 6, 3), "abc... (6 bytes)");
    }

    pub(super) fn s(text: &str) -> Value {
        Value::from(text)
    }
    pub(super) fn t(items: Vec<Value>) -> Value {
        Value::Tuple(items)
    }
    pub(super) fn request(
        ident: Value,
        method: &str,
        args: Vec<Value>,
        kwds: Vec<(Value, Value)>,
    ) -> Value {
        t(vec![ident, s(method), t(args), Value::Dict(kwds)])
    }

    /// Every pickle captured from CPython 3.11 (tests/wire/manager.frames), in order: we read
    /// each to the value stated here, and write that value back to the very same bytes.
    #[test]
    fn reads_and_writes_pythons_own_bytes() {
        let pickles: Vec<Vec<u8>> = fixtures::frames()
            .into_iter()
            .filter(|frame| frame.label == "PICKLE")
            .map(|frame| frame.bytes)
            .collect();
        // A queue's ident is its address in the server (`'%x' % id(queue)`), new with each
        // capture: the `create` replies, the 4th and the 10th pickles, name them.
        let ident = |reply: &[u8]| {
            let Ok(Value::Tuple(reply)) = loads(reply) else {
                panic!("not a reply")
            };
            let [_, Value::Tuple(created)] = &reply[..] else {
                panic!("not create's reply")
            };
            let Value::Str(ident) = &created[0] else {
                panic!("no ident")
            };
            assert!(ident.len() >= 8 && ident.bytes().all(|b| b.is_ascii_hexdigit()));
            s(ident)
        };
        let (task, result) = (ident(&pickles[3]), ident(&pickles[9]));
        let exposed = [
            "empty",
            "full",
            "get",
            "get_nowait",
            "join",
            "put",
            "put_nowait",
            "qsize",
            "task_done",
        ];
        let created = |ident: &Value| {
            let methods = t(exposed.iter().map(|m| s(m)).collect());
            t(vec![s("#RETURN"), t(vec![ident.clone(), methods])])
        };
        let returned = |value: Value| t(vec![s("#RETURN"), value]);
        let none = || returned(Value::None);
        let timeout = |seconds: Value| vec![(s("timeout"), seconds)];
        let product = "3899 * 3899 = 15202201";
        let expected = [
            // BaseManager.connect()
            request(Value::None, "dummy", vec![], vec![]),
            none(),
            // get_task_queue(): create, then the proxy's incref and the manager's decref
            request(Value::None, "create", vec![s("get_task_queue")], vec![]),
            created(&task),
            request(Value::None, "incref", vec![task.clone()], vec![]),
            none(),
            request(Value::None, "decref", vec![task.clone()], vec![]),
            none(),
            // get_result_queue()
            request(Value::None, "create", vec![s("get_result_queue")], vec![]),
            created(&result),
            request(Value::None, "incref", vec![result.clone()], vec![]),
            none(),
            request(Value::None, "decref", vec![result.clone()], vec![]),
            none(),
            // The proxies' connection, then every call on it
            request(
                Value::None,
                "accept_connection",
                vec![s("MainProcess")],
                vec![],
            ),
            none(),
            request(task.clone(), "put", vec![Value::Int(3899)], vec![]),
            none(),
            request(task.clone(), "get", vec![], timeout(Value::Int(1))),
            returned(Value::Int(3899)),
            request(result.clone(), "put", vec![s(product)], vec![]),
            none(),
            request(result.clone(), "get", vec![], timeout(Value::Int(10))),
            returned(s(product)),
            request(task.clone(), "get", vec![], timeout(Value::Float(0.2))),
            t(vec![s("#ERROR"), Value::QueueEmpty]),
            // Each proxy's finalizer
            request(Value::None, "decref", vec![task], vec![]),
            none(),
            request(Value::None, "decref", vec![result], vec![]),
            none(),
            // shutdown: Server.shutdown replies, then so does the request handler
            request(Value::None, "shutdown", vec![], vec![]),
            none(),
            none(),
        ];
        assert_eq!(pickles.len(), expected.len());
        for (bytes, value) in pickles.iter().zip(expected) {
            assert_eq!(loads(bytes).as_ref().ok(), Some(&value), "{value:?}");
            assert_eq!(dumps(&value), *bytes, "{value:?}");
        }
    }

    #[test]
    fn every_value_comes_back_as_it_went() {
        let values = [
            Value::None,
            Value::Bool(true),
            Value::Bool(false),
            Value::Int(0),
            Value::Int(-1),
            Value::Int(255),
            Value::Int(256),
            Value::Int(65_536),
            Value::Int(-129),
            Value::Int(i32::MAX.into()),
            Value::Int(i64::from(i32::MAX) + 1),
            Value::Int(i64::MAX),
            Value::Int(i64::MIN),
            Value::Float(-2.5),
            s(""),
            s(&"长".repeat(200)),
            Value::Bytes(vec![0, 1, 2]),
            Value::Bytes(vec![7; 300]),
            t(vec![
                Value::Int(1),
                Value::Int(2),
                Value::Int(3),
                Value::Int(4),
            ]),
            Value::List(vec![]),
            Value::List(vec![Value::Int(1)]),
            Value::List((0..2500).map(Value::Int).collect()),
            Value::Dict(vec![]),
            Value::Dict(vec![
                (s("a"), Value::Int(1)),
                (s("b"), Value::List(vec![Value::None])),
            ]),
            t(vec![Value::QueueEmpty, Value::QueueEmpty]),
        ];
        for value in values {
            assert_eq!(loads(&dumps(&value)).ok(), Some(value.clone()), "{value:?}");
        }
    }

    #[test]
    fn as_int_is_for_integers_only() {
        assert_eq!(Value::Int(-7).as_int(), Some(-7));
        assert_eq!(Value::Bool(true).as_int(), None);
        assert_eq!(Value::Float(3.0).as_int(), None);
        assert_eq!(s("3").as_int(), None);
    }

    #[test]
    fn repr_and_str_follow_python() {
        assert_eq!(Value::from("a\nb").to_string(), "a\nb");
        assert_eq!(repr(&Value::from("a\nb")), "'a\\nb'");
        assert_eq!(repr(&t(vec![Value::Int(1)])), "(1,)");
        assert_eq!(repr(&Value::Float(1.0)), "1.0");
        assert_eq!(
            repr(&Value::Dict(vec![(
                s("k"),
                Value::List(vec![Value::None, Value::Bool(true)])
            )])),
            "{'k': [None, True]}"
        );
    }
}
