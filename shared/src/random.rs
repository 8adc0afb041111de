//! Python's `random.random()` and `random.randint()`, from a small xorshift generator seeded by the
//! clock and the process id. Good enough for random pauses and task numbers; not for cryptography.

use std::cell::Cell;

thread_local! {
    static STATE: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let local = 0u8;
    let address = &local as *const u8 as u64;
    // Never zero: xorshift would stay at zero for ever.
    (nanos ^ (u64::from(std::process::id()) << 32) ^ address.rotate_left(17)) | 1
}

fn next_u64() -> u64 {
    STATE.with(|state| {
        let mut x = state.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        state.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}

/// A random float in `[0, 1)`, like Python's `random.random()`.
pub fn random() -> f64 {
    (next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// A random integer in `low..=high`, like Python's `random.randint(low, high)`.
pub fn randint(low: u64, high: u64) -> u64 {
    assert!(low <= high, "randint: empty range");
    let span = high - low + 1;
    low + if span == 0 {
        next_u64()
    } else {
        next_u64() % span
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn stays_in_range() {
        for _ in 0..10_000 {
            let x = super::random();
            assert!((0.0..1.0).contains(&x));
            let n = super::randint(3, 5);
            assert!((3..=5).contains(&n));
        }
    }

    #[test]
    fn is_not_constant() {
        let first = super::randint(0, 1_000_000);
        assert!((0..100).any(|_| super::randint(0, 1_000_000) != first));
    }
}
