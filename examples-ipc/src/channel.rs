//! The machinery of `queue` and `pipe`: not yet written.
