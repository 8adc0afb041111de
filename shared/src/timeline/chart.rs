//! The 80-column chart of a [`Recording`].

use std::fmt::Write as _;

use super::{Kind, MAX_SPANS, Recording, Span, lanes};

const KEYS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// ANSI styles of the cells, when colour is on ("" is plain).
const IDLE: &str = "\x1b[2m";
const WORK: [&str; 2] = ["\x1b[36m", "\x1b[30;46m"]; // bar, label
const WAIT: [&str; 2] = ["\x1b[33m", "\x1b[30;43m"];

type Cell = (char, &'static str);

/// The chart, `width` columns wide, with ANSI colours if `color`: a function of `rec` only.
pub fn render(rec: &Recording, width: usize, color: bool) -> String {
    let mut times: Vec<i64> = rec
        .spans
        .iter()
        .flat_map(|s| [s.start_us, s.end_us])
        .collect();
    times.extend(rec.counters.iter().flat_map(|c| &c.1).map(|s| s.at_us));
    let (Some(&lo), Some(&hi)) = (times.iter().min(), times.iter().max()) else {
        return "timeline: nothing was recorded\n".into();
    };
    let lo = lo.min(0); // time 0, when recording began, is on the chart
    let lanes = lanes(&rec.spans);
    let names = lanes
        .iter()
        .copied()
        .chain(rec.counters.iter().map(|c| &*c.0));
    let name_w = names.map(|n| n.chars().count()).fold(8, usize::max).min(16);
    let cols = width.saturating_sub(name_w + 2).max(10);
    let per_col = (hi - lo).max(1) as f64 / cols as f64; // microseconds
    let col = |t: i64| (((t - lo) as f64 / per_col).round() as usize).min(cols);
    let (n, unit) = match per_col {
        p if p >= 1e6 => (p / 1e6, "s"),
        p if p >= 1e3 => (p / 1e3, "ms"),
        p => (p, "µs"),
    };
    let mut out = format!("timeline: who ran what, and when (1 column = {n:.1} {unit})\n");
    let mut keys: Vec<(&str, char)> = Vec::new(); // labels too long for their bar
    for lane in &lanes {
        let mut row = vec![('·', IDLE); cols];
        let mut spans: Vec<&Span> = rec.spans.iter().filter(|s| s.lane == *lane).collect();
        spans.sort_by_key(|s| s.start_us); // a nested span is drawn over the one it is in
        for s in spans {
            let (a, b) = (col(s.start_us).min(cols - 1), col(s.end_us));
            let b = b.max(a + 1);
            let (fill, style) = if s.kind == Kind::Work {
                ('█', WORK)
            } else {
                ('░', WAIT)
            };
            let mut text: Vec<char> = s.label.chars().collect();
            if text.len() >= b - a {
                if !keys.iter().any(|k| k.0 == s.label) {
                    keys.push((&s.label, KEYS.chars().nth(keys.len()).unwrap_or('?')));
                }
                text = keys
                    .iter()
                    .filter(|k| k.0 == s.label)
                    .map(|k| k.1)
                    .collect();
            }
            let n = text.len();
            text.resize(b - a, fill);
            if s.unfinished && b - a > n {
                text[b - a - 1] = '→';
            }
            for (i, (cell, ch)) in row[a..b].iter_mut().zip(text).enumerate() {
                *cell = (ch, style[usize::from(i < n)]);
            }
        }
        push_row(&mut out, lane, name_w, '│', &row, color);
    }
    for (name, samples) in &rec.counters {
        let peak = samples.iter().map(|s| s.peak).max().unwrap_or(0).max(1);
        let (mut next, mut level) = (samples.iter().peekable(), 0);
        let mut row = vec![(' ', WORK[0]); cols];
        for (x, cell) in row.iter_mut().enumerate() {
            let mut high = level; // the most in flight during this column
            let end = lo as f64 + (x + 1) as f64 * per_col;
            while let Some(s) = next.next_if(|s| x + 1 == cols || (s.at_us as f64) < end) {
                (high, level) = (high.max(s.peak), s.level);
            }
            if high > 0 {
                cell.0 = LEVELS[((high * 8 + peak - 1) / peak - 1).clamp(0, 7) as usize];
            }
        }
        push_row(&mut out, name, name_w, '│', &row, color);
    }
    // The time axis: a tick at each step of 1, 2 or 5 × 10^k s, at least 10 columns apart.
    let x = per_col * 10.0 / 1e6;
    let p = 10f64.powf(x.max(1e-6).log10().floor());
    let step = [1.0, 2.0, 5.0]
        .into_iter()
        .map(|m| m * p)
        .find(|&s| s >= x)
        .unwrap_or(10.0 * p);
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    let (mut axis, mut labels) = (vec![('─', ""); cols], vec![' '; cols]);
    let (mut k, mut free) = ((lo as f64 / 1e6 / step).ceil() as i64, 0);
    while k as f64 * step * 1e6 <= hi as f64 && col((k as f64 * step * 1e6) as i64) < cols {
        let (t, x) = (k as f64 * step, col((k as f64 * step * 1e6) as i64));
        axis[x].0 = '┬';
        let text = format!("{t:.decimals$}");
        if x >= free && x + text.len() <= cols {
            labels.splice(x..x + text.len(), text.chars());
            free = x + text.len() + 1;
        }
        k += 1;
    }
    push_row(&mut out, "", name_w, '└', &axis, false);
    let labels: String = labels.into_iter().collect();
    let _ = writeln!(out, "{:<name_w$}  {}", "time (s)", labels.trim_end());
    let mut legend = vec!["█ work".to_string(), "░ wait".into(), "· idle".into()];
    if rec.spans.iter().any(|s| s.unfinished) {
        legend.push("→ still running".into());
    }
    for (name, samples) in &rec.counters {
        let peak = samples.iter().map(|s| s.peak).max().unwrap_or(0);
        legend.push(format!("▁…█ {name}: 1…{peak}"));
    }
    legend.extend(
        keys.iter()
            .filter(|k| k.1 != '?')
            .map(|(label, key)| format!("{key} = {label}")),
    );
    if keys.iter().any(|k| k.1 == '?') {
        legend.push("? = more labels: see the listing".into());
    }
    let mut line = String::new();
    for item in legend {
        if !line.is_empty() && line.chars().count() + 2 + item.chars().count() > width {
            let _ = writeln!(out, "{}", std::mem::take(&mut line));
        }
        line += if line.is_empty() { "" } else { "  " };
        line += &item;
    }
    let _ = writeln!(out, "{line}");
    if rec.dropped > 0 {
        let _ = writeln!(
            out,
            "note: {} more spans not recorded (the cap is {MAX_SPANS})",
            rec.dropped
        );
    }
    out
}

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
