//! Wrong: a one-thread pass, beside a thread that only burns CPU until it is done.
//! Says: burn CPU beside it

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
    let done = std::sync::atomic::AtomicBool::new(false);
    let (count, sum) = std::thread::scope(|s| {
        s.spawn(|| {
            let mut x = 0u64;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                x = std::hint::black_box(x.wrapping_add(1));
            }
        });
        let (count, sum) = (0..limit)
            .filter(|&n| is_prime(n))
            .fold((0u64, 0u64), |(count, sum), n| (count + 1, sum + n));
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        (count, sum)
    });
    println!("{count} primes below {limit}, their sum {sum}");
}
