//! What the threads examples need and that is not their lesson: CPU clocks.
//!
//! Wall time (`Instant`) says how long you waited; CPU time says how long a core really ran
//! your code. `multicore` divides the process's CPU time by the wall time to show how many
//! cores its threads kept busy; `multicore` and `cpu_bound` read each thread's own CPU time to
//! show that every thread did its share. The standard library has no CPU clock, so these call
//! the system: `getrusage` and `clock_gettime(CLOCK_THREAD_CPUTIME_ID)` on Unix (through `nix`),
//! `GetProcessTimes` and `GetThreadTimes` on Windows (through `windows-sys`), the calls Python's
//! `time.process_time()` and `time.thread_time()` make.
//!
//! [`vs_python`] runs the same workloads in the learner's `python3`, for `--vs-python`.

use std::time::Duration;

/// `--vs-python`: the tutorial's claims about Python, measured beside the Rust figures in the
/// same run, with `shared::python` (which finds `python3` and runs a script of ours in it).
pub mod vs_python {
    use shared::bench::Stats;
    use shared::python::{self, row, time_row};

    /// `multicore`: Python threads spinning as long as ours ran, and the CPU they got. Without
    /// `python3`, one line that says so.
    pub fn multicore(threads: usize, wall_seconds: f64, rust_percent: f64) -> shared::Result {
        let Some(py) = python::find()? else {
            return Ok(());
        };
        let python = py.multicore(threads, wall_seconds)?;
        let threads = format!("{threads} thread{}", if threads == 1 { "" } else { "s" });
        println!("{}, {threads} for {wall_seconds:.2} s:", py.describe());
        let rust = format!("{rust_percent:.0} % CPU");
        let ratio = python::ratio(rust_percent, python.cpu_percent());
        println!(
            "{}",
            row("CPU over wall time", rust, python.cpu_text(), ratio)
        );
        Ok(())
    }

    /// `cpu_bound`: the same count in Python, serially and with a `multiprocessing` pool of one
    /// process per core (the tutorial's advice), against our 1-thread and one-per-core rows
    /// (their prime count and timings).
    pub fn cpu_bound(
        limit: u64,
        samples: usize,
        cores: usize,
        rust: [(usize, Stats); 2],
    ) -> shared::Result {
        let Some(py) = python::find()? else {
            return Ok(());
        };
        let python = py.cpu_bound(limit, samples, cores)?;
        if python.primes != rust[0].0 as u64 {
            return Err(shared::Error::new(format_args!(
                "Python counted {} primes below {limit}, Rust {}",
                python.primes, rust[0].0
            )));
        }
        println!("{}, the same {} primes:", py.describe(), python.primes);
        let [(_, serial), (_, per_core)] = rust;
        println!(
            "{}",
            time_row("serial", serial.median, python.serial.median)
        );
        println!(
            "{}",
            time_row("one per core", per_core.median, python.pooled.median)
        );
        Ok(())
    }

    /// The most handoffs Python is asked for: each costs it tens of microseconds.
    pub const PYTHON_ROUNDS: u32 = 20_000;

    /// `context_switch`: the same handoffs in Python, two threads (a `queue.Queue` each way),
    /// two processes (a `multiprocessing.Pipe`), two asyncio tasks, beside our three medians.
    pub fn context_switch(
        rounds: u32,
        samples: usize,
        rust: &[std::time::Duration],
    ) -> shared::Result {
        let Some(py) = python::find()? else {
            return Ok(());
        };
        let rounds = rounds.min(PYTHON_ROUNDS);
        let python = py.context_switch(rounds, samples)?;
        println!(
            "{}, {rounds} handoffs, median of {samples} runs:",
            py.describe()
        );
        let rows = [
            ("thread switch", &python.threads),
            ("process switch", &python.processes),
            ("task switch", &python.tasks),
        ];
        for ((label, python), rust) in rows.into_iter().zip(rust) {
            println!("{}", time_row(label, *rust, python.median));
        }
        Ok(())
    }
}

/// CPU time used so far by this process: user plus system time, summed over all its threads.
#[cfg(unix)]
pub fn process_cpu_time() -> Duration {
    use nix::sys::resource::{UsageWho, getrusage};
    // RUSAGE_SELF is always valid, and the result is written by the kernel: it cannot fail.
    let usage = getrusage(UsageWho::RUSAGE_SELF).expect("getrusage(RUSAGE_SELF) cannot fail");
    let duration = |t: nix::sys::time::TimeVal| {
        Duration::new(t.tv_sec() as u64, 0) + Duration::from_micros(t.tv_usec() as u64)
    };
    duration(usage.user_time()) + duration(usage.system_time())
}

