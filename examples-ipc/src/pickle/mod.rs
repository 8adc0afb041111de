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
//! tests compare them with captures of Python's own traffic. Every Python 3.4 or later reads it.
//!
//! Why not serde-pickle: it decodes the values but cannot write a class instance (the
//! `queue.Empty()` above) and drops class names on reading. The subset needed here is about six
//! hundred lines, each opcode checked against `pickletools`' documentation:
//!
//! - this file: [`Value`], Python's `repr()` and `str()` of it, [`Error`], the caps;
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
pub const MAX_COPIED: usize = 1 << 20;

/// A Python value that a pickle can carry between a manager and its clients.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    Tuple(Vec<Value>),
    List(Vec<Value>),
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

/// Python's `repr()`, closely enough for messages and for printing results.
pub fn repr(value: &Value) -> String {
    fn seq(items: &[Value], open: &str, close: &str) -> String {
        let inner: Vec<String> = items.iter().map(repr).collect();
        let comma = if open == "(" && items.len() == 1 {
            ","
        } else {
            ""
        };
        format!("{open}{}{comma}{close}", inner.join(", "))
    }
    match value {
        Value::None => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Int(n) => n.to_string(),
        Value::Float(x) if x.is_nan() => "nan".into(),
        Value::Float(x) if x.is_infinite() => if *x > 0.0 { "inf" } else { "-inf" }.into(),
        Value::Float(x) if x.fract() == 0.0 && x.abs() < 1e16 => format!("{x:.1}"),
        Value::Float(x) => x.to_string(),
        Value::Str(s) => format!("'{}'", s.escape_default()),
        Value::Bytes(b) => format!("b'{}'", b.escape_ascii()),
        Value::Tuple(items) => seq(items, "(", ")"),
        Value::List(items) => seq(items, "[", "]"),
        Value::Dict(items) => {
            let inner: Vec<String> = items
                .iter()
                .map(|(k, v)| format!("{}: {}", repr(k), repr(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        Value::QueueEmpty => "Empty()".into(),
    }
}

/// Why a pickle was refused.
#[derive(Debug, Clone, PartialEq)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pickle refused: {}", self.0)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
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

    /// Pickles captured from CPython 3.11 (shared/wire/*.txt): we read each to the value
    /// `pickletools` shows, and write that value back to the very same bytes.
    #[test]
    fn reads_and_writes_pythons_own_bytes() {
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
        let cases = [
            (
                "8004952b00000000000000284e8c116163636570745f636f6e6e656374696f6e948c0b4d61696e50726f636573739485947d9474942e",
                request(
                    Value::None,
                    "accept_connection",
                    vec![s("MainProcess")],
                    vec![],
                ),
            ),
            (
                "8004950e000000000000008c072352455455524e944e86942e",
                t(vec![s("#RETURN"), Value::None]),
            ),
            (
                "8004953000000000000000288c0c376634653431633861323130948c0367657494297d948c0774696d656f757494473fc999999999999a7374942e",
                request(
                    s("7f4e41c8a210"),
                    "get",
                    vec![],
                    vec![(s("timeout"), Value::Float(0.2))],
                ),
            ),
            (
                "80049522000000000000008c06234552524f52948c065f7175657565948c05456d70747994939429529486942e",
                t(vec![s("#ERROR"), Value::QueueEmpty]),
            ),
            (
                "8004952300000000000000284e8c06637265617465948c0e6765745f7461736b5f71756575659485947d9474942e",
                request(Value::None, "create", vec![s("get_task_queue")], vec![]),
            ),
            (
                "80049571000000000000008c072352455455524e948c0c37666265326461663630643094288c05656d707479948c0466756c6c948c03676574948c0a6765745f6e6f77616974948c046a6f696e948c03707574948c0a7075745f6e6f77616974948c057173697a65948c097461736b5f646f6e65947494869486942e",
                t(vec![
                    s("#RETURN"),
                    t(vec![
                        s("7fbe2daf60d0"),
                        t(exposed.iter().map(|e| s(e)).collect()),
                    ]),
                ]),
            ),
            (
                "8004952000000000000000288c0c376662653264616636306430948c03707574944d3b0f85947d9474942e",
                request(s("7fbe2daf60d0"), "put", vec![Value::Int(3899)], vec![]),
            ),
            (
                "8004951f00000000000000288c0c376662653264616636306430948c03707574944b3285947d9474942e",
                request(s("7fbe2daf60d0"), "put", vec![Value::Int(50)], vec![]),
            ),
            (
                "8004952900000000000000288c0c376662653264616636306430948c0367657494297d948c0774696d656f7574944b017374942e",
                request(
                    s("7fbe2daf60d0"),
                    "get",
                    vec![],
                    vec![(s("timeout"), Value::Int(1))],
                ),
            ),
            (
                "80049510000000000000008c072352455455524e944d7f0d86942e",
                t(vec![s("#RETURN"), Value::Int(3455)]),
            ),
            (
                "8004953600000000000000288c0c376662653264616637383530948c03707574948c1633343535202a2033343535203d2031313933373032359485947d9474942e",
                request(
                    s("7fbe2daf7850"),
                    "put",
                    vec![s("3455 * 3455 = 11937025")],
                    vec![],
                ),
            ),
            (
                "8004951300000000000000284e8c0873687574646f776e94297d9474942e",
                request(Value::None, "shutdown", vec![], vec![]),
            ),
        ];
        for (bytes, value) in cases {
            let bytes = hex(bytes);
            assert_eq!(loads(&bytes).as_ref(), Ok(&value), "{value:?}");
            assert_eq!(dumps(&value), bytes, "{value:?}");
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
            assert_eq!(loads(&dumps(&value)), Ok(value.clone()), "{value:?}");
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
