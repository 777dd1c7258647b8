"""Two processes take two locks in opposite orders: each holds one and waits for the
other for ever."""

import multiprocessing
import time


def take(first, second):
    with first:
        time.sleep(0.2)
        with second:
            print("never printed", flush=True)


if __name__ == "__main__":
    L1 = multiprocessing.Lock()
    L2 = multiprocessing.Lock()
    A = multiprocessing.Process(target=take, args=(L1, L2))
    B = multiprocessing.Process(target=take, args=(L2, L1))
    A.start()
    B.start()
    A.join()
    B.join()
