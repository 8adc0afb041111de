//! The 80-column chart of a [`Recording`], drawn part by part, top to bottom: the title with
//! the time scale, a row per lane, a row per counter, the time axis, the legend.
//!
//! Every part is a function of the recording and of the [`Frame`] (how wide the names are, which
//! time each column stands for), so [`render`] is a pure function that the tests compare with a
//! chart written out by hand.

use std::fmt::Write as _;

use super::{Kind, MAX_SPANS, Recording, Sample, Span, lanes};

/// The letters drawn for labels too long for their bars; after the 52nd, `?`.
const KEYS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// A counter's 8 heights, from "a little" to its peak.
const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// ANSI styles of the cells, when colour is on ("" is plain).
const IDLE: &str = "\x1b[2m";
const WORK: [&str; 2] = ["\x1b[36m", "\x1b[30;46m"]; // bar, label
const WAIT: [&str; 2] = ["\x1b[33m", "\x1b[30;43m"];

/// One column of a row: what is drawn there, and in which style.
type Cell = (char, &'static str);

/// The chart, `width` columns wide, with ANSI colours if `color`: a function of `rec` only.
pub fn render(rec: &Recording, width: usize, color: bool) -> String {
    let lanes = lanes(&rec.spans);
    let Some(frame) = Frame::new(rec, &lanes, width) else {
        return "timeline: nothing was recorded\n".into();
    };
    let mut out = title(&frame);
    // Twice: the first time finds the keyed labels still seen at the end, which then get the
    // letters a, b, c... in order (a short span's letter can be drawn over by the next span).
    let mut keys = Keys::default();
    lanes
        .iter()
        .for_each(|lane| _ = lane_row(rec, lane, &frame, &mut keys));
    let mut keys = keys.seen();
    for lane in &lanes {
        let row = lane_row(rec, lane, &frame, &mut keys);
        push_row(&mut out, lane, frame.name_w, '│', &row, color);
    }
    for (name, samples) in &rec.counters {
        let row = counter_row(samples, &frame);
        push_row(&mut out, name, frame.name_w, '│', &row, color);
    }
    time_axis(&mut out, &frame);
    legend(&mut out, rec, &keys, width);
    if rec.dropped > 0 {
        let _ = writeln!(
            out,
            "note: {} more spans not recorded (the cap is {MAX_SPANS})",
            rec.dropped
        );
    }
    out
}

/// Where things go: the names' width, then `cols` columns from `lo` to `hi`.
struct Frame {
    /// The width of the names before the rows (8 to 16 characters).
    name_w: usize,
    /// How many columns the rows have (at least 10).
    cols: usize,
    /// The first time drawn, in microseconds: time 0 (when recording began), or earlier.
    lo: i64,
    /// The last time drawn, in microseconds.
    hi: i64,
    /// Microseconds per column.
    per_col: f64,
}

impl Frame {
    /// The frame of `rec` in `width` columns; `None` when nothing was recorded.
    fn new(rec: &Recording, lanes: &[&str], width: usize) -> Option<Frame> {
        let edges = rec.spans.iter().flat_map(|s| [s.start_us, s.end_us]);
        let samples = rec.counters.iter().flat_map(|c| &c.1).map(|s| s.at_us);
        let times: Vec<i64> = edges.chain(samples).collect();
        let (&lo, &hi) = (times.iter().min()?, times.iter().max()?);
        let lo = lo.min(0); // time 0, when recording began, is on the chart
        let counters = rec.counters.iter().map(|c| &*c.0);
        let names = lanes.iter().copied().chain(counters);
        let name_w = names.map(|n| n.chars().count()).fold(8, usize::max).min(16);
        let cols = width.saturating_sub(name_w + 2).max(10);
        let per_col = (hi - lo).max(1) as f64 / cols as f64;
        Some(Frame {
            name_w,
            cols,
            lo,
            hi,
            per_col,
        })
    }

    /// The column at which time `t` begins; `cols` (past the last column) for the very end.
    fn col(&self, t: i64) -> usize {
        (((t - self.lo) as f64 / self.per_col).round() as usize).min(self.cols)
    }
}

/// The first line: what one column stands for, in the unit that keeps the number readable.
fn title(frame: &Frame) -> String {
    let (n, unit) = match frame.per_col {
        p if p >= 1e6 => (p / 1e6, "s"),
        p if p >= 1e3 => (p / 1e3, "ms"),
        p => (p, "µs"),
    };
    format!("timeline: who ran what, and when (1 column = {n:.1} {unit})\n")
}

/// The labels too long for their bars, each with the letter drawn instead, in order of first
/// use, and the letters still seen once every bar is drawn: the legend explains those (a short
/// span's letter can be drawn over by the next span of its lane).
#[derive(Default)]
struct Keys<'a>(Vec<(&'a str, char)>, Vec<char>);

