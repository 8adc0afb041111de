//! The side-by-side table of `--vs-python`: one row per figure, Rust's beside Python's, and how
//! many times the one is the other.

use std::fmt;
use std::time::Duration;

use crate::bench::human;

/// How many times the Python figure is the Rust one (`None` if the Rust one is zero).
pub fn ratio(rust: f64, python: f64) -> Option<f64> {
    (rust > 0.0 && rust.is_finite() && python.is_finite()).then(|| python / rust)
}

/// [`ratio`] of two durations.
pub fn time_ratio(rust: Duration, python: Duration) -> Option<f64> {
    ratio(rust.as_secs_f64(), python.as_secs_f64())
}

/// A ratio as people read it: `68x`, `2.0x`, `0.52x`.
pub fn times(ratio: f64) -> String {
    if ratio >= 10.0 {
        format!("{ratio:.0}x")
    } else if ratio >= 1.0 {
        format!("{ratio:.1}x")
    } else {
        format!("{ratio:.2}x")
    }
}

/// One side-by-side row, in the programs' usual two-space indent:
/// `  serial:            Rust 13.00 ms      Python 880.00 ms     Python/Rust 68x`.
/// Pass figures already formatted (`bench::human`, `mem::mib`, `"199 % CPU"`); `python_over_rust`
/// from [`ratio`] or [`time_ratio`], or `None` for no ratio.
pub fn row(
    label: &str,
    rust: impl fmt::Display,
    python: impl fmt::Display,
    python_over_rust: Option<f64>,
) -> String {
    let line = format!(
        "  {label:<18} Rust {:<14} Python {:<14}",
        rust.to_string(),
        python.to_string()
    );
    match python_over_rust {
        Some(r) => format!("{line} Python/Rust {}", times(r)),
        None => line.trim_end().to_string(),
    }
}

/// [`row`] for two durations (their medians, say), with their ratio.
pub fn time_row(label: &str, rust: Duration, python: Duration) -> String {
    row(label, human(rust), human(python), time_ratio(rust, python))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows() {
        assert_eq!(times(68.2), "68x");
        assert_eq!(times(2.04), "2.0x");
        assert_eq!(times(0.523), "0.52x");
        assert_eq!(ratio(0.0, 1.0), None);
        assert_eq!(
            time_row(
                "serial:",
                Duration::from_millis(13),
                Duration::from_millis(880)
            ),
            "  serial:            Rust 13.00 ms       Python 880.00 ms      Python/Rust 68x"
        );
        assert_eq!(
            row("GIL:", "none", "on", None),
            "  GIL:               Rust none           Python on"
        );
    }
}
