# A token handed back and forth ROUNDS times between two threads (a queue.Queue each way), two
# processes (a multiprocessing.Pipe) and two asyncio tasks on one thread (an asyncio.Queue each
# way), SAMPLES timed runs each after a warm-up; each time is of one switch, the run's time over
# 2 * ROUNDS. Written for `context_switch --vs-python` (shared/src/python/mod.rs).
# Usage: context_switch.py ROUNDS SAMPLES
import asyncio
import multiprocessing
import queue
import sys
import threading
import time

from tutorial_common import die_with_parent


def threads(rounds):
    to_pong, to_ping = queue.Queue(1), queue.Queue(1)

    def pong():
        while to_pong.get() is not None:
            to_ping.put(True)

    t = threading.Thread(target=pong)
    t.start()
    start = time.perf_counter()
    for _ in range(rounds):
        to_pong.put(True)
        to_ping.get()
    elapsed = time.perf_counter() - start
    to_pong.put(None)
    t.join()
    return elapsed


def echo(conn):
    die_with_parent()
    while conn.recv() is not None:
        conn.send(True)


def processes(rounds):
    mine, theirs = multiprocessing.Pipe()
    p = multiprocessing.Process(target=echo, args=(theirs,))
    p.start()
    mine.send(True)  # the child has started and answers
    mine.recv()
    start = time.perf_counter()
    for _ in range(rounds):
        mine.send(True)
        mine.recv()
    elapsed = time.perf_counter() - start
    mine.send(None)
    p.join()
    if p.exitcode != 0:
        sys.exit("context_switch.py: the child failed with exit code %s" % p.exitcode)
    return elapsed


async def ping_pong(rounds):
    to_pong, to_ping = asyncio.Queue(1), asyncio.Queue(1)

    async def pong():
        while await to_pong.get() is not None:
            await to_ping.put(True)

    task = asyncio.ensure_future(pong())
    start = time.perf_counter()
    for _ in range(rounds):
        await to_pong.put(True)
        await to_ping.get()
    elapsed = time.perf_counter() - start
    await to_pong.put(None)
    await task
    return elapsed


def tasks(rounds):
    return asyncio.run(ping_pong(rounds))


def main():
    rounds, samples = int(sys.argv[1]), int(sys.argv[2])
    if not 1 <= rounds <= 1000000:
        sys.exit("context_switch.py: ROUNDS must be from 1 to 1000000, not %d" % rounds)
    if not 1 <= samples <= 100:
        sys.exit("context_switch.py: SAMPLES must be from 1 to 100, not %d" % samples)
    fields = []
    for name, job in (("threads", threads), ("processes", processes), ("tasks", tasks)):
        job(rounds)  # warm-up
        times = [job(rounds) / (2 * rounds) for _ in range(samples)]
        fields.append("%s=%s" % (name, ",".join("%.9f" % t for t in times)))
    print("result " + " ".join(fields))


if __name__ == "__main__":
    main()
