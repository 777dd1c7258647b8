"""A manager of the script's own (BaseManager) with a registered queue and a dict:
workers take tasks from the queue and store results in the dict. A second manager
connects to the same server: what it makes is not the script's own to trace, and its
items stay as they were put (argv: the start method)."""

import multiprocessing
import queue
import sys
from multiprocessing.managers import BaseManager, DictProxy


class Lab(BaseManager):
    pass


Lab.register("Tasks", queue.Queue)
Lab.register("Results", dict, DictProxy)


def work(tasks, results):
    n = tasks.get()
    results[f"task {n}"] = n * n


if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[1])
    with Lab() as lab:
        tasks, results = lab.Tasks(), lab.Results()
        for n in range(3):
            tasks.put(n)
        workers = [multiprocessing.Process(target=work, args=(tasks, results))
                   for _ in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        other = Lab(address=lab.address, authkey=multiprocessing.current_process().authkey)
        other.connect()
        inbox = other.Tasks()
        inbox.put("as put")
        print(sorted(results.items()), inbox.get(), flush=True)
