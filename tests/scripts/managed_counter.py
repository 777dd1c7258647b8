"""Three processes add 1 to a Manager's Value 100 times each, with or without a
Manager's Lock around each update (argv: the start method, "locked" or "unlocked")."""

import multiprocessing
import sys


def add(counter, lock, n):
    for _ in range(n):
        if lock is None:
            counter.value += 1
        else:
            with lock:
                counter.value += 1


if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[1])
    with multiprocessing.Manager() as manager:
        counter = manager.Value("i", 0)
        lock = manager.Lock() if sys.argv[2] == "locked" else None
        workers = [multiprocessing.Process(target=add, args=(counter, lock, 100))
                   for _ in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        print("total", counter.value, flush=True)
