# COUNT small messages (the string 'm', like the Rust bench) through a multiprocessing.Queue from
# a writer process to a reader process, started the way Python does by default on this platform;
# SAMPLES timed runs after one warm-up. Each run is timed from just before the processes start
# until both are joined. Written for `queue_bench --vs-python` (shared/src/python/mod.rs).
# Usage: mp_queue.py COUNT SAMPLES. Not queue.py: a script's own directory comes first on
# sys.path, so a queue.py would hide the standard library's queue, which multiprocessing imports.
import multiprocessing
import sys
import time

from tutorial_common import die_with_parent


def write(q, count):
    die_with_parent()
    for _ in range(count):
        q.put("m")
    q.put(None)  # the sentinel: no more messages


def read(q, count, got):
    die_with_parent()
    n = 0
    while q.get() is not None:
        n += 1
    got.value = n
    if n != count:
        sys.exit("mp_queue.py: the reader got %d of %d messages" % (n, count))


def once(count):
    q = multiprocessing.Queue()
    got = multiprocessing.Value("q", -1, lock=False)
    writer = multiprocessing.Process(target=write, args=(q, count))
    reader = multiprocessing.Process(target=read, args=(q, count, got))
    start = time.perf_counter()
    writer.start()
    reader.start()
    writer.join()
    reader.join()
    elapsed = time.perf_counter() - start
    q.close()
    if got.value != count:
        sys.exit("mp_queue.py: the reader got %d of %d messages" % (got.value, count))
    for name, p in (("writer", writer), ("reader", reader)):
        if p.exitcode != 0:
            sys.exit("mp_queue.py: the %s failed with exit code %s" % (name, p.exitcode))
    return elapsed


def main():
    count, samples = int(sys.argv[1]), int(sys.argv[2])
    if not 1 <= count <= 10000000:
        sys.exit("mp_queue.py: COUNT must be from 1 to 10000000, not %d" % count)
    if not 1 <= samples <= 100:
        sys.exit("mp_queue.py: SAMPLES must be from 1 to 100, not %d" % samples)
    once(count)  # warm-up
    times = [once(count) for _ in range(samples)]
    print("result count=%d samples=%s" % (count, ",".join("%.6f" % t for t in times)))


if __name__ == "__main__":
    main()
