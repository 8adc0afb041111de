//! `--timeline`: who ran what, and when, drawn after an example's normal output.
//!
//! Nothing is recorded until [`enable`] (the chart) or [`trace_to`] (a Chrome trace file), so an
//! example without the flags prints exactly what it always did. Then a piece of work is one line:
//! `let _span = timeline::span(lane, label);` records it as work until the end of the scope
//! ([`wait`]: as waiting); [`record`] takes two `Instant`s; [`record_us`] takes microseconds
//! since the UNIX epoch ([`now_us`]), which a worker *process* measures and sends to its parent
//! (one clock for all processes of the machine); [`count`] keeps a counter (+1/-1) where lanes
//! would be too many (10,000 waits in flight). [`print()`], after the output, draws.
//!
//! Recording is one push under one global `Mutex` (a handful per second here: simpler than
//! anything lock-free) and bounded: [`MAX_SPANS`] spans, later ones counted and reported under
//! the chart; a counter keeps 4096 samples, then merges neighbours keeping their peak (all that
//! 80 columns can show).
//!
//! The chart fits 80 columns: one row per lane (worker, thread, task) in order of first start;
//! `█` work, `░` wait, `·` idle (the gaps); time 0 is when recording began. A bar starts with
//! its label or, if that does not fit, with a key letter that the legend explains (a truncated
//! `task 1` could be `task 12`). Colour only on a terminal without `NO_COLOR`. [`render`] is a
//! pure function of a [`Recording`], hence the unit tests below.
//!
//! Columns are too coarse to test "task 4 starts after task 0 ends", so an exact listing follows
//! the chart: one line per span, `lane | label | start_s | end_s | kind`, to the microsecond,
//! under a fixed heading. Tests of the examples read it with [`parse_listing`] and check it with
//! [`lanes`], [`max_concurrent`] and [`overlap_in_lane`]. (Parsing the `--trace` JSON instead
//! would need a JSON parser in every test, and a learner reads a listing too.)

use std::fmt::{Display, Write as _};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// At most this many spans are kept; later ones are counted and reported under the chart.
pub const MAX_SPANS: usize = 1000;
/// Samples kept per counter before pairs of neighbours are merged (keeping each pair's peak).
const MAX_SAMPLES: usize = 4096;
const SPANS: &str = "timeline spans (lane | label | start_s | end_s | kind):";
const COUNTERS: &str = "timeline counters (name | peak | end):";
const KEYS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// ANSI styles of the cells, when colour is on ("" is plain).
const IDLE: &str = "\x1b[2m";
const WORK: [&str; 2] = ["\x1b[36m", "\x1b[30;46m"]; // bar, label
const WAIT: [&str; 2] = ["\x1b[33m", "\x1b[30;43m"];

/// What a span of a lane was doing; the gaps between spans are idle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Work,
    Wait,
}

/// One piece of work, in microseconds since recording began.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub lane: String,
    pub label: String,
    pub kind: Kind,
    pub start_us: i64,
    pub end_us: i64,
    /// Still running when drawn (a deadlocked thread's wait); `end_us` is then that moment.
    pub unfinished: bool,
}

/// A counter around one moment: `peak` is its highest value since the previous sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    pub at_us: i64,
    pub peak: i64,
    pub level: i64,
}

/// Everything recorded: what [`render`], [`listing`] and [`trace_json`] draw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recording {
    pub spans: Vec<Span>,
    /// Each counter's name and samples, in order of first use.
    pub counters: Vec<(String, Vec<Sample>)>,
    /// Spans not kept because [`MAX_SPANS`] were already there.
    pub dropped: u64,
}

impl Recording {
    /// Keeps a span unless the cap is reached; returns its index.
    fn add(&mut self, span: Span) -> Option<usize> {
        if self.spans.len() >= MAX_SPANS {
            self.dropped += 1;
            return None;
        }
        self.spans.push(span);
        Some(self.spans.len() - 1)
    }

    /// Adds `delta` to a counter at `at_us`; past `MAX_SAMPLES`, merges pairs of samples.
    fn count_at(&mut self, name: &str, delta: i64, at_us: i64) {
        let i = match self.counters.iter().position(|c| c.0 == name) {
            Some(i) => i,
            None => {
                self.counters.push((name.into(), Vec::new()));
                self.counters.len() - 1
            }
        };
        let samples = &mut self.counters[i].1;
        let level = samples.last().map_or(0, |s| s.level) + delta;
        samples.push(Sample {
            at_us,
            peak: level,
            level,
        });
        if samples.len() > MAX_SAMPLES {
            let merge = |p: &[Sample]| Sample {
                peak: p[0].peak.max(p[p.len() - 1].peak),
                ..p[p.len() - 1]
            };
            *samples = samples
                .chunks(2)
                .map(|p| Sample {
                    at_us: p[0].at_us,
                    ..merge(p)
                })
                .collect();
        }
    }
}

