//! Honest timing: warm up, take several samples, report the median and the spread.

use std::fmt;
use std::time::{Duration, Instant};

/// The median and the spread of several timed samples.
#[derive(Clone, Copy, Debug)]
pub struct Stats {
    pub median: Duration,
    pub min: Duration,
    pub max: Duration,
    pub samples: usize,
}

impl Stats {
    /// The statistics of the given samples (at least one).
    pub fn of(mut samples: Vec<Duration>) -> Stats {
        assert!(!samples.is_empty(), "Stats::of needs at least one sample");
        samples.sort();
        let n = samples.len();
        let median = if n % 2 == 1 {
            samples[n / 2]
        } else {
            (samples[n / 2 - 1] + samples[n / 2]) / 2
        };
        Stats {
            median,
            min: samples[0],
            max: samples[n - 1],
            samples: n,
        }
    }
}

impl fmt::Display for Stats {
    /// `1.23 ms (min 1.20 ms, max 1.41 ms, 5 samples)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (min {}, max {}, {} samples)",
            human(self.median),
            human(self.min),
            human(self.max),
            self.samples
        )
    }
}

/// Runs `job` `warmup` times untimed, then `samples` times timed.
pub fn measure<T>(warmup: usize, samples: usize, mut job: impl FnMut() -> T) -> Stats {
    let infallible = try_measure(warmup, samples, || Ok::<T, std::convert::Infallible>(job()));
    infallible.unwrap_or_else(|never| match never {})
}

/// [`measure`] for a job that can fail: the first error ends the measurement.
pub fn try_measure<T, E>(
    warmup: usize,
    samples: usize,
    mut job: impl FnMut() -> Result<T, E>,
) -> Result<Stats, E> {
    for _ in 0..warmup {
        std::hint::black_box(job()?);
    }
    let mut times = Vec::with_capacity(samples.max(1));
    for _ in 0..samples.max(1) {
        let start = Instant::now();
        std::hint::black_box(job()?);
        times.push(start.elapsed());
    }
    Ok(Stats::of(times))
}

/// A duration with a unit a person reads at a glance: `850 ns`, `12.3 µs`, `4.56 ms`, `1.23 s`.
pub fn human(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs >= 1.0 {
        format!("{secs:.2} s")
    } else if secs >= 1e-3 {
        format!("{:.2} ms", secs * 1e3)
    } else if secs >= 1e-6 {
        format!("{:.1} µs", secs * 1e6)
    } else {
        format!("{} ns", d.as_nanos())
    }
}

/// Whether this is a debug build, where timings say little about real Rust code.
const DEBUG_BUILD: bool = cfg!(debug_assertions);

/// On a debug build, says on stderr that the numbers are not meaningful and how to get real ones.
pub fn warn_if_debug(run_release: &str) {
    if DEBUG_BUILD {
        eprintln!(
            "note: this is a debug build: the numbers below are not meaningful. \
             For real ones: {run_release}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_spread() {
        let ms = Duration::from_millis;
        let s = Stats::of(vec![ms(5), ms(1), ms(3)]);
        assert_eq!(
            (s.median, s.min, s.max, s.samples),
            (ms(3), ms(1), ms(5), 3)
        );
        assert_eq!(Stats::of(vec![ms(4), ms(2)]).median, ms(3));
    }

    #[test]
    fn human_units() {
        assert_eq!(human(Duration::from_nanos(850)), "850 ns");
        assert_eq!(human(Duration::from_micros(12)), "12.0 µs");
        assert_eq!(human(Duration::from_millis(4)), "4.00 ms");
        assert_eq!(human(Duration::from_millis(1230)), "1.23 s");
    }
}
