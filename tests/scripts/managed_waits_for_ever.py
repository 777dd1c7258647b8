"""A process holds a Manager's lock and waits for an item on a Manager's queue that
nobody will put, while the script joins it (the Manager's server process waits for
requests all along: it is no one who could wake it)."""

import multiprocessing


def consume(L, Q):
    with L:
        print("got", Q.get(), flush=True)


if __name__ == "__main__":
    with multiprocessing.Manager() as manager:
        L = manager.Lock()
        Q = manager.Queue()
        C = multiprocessing.Process(target=consume, args=(L, Q))
        C.start()
        C.join()
