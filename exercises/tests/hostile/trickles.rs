//! A byte every 8 s, for ever: the checker's one deadline must end it.

use std::io::Write;

fn main() {
    loop {
        let _ = std::io::stdout().write_all(b".");
        let _ = std::io::stdout().flush();
        std::thread::sleep(std::time::Duration::from_secs(8));
    }
}