struct State {
    rec: Recording,
    chart: bool,
    trace: Option<PathBuf>,
}

/// When recording began, as an `Instant` and in microseconds since the UNIX epoch.
static EPOCH: OnceLock<(Instant, i64)> = OnceLock::new();
static STATE: Mutex<State> = Mutex::new(State {
    rec: Recording {
        spans: Vec::new(),
        counters: Vec::new(),
        dropped: 0,
    },
    chart: false,
    trace: None,
});

fn state() -> MutexGuard<'static, State> {
    // A thread that panicked while holding the lock left no half-written span behind.
    STATE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Starts recording, for [`print()`] to draw the chart (an example calls it on `--timeline`).
pub fn enable() {
    EPOCH.get_or_init(|| (Instant::now(), now_us() as i64));
    state().chart = true;
}

/// Starts recording, for [`print()`] to write it to `path` as Chrome trace-event JSON (`--trace
/// FILE`), which <https://ui.perfetto.dev> and `chrome://tracing` open.
pub fn trace_to(path: impl Into<PathBuf>) {
    let path = path.into();
    // Say now, not after the whole run, that the file cannot be written.
    if let Err(e) = std::fs::File::create(&path) {
        crate::exit_error(format_args!("cannot write {}: {e}", path.display()));
    }
    EPOCH.get_or_init(|| (Instant::now(), now_us() as i64));
    state().trace = Some(path);
}

/// Whether anything is being recorded.
pub fn enabled() -> bool {
    EPOCH.get().is_some()
}

/// Microseconds since the UNIX epoch: a time that means the same in every process, for a worker
/// process to measure its span and send it to the parent, which calls [`record_us`].
pub fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// Microseconds from the moment recording began to `t`; `None` when not recording.
fn since_epoch(t: Instant) -> Option<i64> {
    let &(epoch, _) = EPOCH.get()?;
    Some(match t.checked_duration_since(epoch) {
        Some(d) => d.as_micros() as i64,
        None => -((epoch - t).as_micros() as i64),
    })
}

/// A span being recorded: it ends when dropped.
#[must_use = "the span ends when this guard is dropped: bind it with `let _span = ...`"]
pub struct SpanGuard(Option<usize>);

impl Drop for SpanGuard {
    fn drop(&mut self) {
        if let Some(i) = self.0 {
            let now = since_epoch(Instant::now()).unwrap_or(0);
            let span = &mut state().rec.spans[i];
            (span.end_us, span.unfinished) = (now, false);
        }
    }
}

/// Records work in `lane` from now until the guard is dropped.
pub fn span(lane: impl Display, label: impl Display) -> SpanGuard {
    begin(&lane, &label, Kind::Work)
}

/// Records waiting (a sleep, a lock, a join) in `lane` from now until the guard is dropped.
pub fn wait(lane: impl Display, label: impl Display) -> SpanGuard {
    begin(&lane, &label, Kind::Wait)
}

fn begin(lane: &dyn Display, label: &dyn Display, kind: Kind) -> SpanGuard {
    let now = if enabled() {
        since_epoch(Instant::now())
    } else {
        None
    }; // no clock when off
    SpanGuard(now.and_then(|t| add(lane, label, kind, (t, t), true)))
}

/// Records a span measured with two `Instant`s.
pub fn record(lane: impl Display, label: impl Display, kind: Kind, start: Instant, end: Instant) {
    if let (Some(start), Some(end)) = (since_epoch(start), since_epoch(end)) {
        add(&lane, &label, kind, (start, end), false);
    }
}

/// Records a span measured with [`now_us`], possibly in another process.
pub fn record_us(lane: impl Display, label: impl Display, kind: Kind, start_us: u64, end_us: u64) {
    if let Some(&(_, epoch)) = EPOCH.get() {
        add(
            &lane,
            &label,
            kind,
            (start_us as i64 - epoch, end_us as i64 - epoch),
            false,
        );
    }
}

fn add(
    lane: &dyn Display,
    label: &dyn Display,
    kind: Kind,
    t: (i64, i64),
    open: bool,
) -> Option<usize> {
    // `|` separates the listing's fields, and a line break would split a line.
    let clean = |x: &dyn Display| {
        x.to_string()
            .trim()
            .replace('|', "/")
            .replace(char::is_control, " ")
    };
    let (lane, label, start_us, end_us) = (clean(lane), clean(label), t.0, t.1.max(t.0));
    state().rec.add(Span {
        lane,
        label,
        kind,
        start_us,
        end_us,
        unfinished: open,
    })
}

