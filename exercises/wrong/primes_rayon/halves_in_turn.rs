//! Wrong: two threads, each counting half, but the second starts once the first has finished.
//! Says: one core at a time

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
    let half = limit / 2;
    let pass = move |range: std::ops::Range<u64>| {
        range.filter(|&n| is_prime(n)).fold((0u64, 0u64), |(count, sum), n| (count + 1, sum + n))
    };
    let first = std::thread::spawn(move || pass(0..half)).join().unwrap();
    let second = std::thread::spawn(move || pass(half..limit)).join().unwrap();
    let (count, sum) = (first.0 + second.0, first.1 + second.1);
    println!("{count} primes below {limit}, their sum {sum}");
}
