"""Three processes in a list, started and joined in loops by one variable `p` (argv:
the start method): no process is named after `p`."""

import multiprocessing
import sys


def work(i):
    print(f"worker {i}", flush=True)


if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[1])
    ps = [multiprocessing.Process(target=work, args=(i,)) for i in range(3)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