impl<'a> Keys<'a> {
    /// Keys anew for the labels whose letters were seen, in the same order.
    fn seen(self) -> Keys<'a> {
        let mut keys = Keys::default();
        for (label, key) in &self.0 {
            if self.1.contains(key) {
                keys.key(label);
            }
        }
        keys
    }

    /// The key of `label`: the one it already has, or the next letter (`?` when none is left).
    fn key(&mut self, label: &'a str) -> char {
        if let Some(&(_, key)) = self.0.iter().find(|k| k.0 == label) {
            return key;
        }
        let key = KEYS.chars().nth(self.0.len()).unwrap_or('?');
        self.0.push((label, key));
        key
    }
}

/// A lane's row: idle, with a bar for each of its spans.
fn lane_row<'a>(rec: &'a Recording, lane: &str, frame: &Frame, keys: &mut Keys<'a>) -> Vec<Cell> {
    let mut row = vec![('·', IDLE); frame.cols];
    let mut spans: Vec<&Span> = rec.spans.iter().filter(|s| s.lane == lane).collect();
    spans.sort_by_key(|s| s.start_us); // a nested span is drawn over the one it is in
    let keyed: Vec<usize> = spans
        .into_iter()
        .filter_map(|s| draw_bar(&mut row, s, frame, keys))
        .collect();
    for at in keyed {
        let key = row[at].0;
        if keys.0.iter().any(|k| k.1 == key) && !keys.1.contains(&key) {
            keys.1.push(key);
        }
    }
    row
}

/// Draws `s` into its lane's `row`: its label (or key), then its fill, `→` at the end if it was
/// still running. Returns the column of its key, if it has one.
fn draw_bar<'a>(
    row: &mut [Cell],
    s: &'a Span,
    frame: &Frame,
    keys: &mut Keys<'a>,
) -> Option<usize> {
    // Every span gets at least one column, even one that starts at the very end or is shorter
    // than a column: it happened, so it shows.
    let a = frame.col(s.start_us).min(frame.cols - 1);
    let b = frame.col(s.end_us).max(a + 1);
    let (fill, style) = match s.kind {
        Kind::Work => ('█', WORK),
        Kind::Wait => ('░', WAIT),
    };
    let mut text: Vec<char> = s.label.chars().collect();
    // A label must leave at least one cell of fill, or it would run into the next bar's label;
    // one that does not fit is not cut short (`task 1` could be `task 12`) but keyed.
    let keyed = text.len() >= b - a;
    if keyed {
        text = vec![keys.key(&s.label)];
    }
    let n = text.len();
    text.resize(b - a, fill);
    if s.unfinished && b - a > n {
        text[b - a - 1] = '→';
    }
    for (i, (cell, ch)) in row[a..b].iter_mut().zip(text).enumerate() {
        *cell = (ch, style[usize::from(i < n)]);
    }
    keyed.then_some(a)
}

