//! The programs of the exercises' tests in one executable: every solution, every wrong solution
//! and every exercise as shipped, each from its own plain file (the build script makes each a
//! module). `EXERCISES_PROGRAM=pool_of_five/solution` picks one; the child processes it starts
//! (this executable again) inherit the choice.

include!(concat!(env!("OUT_DIR"), "/programs.rs"));

/// The variable that picks the program.
const PICK: &str = "EXERCISES_PROGRAM";

fn main() {
    let name = std::env::var(PICK).unwrap_or_default();
    match PROGRAMS.iter().find(|(n, _)| *n == name) {
        Some((_, main)) => main(),
        None => {
            eprintln!("error: {PICK}={name:?} names none of this executable's programs:");
            for (n, _) in PROGRAMS {
                eprintln!("  {n}");
            }
            std::process::exit(2);
        }
    }
}
