//! The exact listing under the chart, reading it back, and the checks that the tests of the
//! examples make on it.
//!
//! The listing is what the chart cannot be: exact. Under a fixed heading, one line per span,
//! lane by lane in the chart's order, `lane | label | start_s | end_s | kind` (seconds since
//! recording began, to the microsecond; `kind` is `work` or `wait`, `unfinished` added for a span
//! still running), then, if any, under their own heading, `name | peak | end` per counter. A
//! blank line or the end of the output ends it. The recorder replaced any `|` or line break in
//! the names, so every line splits back into its fields.

use std::fmt::Write as _;

use super::{Kind, Recording, Span};

/// The heading of the spans, which [`parse_listing`] looks for.
const SPANS: &str = "timeline spans (lane | label | start_s | end_s | kind):";
/// The heading of the counters, after the spans.
const COUNTERS: &str = "timeline counters (name | peak | end):";

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

/// What [`parse_listing`] reads back: the spans, and each counter's name, peak and last value.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct Listing {
    /// The spans, lane by lane in the chart's order, each lane's in order of start.
    pub spans: Vec<Span>,
    /// Each counter's name, peak and last value, in order of first use.
    pub counters: Vec<(String, i64, i64)>,
}

/// Reads the listing back out of a program's whole output (for the examples' tests).
#[doc(hidden)]
pub fn parse_listing(output: &str) -> Result<Listing, String> {
    let mut lines = output.lines().skip_while(|l| *l != SPANS);
    lines
        .next()
        .ok_or(format!("no line {SPANS:?} in the output"))?;
    let (mut listing, mut counters) = (Listing::default(), false);
    for line in lines.take_while(|l| !l.is_empty()) {
        let bad = || format!("not a line of the timeline listing: {line:?}");
        let fields: Vec<&str> = line.split(" | ").collect();
        match (counters, &fields[..]) {
            (false, _) if line == COUNTERS => counters = true,
            (false, [lane, label, start, end, kind]) => {
                let unfinished = kind.ends_with(" unfinished");
                let kind = match kind.trim_end_matches(" unfinished") {
                    "work" => Kind::Work,
                    "wait" => Kind::Wait,
                    _ => return Err(bad()),
                };
                let (start_us, end_us) = (
                    parse_secs(start).ok_or_else(bad)?,
                    parse_secs(end).ok_or_else(bad)?,
                );
                let (lane, label) = (lane.to_string(), label.to_string());
                listing.spans.push(Span {
                    lane,
                    label,
                    kind,
                    start_us,
                    end_us,
                    unfinished,
                });
            }
            (true, [name, peak, end]) => listing.counters.push((
                name.to_string(),
                peak.parse().map_err(|_| bad())?,
                end.parse().map_err(|_| bad())?,
            )),
            _ => return Err(bad()),
        }
    }
    Ok(listing)
}

/// The microseconds that [`secs`] wrote; `None` for anything else.
fn parse_secs(text: &str) -> Option<i64> {
    let (sign, digits) = text.strip_prefix('-').map_or((1, text), |t| (-1, t));
    let (whole, micros) = digits.split_once('.').filter(|(_, f)| f.len() == 6)?;
    Some(sign * (whole.parse::<i64>().ok()? * 1_000_000 + micros.parse::<i64>().ok()?))
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

/// The most spans running at one instant. A span is `[start, end)`: one ending as another
/// starts do not overlap.
pub fn max_concurrent<'a>(spans: impl IntoIterator<Item = &'a Span>) -> usize {
    let mut edges: Vec<(i64, i64)> = Vec::new();
    for s in spans {
        edges.extend([(s.start_us, 1), (s.end_us, -1)]);
    }
    edges.sort(); // at one instant, ends (-1) before starts (+1)
    let (mut running, mut most) = (0, 0);
    for (_, step) in edges {
        running += step;
        most = most.max(running);
    }
    most as usize
}

/// Two spans of one lane that overlap in time, if any.
pub fn overlap_in_lane(spans: &[Span]) -> Option<(&Span, &Span)> {
    let mut sorted: Vec<&Span> = spans.iter().collect();
    sorted.sort_by_key(|s| (&s.lane, s.start_us));
    let overlap = |w: &&[&Span]| w[0].lane == w[1].lane && w[1].start_us < w[0].end_us;
    sorted.windows(2).find(overlap).map(|w| (w[0], w[1]))
}

#[cfg(test)]
mod tests {
    use super::super::Kind::{Wait, Work};
    use super::super::fixtures::{POOL, rec};
    use super::super::render;
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

    #[test]
    fn concurrency_counts_half_open_spans_and_overlaps_are_found_per_lane() {
        let pool = rec(POOL);
        assert_eq!(
            max_concurrent(pool.spans.iter().filter(|s| s.lane.starts_with("pid"))),
            4
        );
        assert_eq!(
            max_concurrent(&rec(&[("a", "", Work, 0, 10), ("b", "", Work, 10, 20)]).spans),
            1
        );
        assert_eq!(max_concurrent(&[]), 0);
        assert_eq!(overlap_in_lane(&pool.spans), None);
        let nested = rec(&[
            ("a", "hold A", Work, 0, 10),
            ("a", "wait B", Wait, 5, 20),
            ("b", "", Work, 0, 30),
        ]);
        let pair = overlap_in_lane(&nested.spans).map(|(x, y)| (&*x.label, &*y.label));
        assert_eq!(pair, Some(("hold A", "wait B")));
    }

    #[test]
    fn the_listing_reads_back_exactly() {
        let mut pool = rec(POOL);
        let early = Span {
            start_us: -1_500_000,
            end_us: -1,
            unfinished: true,
            ..pool.spans[5].clone()
        };
        pool.spans.push(Span {
            lane: "t".into(),
            ..early
        });
        pool.count_at("n", 3, 7);
        let output = format!(
            "Run task 0...\n\n{}\n{}",
            render(&pool, 80, false),
            listing(&pool)
        );
        let parsed = parse_listing(&output).unwrap();
        let order: Vec<String> = lanes(&pool.spans).into_iter().map(String::from).collect();
        pool.spans
            .sort_by_key(|s| (order.iter().position(|l| *l == s.lane), s.start_us));
        assert_eq!(
            (parsed.spans, parsed.counters),
            (pool.spans, vec![("n".to_string(), 3, 3)])
        );
        assert!(parse_listing("Run task 0...\n").is_err());
        assert!(parse_listing(&format!("{SPANS}\na | b | 0.000001 | 0.2 | work\n")).is_err());
        assert!(parse_listing(&format!("{SPANS}\na | b | 0.000001 | 0.200000 | idle\n")).is_err());
    }
}
