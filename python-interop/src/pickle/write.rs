//! Writing: [`dumps`], protocol 4 as CPython 3.8–3.13 writes it.

use super::Value;

/// Pickles `value` with protocol 4, the bytes CPython 3.8–3.13 writes for it.
pub fn dumps(value: &Value) -> Vec<u8> {
    let mut body = Vec::with_capacity(64);
    write(&mut body, value);
    body.push(b'.'); // STOP
    let mut out = Vec::with_capacity(body.len() + 11);
    out.extend([0x80, 4]); // PROTO 4
    if body.len() >= 4 {
        out.push(0x95); // FRAME, then its length
        out.extend((body.len() as u64).to_le_bytes());
    }
    out.extend(body);
    out
}

const MEMOIZE: u8 = 0x94;
const BATCH: usize = 1000;

fn write(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::None => out.push(b'N'),
        Value::Bool(true) => out.push(0x88),
        Value::Bool(false) => out.push(0x89),
        Value::Int(n) => write_int(out, *n),
        Value::Float(x) => {
            out.push(b'G');
            out.extend(x.to_be_bytes());
        }
        Value::Str(s) => {
            write_sized(out, s.as_bytes(), 0x8c, b'X');
            out.push(MEMOIZE);
        }
        Value::Bytes(b) => {
            write_sized(out, b, b'C', b'B');
            out.push(MEMOIZE);
        }
        Value::Tuple(items) if items.is_empty() => out.push(b')'),
        Value::Tuple(items) if items.len() <= 3 => {
            items.iter().for_each(|item| write(out, item));
            out.extend([0x84 + items.len() as u8, MEMOIZE]); // TUPLE1, TUPLE2, TUPLE3
        }
        Value::Tuple(items) => {
            out.push(b'(');
            items.iter().for_each(|item| write(out, item));
            out.extend([b't', MEMOIZE]);
        }
        Value::List(items) => {
            out.extend([b']', MEMOIZE]);
            if let [item] = &items[..] {
                write(out, item);
                out.push(b'a'); // APPEND
            } else {
                for batch in items.chunks(BATCH) {
                    out.push(b'(');
                    batch.iter().for_each(|item| write(out, item));
                    out.push(b'e'); // APPENDS
                }
            }
        }
        Value::Dict(items) => {
            out.extend([b'}', MEMOIZE]);
            if let [(k, v)] = &items[..] {
                write(out, k);
                write(out, v);
                out.push(b's'); // SETITEM
            } else {
                for batch in items.chunks(BATCH) {
                    out.push(b'(');
                    for (k, v) in batch {
                        write(out, k);
                        write(out, v);
                    }
                    out.push(b'u'); // SETITEMS
                }
            }
        }
        Value::QueueEmpty => {
            // The class as a global (the module is `_queue` in CPython), called with no arguments.
            for name in ["_queue", "Empty"] {
                write_sized(out, name.as_bytes(), 0x8c, b'X');
                out.push(MEMOIZE);
            }
            out.extend([0x93, MEMOIZE, b')', b'R', MEMOIZE]); // STACK_GLOBAL, EMPTY_TUPLE, REDUCE
        }
    }
}

fn write_sized(out: &mut Vec<u8>, data: &[u8], short: u8, long: u8) {
    if data.len() < 256 {
        out.extend([short, data.len() as u8]);
    } else {
        out.push(long);
        out.extend((data.len() as u32).to_le_bytes());
    }
    out.extend(data);
}

fn write_int(out: &mut Vec<u8>, n: i64) {
    if (0..=0xff).contains(&n) {
        out.extend([b'K', n as u8]); // BININT1
    } else if (0..=0xffff).contains(&n) {
        out.push(b'M'); // BININT2
        out.extend((n as u16).to_le_bytes());
    } else if let Ok(n) = i32::try_from(n) {
        out.push(b'J'); // BININT
        out.extend(n.to_le_bytes());
    } else {
        // LONG1: the shortest two's complement, little-endian, as CPython's encode_long.
        let bits = 64 - n.unsigned_abs().leading_zeros() as usize;
        let mut len = bits / 8 + 1;
        let bytes = n.to_le_bytes();
        if n < 0 && len > 1 && len <= 8 && bytes[len - 1] == 0xff && bytes[len - 2] & 0x80 != 0 {
            len -= 1;
        }
        let len = len.min(8);
        out.extend([0x8a, len as u8]);
        out.extend(&bytes[..len]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{hex, unhex};
    use crate::pickle::loads;
    use crate::pickle::tests::{s, t};

    /// Expected bytes from CPython 3.11: `pickle.dumps(x, 4).hex()`.
    #[test]
    fn scalars_and_containers_are_written_as_cpython_writes_them() {
        let cases = [
            (Value::Int(-1), "80049506000000000000004affffffff2e"),
            (Value::Int(-129), "80049506000000000000004a7fffffff2e"),
            (Value::Int(255), "80044bff2e"),
            (Value::Int(256), "80049504000000000000004d00012e"),
            (Value::Int(65_535), "80049504000000000000004dffff2e"),
            (Value::Int(65_536), "80049506000000000000004a000001002e"),
            (
                Value::Int(1 << 31),
                "80049508000000000000008a0500000080002e",
            ),
            (
                Value::Int(-(1 << 31) - 1),
                "80049508000000000000008a05ffffff7fff2e",
            ),
            (
                Value::Int((1 << 39) - 1),
                "80049508000000000000008a05ffffffff7f2e",
            ),
            (
                Value::Int(-(1 << 39)),
                "80049508000000000000008a0500000000802e",
            ),
            (
                Value::Int(i64::MAX),
                "8004950b000000000000008a08ffffffffffffff7f2e",
            ),
            (
                Value::Int(i64::MIN),
                "8004950b000000000000008a0800000000000000802e",
            ),
            (Value::Bool(true), "8004882e"),
            (
                Value::Float(1.5),
                "8004950a00000000000000473ff80000000000002e",
            ),
            (
                Value::Bytes(b"ab".to_vec()),
                "800495060000000000000043026162942e",
            ),
            (
                Value::List(vec![Value::Int(1), Value::Int(2), Value::Int(3)]),
                "8004950b000000000000005d94284b014b024b03652e",
            ),
            (
                Value::Dict(vec![(s("a"), Value::Int(1)), (s("b"), Value::Int(2))]),
                "80049511000000000000007d94288c0161944b018c0162944b02752e",
            ),
            (
                t((1..=4).map(Value::Int).collect()),
                "8004950c00000000000000284b014b024b034b0474942e",
            ),
        ];
        for (value, bytes) in cases {
            assert_eq!(hex(&dumps(&value)), bytes, "{value:?}");
            assert_eq!(loads(&unhex(bytes)).ok(), Some(value));
        }
    }
}
