//! Wrong: prints 200000 without counting.
//! Says: not add up

fn main() {
    println!("200000");
}
