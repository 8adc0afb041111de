//! Reading: [`loads`], which builds only plain data and refuses the rest.

use super::{MAX_COPIED, MAX_DEPTH, MAX_ELEMENTS, Value};
use crate::{Error, Result};
use std::collections::HashMap;

mod bytes;
use bytes::long;

/// A pickle we do not read: [`Error::Protocol`], saying why.
fn refuse<T>(why: impl std::fmt::Display) -> Result<T> {
    Err(Error::Protocol(format!("pickle refused: {why}")))
}

/// What the reader keeps on its stack: values (with their nesting depth), marks, and the one
/// class it lets through.
enum Slot {
    Mark,
    Value(Value, usize),
    EmptyClass,
}

/// A memoized value. Lists and dicts are memoized while still empty and filled afterwards; a
/// copy taken later would miss their items, so naming them again is refused.
enum Memo {
    Value(Value, usize),
    EmptyClass,
    Container,
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    stack: Vec<Slot>,
    memo: HashMap<u32, Memo>,
    elements: usize,
    copied: usize,
}

/// Reads one pickle; refuses anything but the plain data listed in the module's documentation.
pub fn loads(data: &[u8]) -> Result<Value> {
    let mut r = Reader {
        data,
        pos: 0,
        stack: Vec::new(),
        memo: HashMap::new(),
        elements: 0,
        copied: 0,
    };
    loop {
        let at = r.pos;
        let op = r.byte()?;
        if op == b'.' {
            return r.stop();
        }
        let known = r.framing(op)?
            || r.scalar(op)?
            || r.string(op)?
            || r.sequence(op)?
            || r.dict(op)?
            || r.memo_put_or_get(op)?
            || r.global(op)?;
        if !known {
            return refuse(format!("opcode 0x{op:02x} at byte {at}"));
        }
    }
}

