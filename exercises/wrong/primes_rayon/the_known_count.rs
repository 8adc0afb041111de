//! Wrong: prints the count and sum below 1000000, whatever the limit.
//! Says: right count

fn main() {
    println!("78498 primes below 1000000, their sum 37550402023");
}
