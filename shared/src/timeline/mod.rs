//! `--timeline`: who ran what, and when, drawn after an example's normal output.
//!
//! Nothing is recorded until [`enable`] (the chart) or [`trace_to`] (a Chrome trace file), so an
//! example without the flags prints exactly what it always did. Then a piece of work is one line:
//! `let _span = timeline::span(lane, label);` records it as work until the end of the scope
//! ([`wait`]: as waiting); [`record_us`] takes microseconds since the UNIX epoch ([`now_us`]),
//! which a worker *process* measures and sends to its parent (one clock for all processes of the
//! machine); [`count`] keeps a counter (+1/-1) where lanes would be too many (10,000 waits in
//! flight). [`print()`], after the output, draws.
//!
//! Recording is one push under one global `Mutex` (a handful per second here: simpler than
//! anything lock-free) and bounded: [`MAX_SPANS`] spans, later ones counted and reported under
//! the chart; a counter keeps 4096 samples, then merges neighbours keeping their peak (all that
//! 80 columns can show).
//!
//! The chart fits 80 columns: one row per lane (worker, thread, task) in order of first start;
//! `█` work, `░` wait, `·` idle (the gaps); time 0 is when recording began. A bar starts with
//! its label or, if that does not fit, with a key letter that the legend explains (a truncated
//! `task 1` could be `task 12`). Colour only on a terminal without `NO_COLOR`.
//!
//! Columns are too coarse to test "task 4 starts after task 0 ends", so an exact listing follows
//! the chart: one line per span, `lane | label | start_s | end_s | kind`, to the microsecond,
//! under a fixed heading. Tests of the examples read it back with the harness's `timeline`
//! module. (Parsing the `--trace` JSON instead would need a JSON parser in every test, and a
//! learner reads a listing too.)
//!
//! One job per file. This one records: the only global state, behind the API above. The others
//! draw, each a pure function of a [`Recording`] (a copy, [`snapshot`]), which is what makes them
//! testable with a recording written by hand:
//!
//! - `chart.rs`: [`render`], the chart, drawn part by part, top to bottom.
//! - `listing.rs`: [`listing()`], the exact listing, and [`lanes`], the rows' order.
//! - `trace.rs`: [`trace_json`], the same recording for a trace viewer.
//!
//! Library code does not end the program: [`trace_to`] and [`print()`] return an error when the
//! file cannot be written, and the example's `main` reports it (`.or_exit()`).

mod chart;
mod listing;
mod trace;

pub use chart::render;
pub use listing::{COUNTERS, SPANS, lanes, listing};
pub use trace::trace_json;

use std::fmt::Display;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::Context as _;

/// At most this many spans are kept; later ones are counted and reported under the chart.
pub const MAX_SPANS: usize = 1000;
/// Samples kept per counter before pairs of neighbours are merged (keeping each pair's peak).
const MAX_SAMPLES: usize = 4096;

/// What a span of a lane was doing; the gaps between spans are idle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Running: `█` on the chart.
    Work,
    /// Waiting (a sleep, a lock, a join): `░` on the chart.
    Wait,
}

/// One piece of work, in microseconds since recording began.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// Who ran it: a worker, a thread, a task; one row of the chart each.
    pub lane: String,
    /// What it was: drawn at the start of its bar.
    pub label: String,
    /// Work or waiting.
    pub kind: Kind,
    /// When it began (negative: before recording began, as a worker process may report).
    pub start_us: i64,
    /// When it ended; never before `start_us`.
    pub end_us: i64,
    /// Still running when drawn (a deadlocked thread's wait); `end_us` is then that moment.
    pub unfinished: bool,
}

/// A counter around one moment: `peak` is its highest value since the previous sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    /// When, in microseconds since recording began.
    pub at_us: i64,
    /// The highest value since the previous sample (more than `level` once samples merged).
    pub peak: i64,
    /// The value after this sample.
    pub level: i64,
}

/// Everything recorded: what [`render`], [`listing()`] and [`trace_json`] draw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recording {
    /// The spans, in order of recording.
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

/// What is recorded, and what [`print()`] does with it.
struct State {
    rec: Recording,
    /// Draw the chart ([`enable`]).
    chart: bool,
    /// Write the trace there ([`trace_to`]).
    trace: Option<PathBuf>,
}

/// When recording began, as an `Instant` and in microseconds since the UNIX epoch.
static EPOCH: OnceLock<(Instant, i64)> = OnceLock::new();
/// The one recorder of the program, shared by its threads.
static STATE: Mutex<State> = Mutex::new(State {
    rec: Recording {
        spans: Vec::new(),
        counters: Vec::new(),
        dropped: 0,
    },
    chart: false,
    trace: None,
});

