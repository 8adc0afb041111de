//! Resident memory (RSS), for the binaries that compare the memory of threads, processes and tasks.
//! Linux reads `/proc`; elsewhere the functions return `None` and the binaries say so.

/// Resident memory of this process right now, in bytes.
pub fn rss() -> Option<u64> {
    read_rss("/proc/self/statm")
}

/// Proportional memory (PSS) of a process, in bytes: its private pages plus its share of pages
/// it shares with other processes, such as the copy-on-write pages of a forked child. Summed over
/// processes it does not count a shared page twice, as RSS would. `None` where it cannot be read.
#[cfg(target_os = "linux")]
pub fn pss_of(pid: u32) -> Option<u64> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    let line = rollup.lines().find(|l| l.starts_with("Pss:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Proportional memory (PSS) of a process; not available on this system.
#[cfg(not(target_os = "linux"))]
pub fn pss_of(_pid: u32) -> Option<u64> {
    None
}

#[cfg(target_os = "linux")]
fn read_rss(path: &str) -> Option<u64> {
    let statm = std::fs::read_to_string(path).ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * page_size())
}

#[cfg(not(target_os = "linux"))]
fn read_rss(_path: &str) -> Option<u64> {
    None
}

#[cfg(target_os = "linux")]
fn page_size() -> u64 {
    nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE)
        .ok()
        .flatten()
        .map_or(4096, |size| size as u64)
}

/// Bytes as MiB with one decimal: `12.3 MiB`.
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn reads_own_rss() {
        let rss = super::rss().expect("rss of this process");
        assert!(rss > 100 * 1024, "implausible RSS {rss}");
        let pss = super::pss_of(std::process::id()).expect("pss of this process");
        assert!(pss > 0 && pss <= 2 * rss, "pss {pss}, rss {rss}");
    }
}
