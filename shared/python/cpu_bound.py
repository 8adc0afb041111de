# Counts the primes below LIMIT by trial division, serially and with a multiprocessing Pool of
# PROCESSES processes; SAMPLES timed runs of each after a warm-up. Written for
# `cpu_bound --vs-python` (shared/src/python/mod.rs). Usage: cpu_bound.py LIMIT SAMPLES PROCESSES
import multiprocessing
import sys
import time

from tutorial_common import die_with_parent


def is_prime(n):
    # The same trial division as examples-thread/src/bin/cpu_bound.rs.
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


def count_range(bounds):
    lo, hi = bounds
    return sum(1 for n in range(lo, hi) if is_prime(n))


def timed(job):
    start = time.perf_counter()
    result = job()
    return result, time.perf_counter() - start


def main():
    limit, samples, processes = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    if not 0 <= limit <= 1 << 40:
        sys.exit("cpu_bound.py: LIMIT must be from 0 to %d, not %d" % (1 << 40, limit))
    if not 1 <= samples <= 1000:
        sys.exit("cpu_bound.py: SAMPLES must be from 1 to 1000, not %d" % samples)
    if not 1 <= processes <= 4096:
        sys.exit("cpu_bound.py: PROCESSES must be from 1 to 4096, not %d" % processes)
    # Small chunks, because the numbers at the top of the range cost more than those at the bottom.
    step = max(1, -(-limit // (processes * 16)))
    chunks = [(lo, min(lo + step, limit)) for lo in range(0, limit, step)]

    count_range((0, limit // 10))  # warm-up
    serial = [timed(lambda: count_range((0, limit))) for _ in range(samples)]
    with multiprocessing.Pool(processes, initializer=die_with_parent) as pool:
        pool.map(count_range, chunks, chunksize=1)  # warm-up: every worker started
        pooled = [timed(lambda: sum(pool.map(count_range, chunks, chunksize=1))) for _ in range(samples)]
    primes = {count for count, _ in serial + pooled}
    if len(primes) != 1:
        sys.exit("cpu_bound.py: the serial and pooled counts differ: %s" % sorted(primes))
    print(
        "result primes=%d processes=%d serial=%s pooled=%s"
        % (
            primes.pop(),
            processes,
            ",".join("%.6f" % t for _, t in serial),
            ",".join("%.6f" % t for _, t in pooled),
        )
    )


if __name__ == "__main__":
    main()
