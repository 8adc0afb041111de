//! The bytes of a pickle, read in order: the reader's cursor, and the integers and lengths
//! that opcodes carry.

use super::{Reader, refuse};
use crate::Result;

impl<'a> Reader<'a> {
    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let data: &'a [u8] = self.data;
        if n > data.len() - self.pos {
            return refuse("the pickle ends in the middle of a value");
        }
        self.pos += n;
        Ok(&data[self.pos - n..self.pos])
    }
    pub(super) fn byte(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    pub(super) fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    pub(super) fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    /// The length of a string or bytes: one byte, four or eight, by opcode.
    pub(super) fn len(&mut self, op: u8, short: u8, long: u8) -> Result<usize> {
        Ok(match op {
            _ if op == short => self.byte()?.into(),
            _ if op == long => self.u32()? as usize,
            _ => usize::try_from(self.u64()?).unwrap_or(usize::MAX),
        })
    }
    /// A newline-terminated ASCII name (the protocol 0–3 GLOBAL opcode).
    pub(super) fn line(&mut self) -> Result<String> {
        let rest = &self.data[self.pos..];
        let Some(end) = rest.iter().take(64).position(|&b| b == b'\n') else {
            return refuse("a global name without its newline");
        };
        let name = String::from_utf8_lossy(&rest[..end]).into_owned();
        self.pos += end + 1;
        Ok(name)
    }
}

/// An integer in two's complement, little-endian: refused unless it fits 64 bits.
pub(super) fn long(bytes: &[u8]) -> Result<i64> {
    if bytes.len() > 8 {
        let sign = if bytes[bytes.len() - 1] & 0x80 != 0 {
            0xff
        } else {
            0
        };
        let (low, high) = bytes.split_at(8);
        if high.iter().any(|&b| b != sign) || (low[7] & 0x80 != 0) != (sign == 0xff) {
            return refuse(format!(
                "an integer of {} bytes, beyond 64 bits (-2**63 to 2**63-1)",
                bytes.len()
            ));
        }
        return long(low);
    }
    let mut buf = if bytes.last().is_some_and(|b| b & 0x80 != 0) {
        [0xff; 8]
    } else {
        [0; 8]
    };
    buf[..bytes.len()].copy_from_slice(bytes);
    Ok(i64::from_le_bytes(buf))
}
