"""A producer puts an item bigger than a pipe holds; the script joins it before getting
the item — the producer's exit waits for the item to go into the pipe, which nobody
reads: a deadlock (argv: the start method; "drain" to get the item first, 0.3 s late)."""

import multiprocessing
import sys
import time


def produce(q):
    q.put("x" * 1_000_000)


if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[1])
    Q = multiprocessing.Queue()
    P = multiprocessing.Process(target=produce, args=(Q,))
    P.start()
    if sys.argv[2:] == ["drain"]:
        time.sleep(0.3)  # (the producer ends meanwhile, waiting for its item to go)
        print(len(Q.get()), flush=True)
    P.join()
    print(len(Q.get()) if sys.argv[2:] != ["drain"] else "joined", flush=True)