/// Starts recording, for [`print()`] to draw the chart (an example calls it on `--timeline`).
pub fn enable() {
    EPOCH.get_or_init(|| (Instant::now(), now_us() as i64));
    crate::lock(&STATE).chart = true;
}

/// Starts recording, for [`print()`] to write it to `path` as Chrome trace-event JSON (`--trace
/// FILE`), which <https://ui.perfetto.dev> and `chrome://tracing` open. The file is created at
/// once, so that a path that cannot be written is an error now (`cannot write PATH: why`), not
/// after the whole run; then nothing is recorded.
pub fn trace_to(path: impl Into<PathBuf>) -> crate::Result {
    let path = path.into();
    std::fs::File::create(&path).context(format_args!("cannot write {}", path.display()))?;
    EPOCH.get_or_init(|| (Instant::now(), now_us() as i64));
    crate::lock(&STATE).trace = Some(path);
    Ok(())
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

/// Microseconds since recording began; `None` (without reading the clock) when not recording.
fn elapsed_us() -> Option<i64> {
    let &(epoch, _) = EPOCH.get()?;
    Some(epoch.elapsed().as_micros() as i64)
}

/// A span being recorded: it ends when dropped.
#[must_use = "the span ends when this guard is dropped: bind it with `let _span = ...`"]
pub struct SpanGuard(Option<usize>);

impl Drop for SpanGuard {
    fn drop(&mut self) {
        if let Some(i) = self.0 {
            let now = elapsed_us().unwrap_or(0);
            let span = &mut crate::lock(&STATE).rec.spans[i];
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

/// Opens a span of `kind` now, unless not recording; the guard closes it.
fn begin(lane: &dyn Display, label: &dyn Display, kind: Kind) -> SpanGuard {
    SpanGuard(elapsed_us().and_then(|t| add(lane, label, kind, (t, t), true)))
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

/// Keeps a span from `t.0` to `t.1` (microseconds since recording began), `open` while its guard
/// lives; returns its index, or `None` past [`MAX_SPANS`].
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
    crate::lock(&STATE).rec.add(Span {
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
        // The time is read under the lock, so that samples stay in order.
        let rec = &mut crate::lock(&STATE).rec;
        rec.count_at(name, delta, elapsed_us().unwrap_or(0));
    }
}

/// A copy of what was recorded so far; spans still running end now, marked unfinished.
pub fn snapshot() -> Recording {
    let mut rec = crate::lock(&STATE).rec.clone();
    let now = elapsed_us().unwrap_or(0);
    rec.spans
        .iter_mut()
        .filter(|s| s.unfinished)
        .for_each(|s| s.end_us = now);
    rec
}

/// Prints the chart and its exact listing to stdout (after [`enable`]) and writes the trace
/// (after [`trace_to`]); does nothing otherwise. Call it once, after the normal output. The
/// error says which file could not be written, and why.
pub fn print() -> crate::Result {
    let (chart, trace) = {
        let state = crate::lock(&STATE);
        (state.chart, state.trace.clone())
    };
    let rec = snapshot();
    if chart {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = std::io::stdout().is_terminal() && !no_color;
        print!("\n{}\n{}", render(&rec, 80, color), listing(&rec));
    }
    if let Some(path) = trace {
        let written = std::fs::write(&path, trace_json(&rec));
        written.context(format_args!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Recordings for the unit tests of this module's files.
#[cfg(test)]
mod fixtures {
    use super::Kind::{Wait, Work};
    use super::*;

    pub type Bar<'a> = (&'a str, &'a str, Kind, i64, i64); // lane, label, kind, start and end in ms

    pub fn rec(bars: &[Bar<'_>]) -> Recording {
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
    pub const POOL: &[Bar<'_>] = &[
        ("pid 11", "task 0", Work, 10, 1010),
        ("pid 12", "task 1", Work, 10, 1020),
        ("pid 13", "task 2", Work, 10, 1030),
        ("pid 14", "task 3", Work, 10, 1040),
        ("pid 11", "task 4", Work, 1010, 2010),
        ("main", "join", Wait, 0, 2020),
        ("main", "report", Work, 2020, 2050),
    ];
}

#[cfg(test)]
mod tests {
    use super::Kind::{Wait, Work};
    use super::fixtures::rec;
    use super::*;

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
    fn the_global_recorder_is_off_until_enabled_then_records_every_kind() {
        drop(span("early", "ignored"));
        count("ignored", 1);
        assert!(!enabled() && snapshot() == Recording::default());
        enable();
        {
            let _work = span("main", format_args!("task {}", 1));
            let _waiting = wait("main", "pipe | newline\n");
            let worker = std::thread::spawn(|| drop(span("worker", "t")));
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
