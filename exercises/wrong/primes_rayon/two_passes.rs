//! Wrong: two passes on every core, one for the count and one for the sum: twice the CPU time.
//! Says: done twice

use rayon::prelude::*;

fn is_prime(n: u64) -> bool {
    n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| n % d != 0)
}

fn main() {
    let mut args = shared::start("usage: primes_rayon [LIMIT]\n\nCounts and adds up the primes below LIMIT (1000000 by default).");
    let mut limit = 1_000_000u64;
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Value(value) => limit = shared::cli::parse(value),
            other => shared::unexpected(other),
        }
    }
    let count = (0..limit).into_par_iter().filter(|&n| is_prime(n)).count();
    let sum: u64 = (0..limit).into_par_iter().filter(|&n| is_prime(n)).sum();
    println!("{count} primes below {limit}, their sum {sum}");
}
