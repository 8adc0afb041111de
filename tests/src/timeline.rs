//! Reading a `--timeline` listing back out of a program's output, and the checks the tests of
//! the examples make on it. (The listing itself is written by `shared::timeline::listing`.)

use shared::timeline::{COUNTERS, Kind, SPANS, Span};

/// What [`parse_listing`] reads back: the spans, and each counter's name, peak and last value.
#[derive(Debug, Default)]
pub struct Listing {
    /// The spans, lane by lane in the chart's order, each lane's in order of start.
    pub spans: Vec<Span>,
    /// Each counter's name, peak and last value, in order of first use.
    pub counters: Vec<(String, i64, i64)>,
}

/// Reads the listing back out of a program's whole output .
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

/// The microseconds the listing wrote as seconds with 6 decimals; `None` for anything else.
fn parse_secs(text: &str) -> Option<i64> {
    let (sign, digits) = text.strip_prefix('-').map_or((1, text), |t| (-1, t));
    let (whole, micros) = digits.split_once('.').filter(|(_, f)| f.len() == 6)?;
    Some(sign * (whole.parse::<i64>().ok()? * 1_000_000 + micros.parse::<i64>().ok()?))
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
    use super::*;
    use shared::timeline::Kind::{Wait, Work};
    use shared::timeline::{Recording, Sample, lanes, listing, render};

    fn span(lane: &str, label: &str, kind: Kind, start_ms: i64, end_ms: i64) -> Span {
        let (start_us, end_us) = (start_ms * 1000, end_ms * 1000);
        let (lane, label) = (lane.to_string(), label.to_string());
        Span {
            lane,
            label,
            kind,
            start_us,
            end_us,
            unfinished: false,
        }
    }

    #[test]
    fn concurrency_counts_half_open_spans_and_overlaps_are_found_per_lane() {
        let pool = [0, 1, 2, 3].map(|i| span(&format!("pid {i}"), "task", Work, 0, 10 + i));
        assert_eq!(max_concurrent(&pool), 4);
        assert_eq!(
            max_concurrent(&[span("a", "", Work, 0, 10), span("b", "", Work, 10, 20)]),
            1
        );
        assert_eq!(max_concurrent(&[]), 0);
        assert_eq!(overlap_in_lane(&pool), None);
        let nested = [
            span("a", "hold A", Work, 0, 10),
            span("a", "wait B", Wait, 5, 20),
            span("b", "", Work, 0, 30),
        ];
        let pair = overlap_in_lane(&nested).map(|(x, y)| (&*x.label, &*y.label));
        assert_eq!(pair, Some(("hold A", "wait B")));
    }

    #[test]
    fn the_listing_reads_back_exactly() {
        let mut spans = vec![
            span("main", "run", Work, 0, 30),
            span("pid 11", "task 0", Work, 1, 12),
            span("pid 12", "task 1", Wait, 2, 25),
        ];
        spans.push(Span {
            start_us: -1_500_000,
            end_us: -1,
            unfinished: true,
            ..span("t", "x", Wait, 0, 0)
        });
        let sample = |at_us, peak, level| Sample { at_us, peak, level };
        let counters = vec![("n".to_string(), vec![sample(0, 3, 3), sample(7, 3, 1)])];
        let rec = Recording {
            spans: spans.clone(),
            counters,
            dropped: 0,
        };
        let output = format!(
            "Run task 0...\n\n{}\n{}",
            render(&rec, 80, false),
            listing(&rec)
        );
        let parsed = parse_listing(&output).unwrap();
        let order = lanes(&spans)
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>();
        spans.sort_by_key(|s| (order.iter().position(|l| *l == s.lane), s.start_us));
        assert_eq!(
            (parsed.spans, parsed.counters),
            (spans, vec![("n".to_string(), 3, 1)])
        );
        assert!(parse_listing("Run task 0...\n").is_err());
        assert!(parse_listing(&format!("{SPANS}\na | b | 0.000001 | 0.2 | work\n")).is_err());
        assert!(parse_listing(&format!("{SPANS}\na | b | 0.000001 | 0.200000 | idle\n")).is_err());
    }
}