/// A counter's row: in each column, the highest value it reached then, as one of 8 heights
/// of its peak; blank while it is 0.
fn counter_row(samples: &[Sample], frame: &Frame) -> Vec<Cell> {
    let peak = samples.iter().map(|s| s.peak).max().unwrap_or(0).max(1);
    let (mut next, mut level) = (samples.iter().peekable(), 0);
    let mut row = vec![(' ', WORK[0]); frame.cols];
    for (x, cell) in row.iter_mut().enumerate() {
        // The most in flight during this column: the level it began with, or any peak sampled
        // in it (the last column takes every sample left, those at the very end included).
        let mut high = level;
        let end = frame.lo as f64 + (x + 1) as f64 * frame.per_col;
        while let Some(s) = next.next_if(|s| x + 1 == frame.cols || (s.at_us as f64) < end) {
            (high, level) = (high.max(s.peak), s.level);
        }
        if high > 0 {
            // Rounded up: any value above 0 shows as at least `▁`, and the peak is `█`.
            cell.0 = LEVELS[((high * 8 + peak - 1) / peak - 1).clamp(0, 7) as usize];
        }
    }
    row
}

/// The time axis: a tick every [`tick_step`] seconds, and under it each tick's time where it
/// fits.
fn time_axis(out: &mut String, frame: &Frame) {
    let (step, cols) = (tick_step(frame.per_col), frame.cols);
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    let (mut axis, mut labels) = (vec![('─', ""); cols], vec![' '; cols]);
    let (first, mut free) = ((frame.lo as f64 / 1e6 / step).ceil() as i64, 0);
    for k in first.. {
        let t = k as f64 * step;
        let x = frame.col((t * 1e6) as i64);
        if t * 1e6 > frame.hi as f64 || x >= cols {
            break;
        }
        axis[x].0 = '┬';
        let text = format!("{t:.decimals$}");
        // A time that would touch the one before, or pass the edge, is left out; its tick stays.
        if x >= free && x + text.len() <= cols {
            labels.splice(x..x + text.len(), text.chars());
            free = x + text.len() + 1;
        }
    }
    push_row(out, "", frame.name_w, '└', &axis, false);
    let labels: String = labels.into_iter().collect();
    let name_w = frame.name_w;
    let _ = writeln!(out, "{:<name_w$}  {}", "time (s)", labels.trim_end());
}

/// Seconds between ticks: the first 1, 2 or 5 × 10^k that is at least 10 columns.
fn tick_step(per_col: f64) -> f64 {
    let at_least = per_col * 10.0 / 1e6;
    let p = 10f64.powf(at_least.max(1e-6).log10().floor());
    [1.0, 2.0, 5.0]
        .into_iter()
        .map(|m| m * p)
        .find(|&s| s >= at_least)
        .unwrap_or(10.0 * p)
}

/// The legend: the cells, `→` if anything was still running, each counter's scale, the keys.
fn legend(out: &mut String, rec: &Recording, keys: &Keys<'_>, width: usize) {
    let mut items = vec!["█ work".to_string(), "░ wait".into(), "· idle".into()];
    if rec.spans.iter().any(|s| s.unfinished) {
        items.push("→ still running".into());
    }
    for (name, samples) in &rec.counters {
        let peak = samples.iter().map(|s| s.peak).max().unwrap_or(0);
        items.push(format!("▁…█ {name}: 1…{peak}"));
    }
    let keyed = keys
        .0
        .iter()
        .filter(|k| k.1 != '?' && keys.1.contains(&k.1));
    items.extend(keyed.map(|(label, key)| format!("{key} = {label}")));
    if keys.1.contains(&'?') {
        items.push("? = more labels: see the listing".into());
    }
    wrap(out, items, width);
}

/// Writes `items` two spaces apart, starting a new line before one that would pass `width`
/// (an item longer than `width` still gets a line of its own).
fn wrap(out: &mut String, items: Vec<String>, width: usize) {
    let mut line = String::new();
    for item in items {
        if !line.is_empty() && line.chars().count() + 2 + item.chars().count() > width {
            let _ = writeln!(out, "{}", std::mem::take(&mut line));
        }
        line += if line.is_empty() { "" } else { "  " };
        line += &item;
    }
    let _ = writeln!(out, "{line}");
}

