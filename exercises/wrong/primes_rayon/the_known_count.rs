//! Wrong: prints the count below 1000000, whatever the limit.
//! Says: right count

fn main() {
    println!("78498 primes below 1000000");
}
