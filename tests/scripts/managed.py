"""Workers fill a Manager dict and list and a shared Array (argv: the start method)."""

import multiprocessing
import sys


def work(k, results, log, squares):
    results[f"worker {k}"] = k * 10
    log.append(k)
    squares[k] = k * k


if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[1] if len(sys.argv) > 1 else "spawn")
    with multiprocessing.Manager() as manager:
        results = manager.dict()
        log = manager.list()
        squares = multiprocessing.Array("i", 3)
        workers = [multiprocessing.Process(target=work, args=(k, results, log, squares))
                   for k in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        print(sorted(results.items()), sorted(log), list(squares), flush=True)