/// Writes one row: the name (cut to `w` characters, `…` marking the cut), the `edge`, then the
/// cells without trailing blanks; with `color`, a style changes only where the cells' does.
fn push_row(out: &mut String, name: &str, w: usize, edge: char, cells: &[Cell], color: bool) {
    let mut short: String = name.chars().take(w).collect();
    if short.len() < name.len() {
        short.pop();
        short.push('…');
    }
    let name = short;
    let cells = &cells[..cells.iter().rposition(|c| c.0 != ' ').map_or(0, |i| i + 1)];
    let _ = write!(out, "{name:<w$} {edge}");
    let mut current = "";
    for &(ch, style) in cells {
        if color && style != current {
            *out += if current.is_empty() { "" } else { "\x1b[0m" };
            *out += style;
            current = style;
        }
        out.push(ch);
    }
    *out += if current.is_empty() {
        "\n"
    } else {
        "\x1b[0m\n"
    };
}

#[cfg(test)]
mod tests {
    use super::super::Kind::{Wait, Work};
    use super::super::fixtures::{POOL, rec};
    use super::*;

    const CHART: &str = "\
timeline: who ran what, and when (1 column = 29.3 ms)
main     │join░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░a
pid 11   │task 0████████████████████████████task 4█████████████████████████████·
pid 12   │task 1█████████████████████████████···································
pid 13   │task 2█████████████████████████████···································
pid 14   │task 3██████████████████████████████··································
busy     │███████████████████████████████████▆▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂▂
         └┬────────────────┬────────────────┬────────────────┬────────────────┬─
time (s)  0.0              0.5              1.0              1.5
█ work  ░ wait  · idle  ▁…█ busy: 1…4  a = report
";

    #[test]
    fn the_chart_puts_each_bar_at_its_time_in_its_lane() {
        let mut pool = rec(POOL);
        let busy = [
            (10, 4),
            (1010, -1),
            (1010, 1),
            (1020, -1),
            (1030, -1),
            (1040, -1),
            (2010, -1),
        ];
        for (at_ms, delta) in busy {
            pool.count_at("busy", delta, at_ms * 1000);
        }
        assert_eq!(
            render(&pool, 80, false),
            CHART,
            "\n{}",
            render(&pool, 80, false)
        );
        assert_eq!(
            render(&Recording::default(), 80, false),
            "timeline: nothing was recorded\n"
        );
    }

    #[test]
    fn the_legend_keys_only_the_letters_the_chart_shows() {
        // `holds A` is keyed, then drawn over by the long wait that starts within its column.
        let chart = render(
            &rec(&[
                ("Thread-1", "holds A", Work, 0, 1),
                ("Thread-1", "holds A, waits B", Wait, 1, 1000),
                ("Thread-1", "A then B, 1000000x", Work, 1000, 1010),
            ]),
            80,
            false,
        );
        assert!(chart.contains("a = A then B, 1000000x"), "{chart}");
        assert!(
            !chart.contains("holds A\n") && !chart.contains("= holds A"),
            "{chart}"
        );
    }

    #[test]
    fn every_line_fits_and_colour_changes_nothing_but_colour() {
        let mut long = rec(&[
            ("a lane name longer than sixteen", "x", Work, -3, 10),
            ("b", "y", Wait, 0, 99_999),
        ]);
        long.spans[1].unfinished = true;
        for width in [60, 80] {
            let chart = render(&long, width, false);
            assert!(chart.lines().all(|r| r.chars().count() <= width), "{chart}");
            assert!(
                chart.contains("░→\n") && chart.contains("→ still running"),
                "{chart}"
            );
        }
        let (plain, colored) = (render(&rec(POOL), 80, false), render(&rec(POOL), 80, true));
        assert!(!plain.contains('\x1b') && colored.contains("\x1b[30;46mtask 0\x1b[0m\x1b[36m█"));
        let codes = [IDLE, WORK[0], WORK[1], WAIT[0], WAIT[1], "\x1b[0m"];
        assert_eq!(
            codes
                .iter()
                .fold(colored, |text, code| text.replace(code, "")),
            plain
        );
    }
}
