//! `--vs-python`: not yet written.
