"""A pool's tasks take turns at a Manager's lock and put on its queue, both handed to
them in the tasks' arguments (argv: the start method)."""

import multiprocessing
import sys
import time


def task(args):
    lock, results, k = args
    with lock:
        time.sleep(0.01)
    results.put(k * k)
    return k


if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[1] if len(sys.argv) > 1 else "spawn")
    with multiprocessing.Manager() as manager:
        turns = manager.Lock()
        squares = manager.Queue()
        with multiprocessing.Pool(2) as pool:
            done = pool.map(task, [(turns, squares, k) for k in range(4)])
        print(sorted(squares.get() for _ in done), flush=True)
