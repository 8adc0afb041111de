//! Wrong: greets Alice and Bob whatever the students given.
//! Says: greeted their own student

fn main() {
    println!("Hello, Alice (in Thread-1)");
    println!("Hello, Bob (in Thread-2)");
}
