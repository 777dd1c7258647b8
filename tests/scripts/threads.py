"""Threads in the main process and in a child. argv[1]: the start method."""
import multiprocessing as mp
import sys
import threading
import time


def nap(label):
    time.sleep(0.1)
    print(f"{label} woke")


def child():
    t = threading.Thread(target=nap, args=("child thread",), name="helper")
    t.start()
    t.join()


if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    P = mp.Process(target=child, name="with-thread")
    P.start()
    ts = [threading.Thread(target=nap, args=(f"main thread {k}",), name=f"napper {k}")
          for k in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    P.join()
