//! Chrome trace-event JSON of a [`Recording`], for `--trace FILE`: the format that
//! <https://ui.perfetto.dev> and `chrome://tracing` open, zoomable where the chart is 80 columns.
//!
//! Written by hand, not with a JSON crate: Chrome's Trace Event Format needs only three kinds of
//! event, of numbers and names. `M` (metadata) names the process and a track per lane, `X`
//! (complete) is a span with its start and duration, `C` a counter's value at a moment.

use super::{Kind, Recording, lanes};

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
        // Two events a sample: its peak at its moment, then its level 1 µs later, so that the
        // viewer shows the peak that merged samples kept.
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

/// `text` as a JSON string, in quotes: `"` and `\` escaped, control characters as `\u00XX`.
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
    use super::super::Kind::{Wait, Work};
    use super::super::fixtures::rec;
    use super::*;

    #[test]
    fn the_trace_is_json_that_python_reads() {
        if !crate::python::python3_for_tests("timeline::trace::the_trace_is_json_that_python_reads")
        {
            return;
        }
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
}
