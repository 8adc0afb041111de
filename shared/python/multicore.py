# THREADS busy threads for SECONDS; prints the process's CPU time over the wall time.
# Written for `multicore --vs-python` (shared/src/python/mod.rs). Usage: multicore.py THREADS SECONDS
import sys
import threading
import time


def spin(deadline):
    # The tutorial's dead loop, bounded by a deadline.
    x = 0
    while time.perf_counter() < deadline:
        for _ in range(10000):
            x = x ^ 1


def main():
    threads, seconds = int(sys.argv[1]), float(sys.argv[2])
    if not 1 <= threads <= 1024:
        sys.exit("multicore.py: THREADS must be from 1 to 1024, not %d" % threads)
    if not 0 < seconds <= 3600:
        sys.exit("multicore.py: SECONDS must be above 0 and at most 3600, not %s" % seconds)
    cpu_before, start = time.process_time(), time.perf_counter()
    workers = [threading.Thread(target=spin, args=(start + seconds,)) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    cpu, wall = time.process_time() - cpu_before, time.perf_counter() - start
    gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    print("result threads=%d cpu=%.6f wall=%.6f gil=%s" % (threads, cpu, wall, "on" if gil else "off"))


if __name__ == "__main__":
    main()
