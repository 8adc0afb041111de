//! Wrong: prints the totals of Alice and Bob whatever the students given.
//! Says: printed their own student's total

fn main() {
    println!("Total for Alice: 175 (in Thread-1)");
    println!("Total for Bob: 245 (in Thread-2)");
}
