//! Starts a child in a process group of its own (as `setsid sleep 40` would), which keeps its
//! stdout, writes the child's PID to the file named by `HOSTILE_PIDS`, and exits at once.

use std::os::unix::process::CommandExt;

fn main() {
    let child = std::process::Command::new("sleep").arg("40").process_group(0).spawn().unwrap();
    let _ = std::fs::write(std::env::var("HOSTILE_PIDS").unwrap(), format!("{}\n", child.id()));
    println!("Hello world! (1)");
}
