//! The exact listing under the chart. (The tests read it back with `harness::timeline`.)
//!
//! The listing is what the chart cannot be: exact. Under a fixed heading, one line per span,
//! lane by lane in the chart's order, `lane | label | start_s | end_s | kind` (seconds since
//! recording began, to the microsecond; `kind` is `work` or `wait`, `unfinished` added for a span
//! still running), then, if any, under their own heading, `name | peak | end` per counter. A
//! blank line or the end of the output ends it. The recorder replaced any `|` or line break in
//! the names, so every line splits back into its fields.

use std::fmt::Write as _;

use super::{Kind, Recording, Span};

/// The heading of the spans, which a reader of the listing looks for.
pub const SPANS: &str = "timeline spans (lane | label | start_s | end_s | kind):";
/// The heading of the counters, after the spans.
pub const COUNTERS: &str = "timeline counters (name | peak | end):";

/// `us` microseconds as seconds with 6 decimals: `-1.500000`.
fn secs(us: i64) -> String {
    let sign = if us < 0 { "-" } else { "" };
    format!("{sign}{}.{:06}", us.abs() / 1_000_000, us.abs() % 1_000_000)
}

/// The exact listing printed under the chart: every span, then each counter's peak and last value.
pub fn listing(rec: &Recording) -> String {
    let mut out = format!("{SPANS}\n");
    for lane in lanes(&rec.spans) {
        let mut spans: Vec<&Span> = rec.spans.iter().filter(|s| s.lane == lane).collect();
        spans.sort_by_key(|s| s.start_us);
        for s in spans {
            let kind = if s.kind == Kind::Work { "work" } else { "wait" };
            let more = if s.unfinished { " unfinished" } else { "" };
            let (start, end) = (secs(s.start_us), secs(s.end_us));
            let _ = writeln!(out, "{lane} | {} | {start} | {end} | {kind}{more}", s.label);
        }
    }
    if !rec.counters.is_empty() {
        out += &format!("{COUNTERS}\n");
    }
    for (name, samples) in &rec.counters {
        let peak = samples.iter().map(|s| s.peak).max().unwrap_or(0);
        let end = samples.last().map_or(0, |s| s.level);
        let _ = writeln!(out, "{name} | {peak} | {end}");
    }
    out
}

/// The lanes in order of their first start (ties: of recording): the rows of the chart.
pub fn lanes(spans: &[Span]) -> Vec<&str> {
    let mut first: Vec<(&str, i64)> = Vec::new();
    for s in spans {
        match first.iter_mut().find(|(lane, _)| *lane == s.lane) {
            Some((_, start)) => *start = (*start).min(s.start_us),
            None => first.push((&s.lane, s.start_us)),
        }
    }
    first.sort_by_key(|&(_, start)| start); // stable
    first.into_iter().map(|(lane, _)| lane).collect()
}

#[cfg(test)]
mod tests {
    use super::super::Kind::{Wait, Work};
    use super::super::fixtures::{POOL, rec};
    use super::*;

    #[test]
    fn lanes_are_ordered_by_first_start_then_by_recording() {
        let spans = rec(&[
            ("b", "", Work, 5, 6),
            ("a", "", Work, 1, 2),
            ("c", "", Wait, 1, 9),
            ("b", "", Work, 0, 1),
        ]);
        assert_eq!(lanes(&spans.spans), ["b", "a", "c"]);
        assert_eq!(
            lanes(&rec(POOL).spans),
            ["main", "pid 11", "pid 12", "pid 13", "pid 14"]
        );
    }
}
