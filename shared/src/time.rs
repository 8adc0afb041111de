//! The time-scale knob.
//!
//! The tutorial's examples sleep (`time.sleep(1)`, `asyncio.sleep(1)`) so that a learner can watch
//! things happen. Every such sleep goes through [`sleep`] or [`scaled`], which multiply it by the
//! environment variable `TUTORIAL_TIME_SCALE`: `1` (the default) keeps the tutorial's timings,
//! `0.1` makes them ten times faster, `0` removes the waiting (the tests use it).

use std::sync::OnceLock;
use std::time::Duration;

/// The environment variable that scales every sleep of the tutorial.
pub const TIME_SCALE_VAR: &str = "TUTORIAL_TIME_SCALE";

/// The largest accepted scale: enough to slow a demo down for a class, small enough never to overflow.
const MAX_SCALE: f64 = 1000.0;

/// The scale factor from `TUTORIAL_TIME_SCALE` (1 when unset). [`crate::start`] has refused a
/// bad value before anything runs; a program that did not call it gets 1 for one.
pub fn time_scale() -> f64 {
    static SCALE: OnceLock<f64> = OnceLock::new();
    *SCALE.get_or_init(|| from_env().unwrap_or(1.0))
}

/// The scale `TUTORIAL_TIME_SCALE` asks for, or why it is refused.
pub(crate) fn from_env() -> crate::Result<f64> {
    let refused = |text: &str| {
        Err(crate::Error::new(format!(
            "{TIME_SCALE_VAR} must be a number from 0 to {MAX_SCALE} \
             (1 = the tutorial's timings, 0 = no waiting), not {text:?}"
        )))
    };
    match std::env::var(TIME_SCALE_VAR) {
        Err(std::env::VarError::NotPresent) => Ok(1.0),
        Ok(text) => match text.trim().parse::<f64>() {
            Ok(x) if (0.0..=MAX_SCALE).contains(&x) => Ok(x),
            _ => refused(&text),
        },
        Err(std::env::VarError::NotUnicode(text)) => refused(&text.to_string_lossy()),
    }
}

/// A tutorial duration multiplied by the time scale.
pub fn scaled(duration: Duration) -> Duration {
    duration.mul_f64(time_scale())
}

/// Sleeps for a tutorial duration multiplied by the time scale.
pub fn sleep(duration: Duration) {
    let duration = scaled(duration);
    if !duration.is_zero() {
        std::thread::sleep(duration);
    }
}

/// [`sleep`] for a number of seconds, like Python's `time.sleep(secs)`.
pub fn sleep_secs(secs: f64) {
    sleep(Duration::from_secs_f64(secs));
}
