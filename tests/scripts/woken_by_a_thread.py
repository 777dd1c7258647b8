"""A process waits for an event that a thread of the script sets 1.5 s later, while the
script joins the process: a long wait, but no deadlock."""

import multiprocessing
import threading
import time


def wait_for(go):
    go.wait()
    print("released", flush=True)


def later(go):
    time.sleep(1.5)
    go.set()


if __name__ == "__main__":
    go = multiprocessing.Event()
    P = multiprocessing.Process(target=wait_for, args=(go,))
    P.start()
    threading.Thread(target=later, args=(go,)).start()
    P.join()
