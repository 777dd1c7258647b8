"""A worker waits for an item, a lock and an event, each with a timeout longer than it
takes to call a deadlock, gives up each time, then works a while — while the script
joins it: no deadlock."""

import contextlib
import multiprocessing
import queue
import time


def work(q, lock, go):
    with contextlib.suppress(queue.Empty):
        q.get(timeout=0.6)
    lock.acquire(timeout=0.6)  # (held by the script: it gives up)
    go.wait(0.6)  # (never set: it gives up)
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        pass
    print("worked", flush=True)


if __name__ == "__main__":
    Q = multiprocessing.Queue()
    L = multiprocessing.Lock()
    go = multiprocessing.Event()
    L.acquire()
    W = multiprocessing.Process(target=work, args=(Q, L, go))
    W.start()
    W.join()
    L.release()
