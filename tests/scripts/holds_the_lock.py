"""Deadlocks around a lock somebody holds (argv: which). "main": the main program holds
the lock the child needs before it can put the item the main program waits for.
"again": a child takes a Lock (not an RLock) it already holds, and is joined."""

import multiprocessing
import sys


def make(lock, q):
    with lock:
        q.put("made")


def twice(lock):
    lock.acquire()
    lock.acquire()


if __name__ == "__main__":
    lock, q = multiprocessing.Lock(), multiprocessing.Queue()
    if sys.argv[1] == "main":
        with lock:
            P = multiprocessing.Process(target=make, args=(lock, q))
            P.start()
            print(q.get())
    else:
        P = multiprocessing.Process(target=twice, args=(lock,))
        P.start()
    P.join()
