"""Two processes add 1 to a shared Value 20,000 times each, without its lock, and two
more with it (argv: the start method)."""

import multiprocessing
import sys


def add(counter, n):
    for _ in range(n):
        counter.value += 1


def add_locked(counter, n):
    for _ in range(n):
        with counter.get_lock():
            counter.value += 1


if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[1] if len(sys.argv) > 1 else "spawn")
    racy = multiprocessing.Value("i", 0)
    safe = multiprocessing.Value("i", 0)
    A = multiprocessing.Process(target=add, args=(racy, 20_000))
    B = multiprocessing.Process(target=add, args=(racy, 20_000))
    C = multiprocessing.Process(target=add_locked, args=(safe, 20_000))
    D = multiprocessing.Process(target=add_locked, args=(safe, 20_000))
    for p in (A, B, C, D):
        p.start()
    for p in (A, B, C, D):
        p.join()
    print(racy.value, safe.value, flush=True)
