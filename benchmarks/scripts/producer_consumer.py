"""A producer puts N small items on a multiprocessing.Queue, a consumer gets them: the
traced-objects benchmark's script (argv: start method, N)."""

import multiprocessing
import sys


def produce(q, n):
    for i in range(n):
        q.put(i)
    q.put(None)


def consume(q):
    total = 0
    while (item := q.get()) is not None:
        total += item
    print(total, flush=True)


if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[1])
    n = int(sys.argv[2])
    Q = multiprocessing.Queue()
    P = multiprocessing.Process(target=produce, args=(Q, n))
    C = multiprocessing.Process(target=consume, args=(Q,))
    P.start()
    C.start()
    P.join()
    C.join()