/// Each opcode family: `Ok(true)` if `op` is one of its opcodes (and was carried out),
/// `Ok(false)` if it belongs to no family here.
impl Reader<'_> {
    // STOP '.' 0x2e: the end, with exactly one value on the stack.
    fn stop(&mut self) -> Result<Value> {
        if self.pos != self.data.len() {
            return refuse("bytes after the end of the pickle");
        }
        match (self.stack.pop(), self.stack.is_empty()) {
            (Some(Slot::Value(v, _)), true) => Ok(v),
            _ => refuse("a pickle that does not end with exactly one value"),
        }
    }

    // PROTO 0x80, FRAME 0x95.
    fn framing(&mut self, op: u8) -> Result<bool> {
        match op {
            0x80 => {
                let proto = self.byte()?;
                if proto > 5 {
                    return refuse(format!("protocol {proto}"));
                }
            }
            0x95 => {
                let len = self.u64()?;
                if len > (self.data.len() - self.pos) as u64 {
                    return refuse("a frame longer than the pickle");
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    // NONE 'N' 0x4e, NEWTRUE 0x88, NEWFALSE 0x89, BININT1 'K' 0x4b, BININT2 'M' 0x4d,
    // BININT 'J' 0x4a, LONG1 0x8a, LONG4 0x8b, BINFLOAT 'G' 0x47.
    fn scalar(&mut self, op: u8) -> Result<bool> {
        let value = match op {
            b'N' => Value::None,
            0x88 => Value::Bool(true),
            0x89 => Value::Bool(false),
            b'K' => Value::Int(self.byte()?.into()),
            b'M' => {
                let b = self.take(2)?;
                Value::Int(u16::from_le_bytes([b[0], b[1]]).into())
            }
            b'J' => {
                let b = self.take(4)?;
                Value::Int(i32::from_le_bytes(b.try_into().expect("4 bytes")).into())
            }
            0x8a | 0x8b => {
                let len = if op == 0x8a {
                    self.byte()? as usize
                } else {
                    self.u32()? as usize
                };
                Value::Int(long(self.take(len)?)?)
            }
            b'G' => Value::Float(f64::from_be_bytes(self.take(8)?.try_into().expect("8"))),
            _ => return Ok(false),
        };
        self.push(value, 0)?;
        Ok(true)
    }

    // SHORT_BINUNICODE 0x8c, BINUNICODE 'X' 0x58, BINUNICODE8 0x8d,
    // SHORT_BINBYTES 'C' 0x43, BINBYTES 'B' 0x42, BINBYTES8 0x8e.
    fn string(&mut self, op: u8) -> Result<bool> {
        let value = match op {
            0x8c | b'X' | 0x8d => {
                let len = self.len(op, 0x8c, b'X')?;
                let text = std::str::from_utf8(self.take(len)?)
                    .or_else(|_| refuse("a string that is not UTF-8"))?;
                Value::Str(text.to_string())
            }
            b'C' | b'B' | 0x8e => {
                let len = self.len(op, b'C', b'B')?;
                Value::Bytes(self.take(len)?.to_vec())
            }
            _ => return Ok(false),
        };
        self.push(value, 0)?;
        Ok(true)
    }

    // MARK '(' 0x28, EMPTY_TUPLE ')' 0x29, TUPLE1 0x85, TUPLE2 0x86, TUPLE3 0x87, TUPLE 't' 0x74,
    // EMPTY_LIST ']' 0x5d, LIST 'l' 0x6c, APPEND 'a' 0x61, APPENDS 'e' 0x65.
    fn sequence(&mut self, op: u8) -> Result<bool> {
        match op {
            b'(' => {
                if self.stack.len() > MAX_ELEMENTS {
                    return refuse("too many marks");
                }
                self.stack.push(Slot::Mark)
            }
            b')' => self.push(Value::Tuple(Vec::new()), 1)?,
            0x85..=0x87 => {
                let n = (op - 0x84) as usize;
                let (items, depth) = self.pop_n(n)?;
                self.push(Value::Tuple(items), depth + 1)?
            }
            b't' => {
                let (items, depth) = self.pop_mark()?;
                self.push(Value::Tuple(items), depth + 1)?
            }
            b']' => self.push(Value::List(Vec::new()), 1)?,
            b'l' => {
                let (items, depth) = self.pop_mark()?;
                self.push(Value::List(items), depth + 1)?
            }
            b'a' | b'e' => {
                let (items, depth) = if op == b'a' {
                    self.pop_n(1)?
                } else {
                    self.pop_mark()?
                };
                match self.stack.last_mut() {
                    Some(Slot::Value(Value::List(list), d)) => {
                        list.extend(items);
                        *d = (*d).max(depth + 1);
                        check_depth(*d)?
                    }
                    _ => return refuse("APPEND to something that is not a list"),
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    // EMPTY_DICT '}' 0x7d, DICT 'd' 0x64, SETITEM 's' 0x73, SETITEMS 'u' 0x75.
    fn dict(&mut self, op: u8) -> Result<bool> {
        match op {
            b'}' => self.push(Value::Dict(Vec::new()), 1)?,
            b'd' => {
                let (items, depth) = self.pop_mark()?;
                self.push(Value::Dict(pairs(items)?), depth + 1)?
            }
            b's' | b'u' => {
                let (items, depth) = if op == b's' {
                    self.pop_n(2)?
                } else {
                    self.pop_mark()?
                };
                match self.stack.last_mut() {
                    Some(Slot::Value(Value::Dict(dict), d)) => {
                        dict.extend(pairs(items)?);
                        *d = (*d).max(depth + 1);
                        check_depth(*d)?
                    }
                    _ => return refuse("SETITEM on something that is not a dict"),
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    // MEMOIZE 0x94, BINPUT 'q' 0x71, LONG_BINPUT 'r' 0x72, BINGET 'h' 0x68, LONG_BINGET 'j' 0x6a.
    fn memo_put_or_get(&mut self, op: u8) -> Result<bool> {
        match op {
            0x94 | b'q' | b'r' => {
                let index = match op {
                    0x94 => self.memo.len() as u32,
                    b'q' => self.byte()?.into(),
                    _ => self.u32()?,
                };
                let memo = match self.stack.last() {
                    Some(Slot::Value(Value::List(_) | Value::Dict(_), _)) => Memo::Container,
                    // The memo keeps a copy: it counts, or a tuple memoized again and again
                    // would grow a 10 KB pickle into gigabytes.
                    Some(Slot::Value(v, d)) => {
                        self.copied += weight(v);
                        Memo::Value(v.clone(), *d)
                    }
                    Some(Slot::EmptyClass) => Memo::EmptyClass,
                    _ => return refuse("MEMOIZE with nothing to memoize"),
                };
                if self.copied > MAX_COPIED {
                    return refuse("too many copies of memoized values");
                }
                if self.memo.len() >= MAX_ELEMENTS {
                    return refuse("too many memoized values");
                }
                self.memo.insert(index, memo);
            }
            b'h' | b'j' => {
                let index = if op == b'h' {
                    self.byte()?.into()
                } else {
                    self.u32()?
                };
                match self.memo.get(&index) {
                    Some(Memo::Value(v, d)) => {
                        let (v, d) = (v.clone(), *d);
                        self.copied += weight(&v);
                        if self.copied > MAX_COPIED {
                            return refuse("too many copies of memoized values");
                        }
                        self.push(v, d)?
                    }
                    Some(Memo::EmptyClass) => self.stack.push(Slot::EmptyClass),
                    Some(Memo::Container) => {
                        return refuse("a list or dict referenced twice (not supported)");
                    }
                    None => return refuse(format!("memo {index} read before it was written")),
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    // STACK_GLOBAL 0x93, GLOBAL 'c' 0x63, REDUCE 'R' 0x52: only `queue.Empty()`.
    fn global(&mut self, op: u8) -> Result<bool> {
        match op {
            0x93 | b'c' => {
                let (module, name) = if op == 0x93 {
                    let (mut strings, _) = self.pop_n(2)?;
                    match (strings.pop(), strings.pop()) {
                        (Some(Value::Str(name)), Some(Value::Str(module))) => (module, name),
                        _ => return refuse("STACK_GLOBAL without two strings"),
                    }
                } else {
                    (self.line()?, self.line()?)
                };
                if !matches!(module.as_str(), "queue" | "_queue") || name != "Empty" {
                    return refuse(format!(
                        "the global {module}.{name} (only queue.Empty is allowed)"
                    ));
                }
                self.stack.push(Slot::EmptyClass)
            }
            b'R' => match (self.stack.pop(), self.stack.pop()) {
                (Some(Slot::Value(Value::Tuple(args), _)), Some(Slot::EmptyClass))
                    if args.is_empty() =>
                {
                    self.push(Value::QueueEmpty, 0)?
                }
                _ => return refuse("REDUCE other than queue.Empty()"),
            },
            _ => return Ok(false),
        }
        Ok(true)
    }
}

fn check_depth(depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return refuse(format!("containers nested more than {MAX_DEPTH} deep"));
    }
    Ok(())
}

/// The number of values and bytes a copy of `value` costs.
fn weight(value: &Value) -> usize {
    match value {
        Value::Str(s) => 1 + s.len(),
        Value::Bytes(b) => 1 + b.len(),
        Value::Tuple(items) | Value::List(items) => 1 + items.iter().map(weight).sum::<usize>(),
        Value::Dict(items) => {
            1 + items
                .iter()
                .map(|(k, v)| weight(k) + weight(v))
                .sum::<usize>()
        }
        _ => 1,
    }
}

fn pairs(items: Vec<Value>) -> Result<Vec<(Value, Value)>> {
    if items.len() % 2 != 0 {
        return refuse("a dict with a key and no value");
    }
    let mut it = items.into_iter();
    let mut out = Vec::new();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        out.push((k, v));
    }
    Ok(out)
}

impl Reader<'_> {
    fn push(&mut self, value: Value, depth: usize) -> Result<()> {
        self.elements += 1;
        if self.elements > MAX_ELEMENTS {
            return refuse(format!("more than {MAX_ELEMENTS} values"));
        }
        check_depth(depth)?;
        self.stack.push(Slot::Value(value, depth));
        Ok(())
    }
    /// Pops `n` values (in order) and their greatest depth.
    fn pop_n(&mut self, n: usize) -> Result<(Vec<Value>, usize), Error> {
        if self.stack.len() < n {
            return refuse("an opcode with too few values on the stack");
        }
        let at = self.stack.len() - n;
        values(self.stack.drain(at..).collect())
    }
    /// Pops the values down to the last mark.
    fn pop_mark(&mut self) -> Result<(Vec<Value>, usize), Error> {
        let Some(mark) = self.stack.iter().rposition(|s| matches!(s, Slot::Mark)) else {
            return refuse("an opcode that needs a mark, without one");
        };
        let items = self.stack.split_off(mark + 1);
        self.stack.pop();
        values(items)
    }
}

fn values(slots: Vec<Slot>) -> Result<(Vec<Value>, usize), Error> {
    let mut depth = 0;
    let mut out = Vec::with_capacity(slots.len());
    for slot in slots {
        match slot {
            Slot::Value(v, d) => {
                depth = depth.max(d);
                out.push(v)
            }
            _ => return refuse("a mark or a class where a value belongs"),
        }
    }
    Ok((out, depth))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::unhex;
    use crate::pickle::tests::{request, s, t};
    use crate::pickle::{dumps, repr};

    #[test]
    fn integers_beyond_64_bits_are_refused_clearly() {
        // pickle.dumps(2**63, 4) and pickle.dumps(-2**63 - 1, 4)
        for big in [
            "8004950c000000000000008a090000000000000080002e",
            "8004950c000000000000008a09ffffffffffffff7fff2e",
        ] {
            let bytes = unhex(big);
            let err = loads(&bytes).unwrap_err();
            assert!(err.to_string().contains("beyond 64 bits"), "{err}");
        }
        // 2**63 - 1 with a redundant sign byte still fits.
        let mut ok = vec![0x80, 4, 0x8a, 9];
        ok.extend(i64::MAX.to_le_bytes());
        ok.extend([0, b'.']);
        assert_eq!(loads(&ok).ok(), Some(Value::Int(i64::MAX)));
    }

    #[test]
    fn code_and_other_classes_are_refused() {
        let refused = [
            // pickle.dumps(os.system) style: GLOBAL 'os\nsystem\n', then a call.
            b"cos\nsystem\n(S'echo hi'\ntR.".to_vec(),
            // STACK_GLOBAL builtins.eval
            unhex("8004951a000000000000008c086275696c74696e73948c046576616c9493942e"),
            // queue.Empty called with an argument
            b"cqueue\nEmpty\n(K\x01tR.".to_vec(),
            // protocol 0 INT opcode
            b"I5\n.".to_vec(),
            b"".to_vec(),
            b"N".to_vec(),
            b"NN.".to_vec(),
            b"N.trailing".to_vec(),
            vec![0x80, 4, 0x8c, 2, 0xff, 0xfe, b'.'],
            vec![0x80, 4, b'h', 3, b'.'],
        ];
        for bytes in refused {
            assert!(
                loads(&bytes).is_err(),
                "{:?}",
                String::from_utf8_lossy(&bytes)
            );
        }
        // Any global but queue.Empty is refused as such, even called without arguments.
        let no_args = [
            b"cos\nsystem\n)R.".to_vec(),
            unhex("80049514000000000000008c026f73948c0673797374656d9493942952942e"),
        ];
        for bytes in no_args {
            let err = loads(&bytes).unwrap_err();
            assert!(err.to_string().contains("the global os.system"), "{err}");
        }
        // The allowed class, by protocol 2's GLOBAL opcode too.
        assert_eq!(loads(b"c_queue\nEmpty\n)R.").ok(), Some(Value::QueueEmpty));
    }

    #[test]
    fn caps_hold_against_deep_wide_and_copied_pickles() {
        let deep: Vec<u8> = [vec![0x80, 4, b'N'], vec![0x85; 1000], vec![b'.']].concat();
        assert!(loads(&deep).unwrap_err().to_string().contains("nested"));
        let wide: Vec<u8> = [vec![b'('], vec![b'N'; MAX_ELEMENTS + 1], vec![b't', b'.']].concat();
        assert!(loads(&wide).unwrap_err().to_string().contains("values"));
        // A 60 KiB string named again 100 times would be 6 MiB.
        let mut copies = vec![b'(', b'X'];
        copies.extend(60_000u32.to_le_bytes());
        copies.extend(vec![b'x'; 60_000]);
        copies.push(0x94);
        copies.extend([b'h', 0].repeat(100));
        copies.extend([b't', b'.']);
        assert!(loads(&copies).unwrap_err().to_string().contains("copies"));
        // A tuple of 9,990 values memoized 9,000 times: 10 KB that would be 3 GB of copies.
        let memo_bomb = [
            vec![0x80, 4, b'('],
            vec![b'N'; 9990],
            vec![b't'],
            vec![0x94; 9000],
        ];
        let memo_bomb = [&memo_bomb.concat()[..], b"."].concat();
        assert!(
            loads(&memo_bomb)
                .unwrap_err()
                .to_string()
                .contains("copies")
        );
        // A list named twice is refused rather than read wrong.
        assert!(loads(b"(]q\x00K\x01ah\x00t.").is_err());
    }

    /// A quick fuzz: mutated and random bytes never make the reader panic, hang or grow past
    /// its caps, and whatever it accepts is written back to a pickle that reads the same.
    /// Bounded: a fixed number of inputs from a fixed seed (printed with a failing input), or
    /// 3 s, whichever comes first.
    #[test]
    fn mutated_and_random_bytes_never_panic() {
        let seeds: Vec<Vec<u8>> = [
            t(vec![
                s("#RETURN"),
                t(vec![s("7fbe2daf60d0"), t(vec![s("get"), s("put")])]),
            ]),
            t(vec![s("#ERROR"), Value::QueueEmpty]),
            request(
                s("7f4e"),
                "get",
                vec![],
                vec![(s("timeout"), Value::Float(0.2))],
            ),
            request(Value::None, "put", vec![Value::Int(-(1 << 40))], vec![]),
            Value::List(vec![
                Value::Dict(vec![(s("k"), Value::Bytes(vec![1; 300]))]);
                3
            ]),
        ]
        .iter()
        .map(dumps)
        .chain([
            b"c_queue\nEmpty\n)R.".to_vec(),
            b"(]q\x00K\x01ah\x00t.".to_vec(),
        ])
        .collect();
        // Every opcode the reader knows, and some it refuses, to splice in.
        let opcodes =
            b"\x80\x95.NK\x88\x89MJ\x8a\x8bG\x8cX\x8dCB\x8e()\x85\x86\x87t]le}dsu\x94qrhj\x93cRaIS";
        let mut rng = fastrand::Rng::with_seed(0x5eed);
        let started = std::time::Instant::now();
        for i in 0..300_000 {
            if started.elapsed() > std::time::Duration::from_secs(3) {
                break;
            }
            let mut data = if rng.u8(..) < 32 {
                (0..rng.usize(0..64)).map(|_| rng.u8(..)).collect()
            } else {
                seeds[rng.usize(..seeds.len())].clone()
            };
            for _ in 0..rng.usize(1..6) {
                let at = rng.usize(..=data.len());
                match rng.u8(0..5) {
                    0 if at < data.len() => data[at] = rng.u8(..),
                    1 if at < data.len() => data[at] = opcodes[rng.usize(..opcodes.len())],
                    2 => data.insert(at, opcodes[rng.usize(..opcodes.len())]),
                    3 => data.truncate(at),
                    _ => data.splice(at..at, [0xff, 0xff, 0xff, 0x7f]).for_each(drop),
                }
            }
            let read = std::panic::catch_unwind(|| loads(&data));
            let Ok(read) = read else {
                panic!("input {i} panicked the reader: {data:02x?}");
            };
            if let Ok(value) = read {
                if !repr(&value).contains("nan") {
                    assert_eq!(
                        loads(&dumps(&value)).ok(),
                        Some(value),
                        "input {i}: {data:02x?}"
                    );
                }
            }
        }
    }
}