/// Adds `delta` (+1 when something starts, -1 when it ends) to the counter `name`, now.
pub fn count(name: &str, delta: i64) {
    if enabled() {
        let rec = &mut state().rec; // the time is read under the lock: samples stay in order
        rec.count_at(name, delta, since_epoch(Instant::now()).unwrap_or(0));
    }
}

/// A copy of what was recorded so far; spans still running end now, marked unfinished.
pub fn snapshot() -> Recording {
    let mut rec = state().rec.clone();
    let now = since_epoch(Instant::now()).unwrap_or(0);
    rec.spans
        .iter_mut()
        .filter(|s| s.unfinished)
        .for_each(|s| s.end_us = now);
    rec
}

/// Prints the chart and its exact listing to stdout (after [`enable`]) and writes the trace
/// (after [`trace_to`]); does nothing otherwise. Call it once, after the normal output.
pub fn print() {
    let (chart, trace) = {
        let state = state();
        (state.chart, state.trace.clone())
    };
    let rec = snapshot();
    if chart {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = std::io::stdout().is_terminal() && !no_color;
        print!("\n{}\n{}", render(&rec, 80, color), listing(&rec));
    }
    if let Some(path) = trace {
        if let Err(e) = std::fs::write(&path, trace_json(&rec)) {
            crate::cli::exit_error(format_args!("cannot write {}: {e}", path.display()));
        }
    }
}

/// The lanes in order of their first start (ties: of recording).
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

fn secs(us: i64) -> String {
    let sign = if us < 0 { "-" } else { "" };
    format!("{sign}{}.{:06}", us.abs() / 1_000_000, us.abs() % 1_000_000)
}

/// The exact listing printed under the chart: every span, then every counter's peak.
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
    pub spans: Vec<Span>,
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

fn parse_secs(text: &str) -> Option<i64> {
    let (sign, digits) = text.strip_prefix('-').map_or((1, text), |t| (-1, t));
    let (whole, micros) = digits.split_once('.').filter(|(_, f)| f.len() == 6)?;
    Some(sign * (whole.parse::<i64>().ok()? * 1_000_000 + micros.parse::<i64>().ok()?))
}

/// The Chrome trace-event JSON of `rec`: a track per lane, one per counter.
pub fn trace_json(rec: &Recording) -> String {
    let lanes = lanes(&rec.spans);
    let mut events =
        vec![r#"{"ph":"M","pid":1,"name":"process_name","args":{"name":"timeline"}}"#.to_string()];
    for (tid, lane) in lanes.iter().enumerate() {
        let args = format!(r#"{{"name":{}}}"#, json(lane));
        events.push(format!(
            r#"{{"ph":"M","pid":1,"tid":{tid},"name":"thread_name","args":{args}}}"#
        ));
    }
    let lo = rec
        .spans
        .iter()
        .map(|s| s.start_us)
        .chain(rec.counters.iter().flat_map(|c| &c.1).map(|s| s.at_us));
    let lo = lo.min().unwrap_or(0).min(0); // trace viewers want times from 0 up
    for s in &rec.spans {
        let tid = lanes.iter().position(|l| *l == s.lane).unwrap_or(0);
        let (name, cat) = (
            json(&s.label),
            if s.kind == Kind::Work { "work" } else { "wait" },
        );
        let (ts, dur) = (s.start_us - lo, s.end_us - s.start_us);
        events.push(format!(
            r#"{{"ph":"X","pid":1,"tid":{tid},"name":{name},"cat":"{cat}","ts":{ts},"dur":{dur}}}"#
        ));
    }
    for (name, samples) in &rec.counters {
        for s in samples {
            for (ts, n) in [(s.at_us - lo, s.peak), (s.at_us - lo + 1, s.level)] {
                let name = json(name);
                events.push(format!(
                    r#"{{"ph":"C","pid":1,"name":{name},"ts":{ts},"args":{{"n":{n}}}}}"#
                ));
            }
        }
    }
    format!(
        "{{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n{}\n]}}\n",
        events.join(",\n")
    )
}

fn json(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => out.extend(['\\', c]),
            c if c < ' ' => out += &format!("\\u{:04x}", c as u32),
            c => out.push(c),
        }
    }
    out + "\""
}

