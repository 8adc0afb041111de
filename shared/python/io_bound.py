# COUNT waits of SECONDS each, all at once as asyncio tasks on one thread; SAMPLES runs. Prints
# the wall time of each run and the peak memory. Written for `io_bound --vs-python`
# (shared/src/python/mod.rs). Usage: io_bound.py COUNT SECONDS SAMPLES
import asyncio
import sys
import time


def peak_memory():
    # The largest resident memory of this process so far, in bytes; None where it cannot be read.
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # macOS counts bytes, Linux KiB


async def wait_all(count, seconds):
    await asyncio.gather(*(asyncio.sleep(seconds) for _ in range(count)))


def main():
    count, seconds, samples = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    if not 1 <= count <= 10000000:
        sys.exit("io_bound.py: COUNT must be from 1 to 10000000, not %d" % count)
    if not 0 <= seconds <= 3600:
        sys.exit("io_bound.py: SECONDS must be from 0 to 3600, not %s" % seconds)
    if not 1 <= samples <= 100:
        sys.exit("io_bound.py: SAMPLES must be from 1 to 100, not %d" % samples)
    before = peak_memory()
    walls = []
    for _ in range(samples):
        start = time.perf_counter()
        asyncio.run(wait_all(count, seconds))
        walls.append(time.perf_counter() - start)
    peak = peak_memory()
    print(
        "result count=%d wall=%s peak=%s before=%s"
        % (count, ",".join("%.6f" % t for t in walls), peak, before)
    )


if __name__ == "__main__":
    main()
