"""Two processes add 1 (or argv[2]) to a shared Value 20,000 times each, without its
lock, and two more with it (argv: the start method, what each update adds, the Values'
typecode: "i", or "d" for doubles)."""

import multiprocessing
import sys


def add(counter, n, k):
    for _ in range(n):
        counter.value += k


def add_locked(counter, n, k):
    for _ in range(n):
        with counter.get_lock():
            counter.value += k


if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[1] if len(sys.argv) > 1 else "spawn")
    typecode = sys.argv[3] if len(sys.argv) > 3 else "i"
    racy = multiprocessing.Value(typecode, 0)
    safe = multiprocessing.Value(typecode, 0)
    k = (float if typecode == "d" else int)(sys.argv[2]) if len(sys.argv) > 2 else 1
    A = multiprocessing.Process(target=add, args=(racy, 20_000, k))
    B = multiprocessing.Process(target=add, args=(racy, 20_000, k))
    C = multiprocessing.Process(target=add_locked, args=(safe, 20_000, k))
    D = multiprocessing.Process(target=add_locked, args=(safe, 20_000, k))
    for p in (A, B, C, D):
        p.start()
    for p in (A, B, C, D):
        p.join()
    print(racy.value, safe.value, flush=True)
