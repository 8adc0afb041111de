# What it costs to create a thread, a forked process and a "spawn" process and wait for it:
# SAMPLES timed threads and forks, SPAWNS timed spawns, each after a warm-up. Written for
# `spawn_cost --vs-python` (shared/src/python/mod.rs). Usage: spawn_cost.py SAMPLES SPAWNS
import multiprocessing
import os
import sys
import threading
import time


def nothing():
    pass


def thread_once():
    t = threading.Thread(target=nothing)
    t.start()
    t.join()


def fork_once():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


def spawn_once(context):
    p = context.Process(target=nothing)
    p.start()
    p.join()
    if p.exitcode != 0:
        sys.exit("spawn_cost.py: a spawned process failed with exit code %s" % p.exitcode)


def times(job, warmup, samples):
    for _ in range(warmup):
        job()
    result = []
    for _ in range(samples):
        start = time.perf_counter()
        job()
        result.append(time.perf_counter() - start)
    return ",".join("%.9f" % t for t in result)


def main():
    samples, spawns = int(sys.argv[1]), int(sys.argv[2])
    if not 1 <= samples <= 100000:
        sys.exit("spawn_cost.py: SAMPLES must be from 1 to 100000, not %d" % samples)
    if not 1 <= spawns <= 1000:
        sys.exit("spawn_cost.py: SPAWNS must be from 1 to 1000, not %d" % spawns)
    warmup = max(1, samples // 10)
    thread = times(thread_once, warmup, samples)
    fork = times(fork_once, warmup, samples) if hasattr(os, "fork") else "none"
    context = multiprocessing.get_context("spawn")
    spawn = times(lambda: spawn_once(context), 1, spawns)
    print("result thread=%s fork=%s spawn=%s" % (thread, fork, spawn))


if __name__ == "__main__":
    main()