/// CPU time used so far by the calling thread: user plus system time.
#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_vendor = "apple",
    target_os = "freebsd",
    target_os = "dragonfly"
))]
pub fn thread_cpu_time() -> Duration {
    use nix::time::{ClockId, clock_gettime};
    // The clock exists on every system this function is built for: it cannot fail.
    let t = clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID)
        .expect("clock_gettime(CLOCK_THREAD_CPUTIME_ID) cannot fail here");
    Duration::new(t.tv_sec() as u64, t.tv_nsec() as u32)
}

#[cfg(all(
    unix,
    not(any(
        target_os = "linux",
        target_os = "android",
        target_vendor = "apple",
        target_os = "freebsd",
        target_os = "dragonfly"
    ))
))]
compile_error!("examples-thread needs a per-thread CPU clock (CLOCK_THREAD_CPUTIME_ID)");

/// CPU time used so far by this process: user plus kernel time, summed over all its threads.
/// Windows counts it in clock ticks (about 16 ms).
#[cfg(windows)]
pub fn process_cpu_time() -> Duration {
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, GetProcessTimes};
    let mut t = [ZERO; 4];
    let [created, exited, kernel, user] = &mut t;
    // SAFETY: GetCurrentProcess returns a pseudo-handle that is always valid, and each pointer
    // is to a FILETIME that lives across the call.
    let ok = unsafe { GetProcessTimes(GetCurrentProcess(), created, exited, kernel, user) };
    kernel_plus_user(ok, t)
}

/// CPU time used so far by the calling thread: user plus kernel time. Windows counts it in
/// clock ticks (about 16 ms), so a thread that ran less than that may show 0.
#[cfg(windows)]
pub fn thread_cpu_time() -> Duration {
    use windows_sys::Win32::System::Threading::{GetCurrentThread, GetThreadTimes};
    let mut t = [ZERO; 4];
    let [created, exited, kernel, user] = &mut t;
    // SAFETY: GetCurrentThread returns a pseudo-handle that is always valid, and each pointer
    // is to a FILETIME that lives across the call.
    let ok = unsafe { GetThreadTimes(GetCurrentThread(), created, exited, kernel, user) };
    kernel_plus_user(ok, t)
}

/// The kernel plus user time of a `Get...Times` call that returned `ok`: with the pseudo-handle
/// of the current process or thread, the call cannot fail.
#[cfg(windows)]
fn kernel_plus_user(ok: i32, t: [windows_sys::Win32::Foundation::FILETIME; 4]) -> Duration {
    assert!(
        ok != 0,
        "Get...Times of the current process or thread cannot fail"
    );
    duration(t[2]) + duration(t[3])
}

#[cfg(windows)]
const ZERO: windows_sys::Win32::Foundation::FILETIME = windows_sys::Win32::Foundation::FILETIME {
    dwLowDateTime: 0,
    dwHighDateTime: 0,
};

/// A FILETIME duration, counted in units of 100 ns.
#[cfg(windows)]
fn duration(t: windows_sys::Win32::Foundation::FILETIME) -> Duration {
    let ticks = (u64::from(t.dwHighDateTime) << 32) | u64::from(t.dwLowDateTime);
    Duration::from_nanos(ticks * 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Busy work for about `d` of CPU time on this thread.
    fn spin(d: Duration) {
        let start = thread_cpu_time();
        let mut x = 0u64;
        while thread_cpu_time() - start < d {
            for _ in 0..10_000 {
                x = std::hint::black_box(x ^ 1);
            }
        }
    }

    #[test]
    fn the_clocks_count_cpu_time_not_waiting() {
        let (process, thread) = (process_cpu_time(), thread_cpu_time());
        std::thread::sleep(Duration::from_millis(100));
        assert!(thread_cpu_time() - thread < Duration::from_millis(50));
        spin(Duration::from_millis(100));
        assert!(thread_cpu_time() - thread >= Duration::from_millis(100));
        // The process clock counts this thread's work too.
        assert!(process_cpu_time() - process >= Duration::from_millis(90));
    }

    #[test]
    fn each_thread_has_its_own_clock() {
        let before = thread_cpu_time();
        std::thread::spawn(|| spin(Duration::from_millis(100)))
            .join()
            .unwrap();
        assert!(thread_cpu_time() - before < Duration::from_millis(50));
    }
}
