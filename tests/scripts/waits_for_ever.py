"""A consumer waits for an item nobody will put, while the script joins it."""

import multiprocessing


def consume(q):
    print("got", q.get(), flush=True)


if __name__ == "__main__":
    Q = multiprocessing.Queue()
    C = multiprocessing.Process(target=consume, args=(Q,))
    C.start()
    C.join()
