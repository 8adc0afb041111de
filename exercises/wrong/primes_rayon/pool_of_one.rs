//! Wrong: rayon, on a pool of one thread.
//! Says: the work is not shared

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
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let (count, sum) = pool.install(|| {
        (0..limit)
            .into_par_iter()
            .filter(|&n| is_prime(n))
            .map(|n| (1u64, n))
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    println!("{count} primes below {limit}, their sum {sum}");
}
