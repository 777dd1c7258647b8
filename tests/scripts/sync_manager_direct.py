"""A SyncManager made directly (not through multiprocessing.Manager()), its queue and
dict filled by three workers (argv: the start method)."""

import multiprocessing
import sys
from multiprocessing.managers import SyncManager


def work(results, seen, i):
    results.put(i * i)
    seen[i] = True


if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[1])
    with SyncManager() as manager:
        results = manager.Queue()
        seen = manager.dict()
        workers = [multiprocessing.Process(target=work, args=(results, seen, i))
                   for i in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        print(sorted(results.get() for _ in range(3)), sorted(seen.keys()), flush=True)
