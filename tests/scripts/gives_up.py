"""A worker waits for an item for a moment, gives up, then works a while — while the
script joins it: no deadlock."""

import contextlib
import multiprocessing
import queue
import time


def work(q, lock, go):
    with contextlib.suppress(queue.Empty):
        q.get(timeout=0.05)
    lock.acquire(timeout=0.05)  # (held by the script: it gives up)
    go.wait(0.05)  # (never set: it gives up)
    deadline = time.monotonic() + 1.0
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
