//! Starts a child, writes its own PID and the child's to the file named by `HOSTILE_PIDS`,
//! then waits for ever: Ctrl-C on the checker must end both.

fn main() {
    let child = std::process::Command::new("sleep").arg("60").spawn().unwrap();
    let pids = format!("{}\n{}\n", std::process::id(), child.id());
    let _ = std::fs::write(std::env::var("HOSTILE_PIDS").unwrap(), pids);
    std::thread::sleep(std::time::Duration::from_secs(60));
}
