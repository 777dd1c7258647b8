"""Three processes each set an attribute of a Manager's Namespace, one of them twice
(argv: the start method)."""

import multiprocessing
import sys


def report(status, i):
    setattr(status, f"worker{i}", "done")
    if i == 0:
        status.worker0 = "done again"  # (the same attribute: no new one)


if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[1])
    with multiprocessing.Manager() as manager:
        status = manager.Namespace()
        workers = [multiprocessing.Process(target=report, args=(status, i))
                   for i in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        print(sorted(vars(status._getvalue()).items()), flush=True)
