//! Wrong: prints the capitals of a text it was never given.
//! Says: no child process

fn main() {
    shared::start("usage: communicate").no_options();
    println!("HELLO, CHILD");
}
