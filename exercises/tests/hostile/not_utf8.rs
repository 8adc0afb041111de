//! Prints bytes that are not UTF-8.

use std::io::Write;

fn main() {
    let _ = std::io::stdout().write_all(b"Hello \xff\xfe world\n");
}
