"""Workers write cells of a ShareableList (shared memory), one made directly and one by
a SharedMemoryManager (argv: the start method)."""

import multiprocessing
import sys
from multiprocessing.managers import SharedMemoryManager
from multiprocessing.shared_memory import ShareableList


def square(k, cells, more):
    cells[k] = k * k
    more[k] = -k


if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[1])
    cells = ShareableList([0, 0, 0])
    with SharedMemoryManager() as smm:
        more = smm.ShareableList([0, 0, 0])
        workers = [multiprocessing.Process(target=square, args=(k, cells, more))
                   for k in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        print(list(cells), list(more), flush=True)
    cells.shm.close()
    cells.shm.unlink()