#[cfg(test)]
mod tests {
    use super::Kind::{Wait, Work};
    use super::*;

    type Bar<'a> = (&'a str, &'a str, Kind, i64, i64); // lane, label, kind, start and end in ms

    fn rec(bars: &[Bar<'_>]) -> Recording {
        let span = |&(lane, label, kind, a, b): &Bar<'_>| Span {
            lane: lane.into(),
            label: label.into(),
            kind,
            start_us: a * 1000,
            end_us: b * 1000,
            unfinished: false,
        };
        Recording {
            spans: bars.iter().map(span).collect(),
            ..Recording::default()
        }
    }

    /// Pool(4): tasks 0-3 at once; task 4 in the lane of the worker that finished first.
    const POOL: &[Bar<'_>] = &[
        ("pid 11", "task 0", Work, 10, 1010),
        ("pid 12", "task 1", Work, 10, 1020),
        ("pid 13", "task 2", Work, 10, 1030),
        ("pid 14", "task 3", Work, 10, 1040),
        ("pid 11", "task 4", Work, 1010, 2010),
        ("main", "join", Wait, 0, 2020),
        ("main", "report", Work, 2020, 2050),
    ];

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

    #[test]
    fn spans_and_counter_samples_are_bounded() {
        let mut many = Recording::default();
        (0..MAX_SPANS + 5)
            .for_each(|i| _ = many.add(rec(&[("a", "x", Work, i as i64, 1)]).spans[0].clone()));
        assert_eq!((many.spans.len(), many.dropped), (MAX_SPANS, 5));
        assert!(
            render(&many, 80, false).contains("note: 5 more spans not recorded (the cap is 1000)")
        );
        for (delta, t0) in [(1, 0), (-1, 10_000)] {
            (0..10_000).for_each(|t| many.count_at("in flight", delta, (t0 + t) * 100));
        }
        let samples = &many.counters[0].1;
        assert!(samples.len() <= MAX_SAMPLES, "{}", samples.len());
        let peak = samples.iter().map(|s| s.peak).max();
        assert_eq!(
            (peak, samples.last().map(|s| s.level)),
            (Some(10_000), Some(0))
        );
        assert!(
            listing(&many)
                .ends_with("timeline counters (name | peak | end):\nin flight | 10000 | 0\n")
        );
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

    #[test]
    fn the_trace_is_json_that_python_reads() {
        let mut pool = rec(&[
            ("t\"1\"", "back\\slash\nand \u{1}", Work, -5, 3),
            ("u", "", Wait, 0, 1),
        ]);
        pool.count_at("in flight", 1, 0);
        let script = "import json,sys; d=json.load(sys.stdin)['traceEvents']; \
                      print(sorted(e['ph'] + str(e.get('ts', 0) >= 0) for e in d))";
        let mut python = std::process::Command::new("python3")
            .args(["-c", script])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 checks the trace");
        let json = trace_json(&pool);
        std::io::Write::write_all(&mut python.stdin.take().unwrap(), json.as_bytes()).unwrap();
        let out = String::from_utf8(python.wait_with_output().unwrap().stdout).unwrap();
        let expected = "['CTrue', 'CTrue', 'MTrue', 'MTrue', 'MTrue', 'XTrue', 'XTrue']\n";
        assert_eq!(out, expected, "{json}");
    }

    #[test]
    fn the_global_recorder_is_off_until_enabled_then_records_every_kind() {
        drop(span("early", "ignored"));
        count("ignored", 1);
        assert!(!enabled() && snapshot() == Recording::default());
        enable();
        let before = Instant::now();
        {
            let _work = span("main", format_args!("task {}", 1));
            let _waiting = wait("main", "pipe | newline\n");
            let worker =
                std::thread::spawn(move || record("worker", "t", Work, before, Instant::now()));
            worker.join().unwrap();
        }
        let t = now_us();
        record_us("pid 7", "task 2", Work, t, t + 1_000);
        count("in flight", 1);
        let _open = wait("stuck", "lock B");
        let rec = snapshot();
        let labels: Vec<_> = rec
            .spans
            .iter()
            .map(|s| (&*s.label, s.kind, s.unfinished))
            .collect();
        let expected = [
            ("task 1", Work, false),
            ("pipe / newline", Wait, false),
            ("t", Work, false),
            ("task 2", Work, false),
            ("lock B", Wait, true),
        ];
        assert_eq!(labels, expected);
        assert_eq!(rec.spans[3].end_us - rec.spans[3].start_us, 1_000);
        assert_eq!(rec.counters[0].1.last().map(|s| s.level), Some(1));
    }
}
