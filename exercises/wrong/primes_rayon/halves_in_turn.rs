//! Wrong: two threads, each counting half, but the second starts once the first has finished.
//! Says: one core at a time

fn is_prime(n: u64) -> bool {
    n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| n % d != 0)
}

fn main() {
    let mut args = shared::start("usage: primes_rayon [LIMIT]\n\nCounts the primes below LIMIT (1000000 by default).");
    let mut limit = 1_000_000u64;
    while let Some(arg) = args.next() {
        match arg {
            shared::Arg::Value(value) => limit = shared::cli::parse(value),
            other => shared::unexpected(other),
        }
    }
    let half = limit / 2;
    let first = std::thread::spawn(move || (0..half).filter(|&n| is_prime(n)).count()).join().unwrap();
    let second = std::thread::spawn(move || (half..limit).filter(|&n| is_prime(n)).count()).join().unwrap();
    let count = first + second;
    println!("{count} primes below {limit}");
}
