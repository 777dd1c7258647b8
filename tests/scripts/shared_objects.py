"""A script that shares every kind of object mpgui traces: a producer and a consumer
on a Queue, a Lock taken in turn, an Event as a starting gun, a JoinableQueue with
task_done, a Semaphore, a Condition, a Barrier, a SimpleQueue, an RLock taken twice
and a BoundedSemaphore. The start method is its first argument."""

import multiprocessing
import sys
import time


def producer(q, n):
    for i in range(n):
        q.put(f"item {i}")
        time.sleep(0.02)


def consumer(q, lock, n):
    for _ in range(n):
        item = q.get()
        with lock:
            print("got", item, flush=True)
            time.sleep(0.01)


def racer(go, sem, done):
    go.wait()
    with sem:
        time.sleep(0.02)
    done.put("finished")


def worker(tasks, barrier, cond):
    item = tasks.get()
    tasks.task_done()
    barrier.wait()
    with cond:
        cond.notify_all()
    print("worker did", item, flush=True)


if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[1] if len(sys.argv) > 1 else "spawn")
    Q = multiprocessing.Queue()
    L = multiprocessing.Lock()
    go = multiprocessing.Event()
    sem = multiprocessing.Semaphore(1)
    done = multiprocessing.SimpleQueue()
    tasks = multiprocessing.JoinableQueue()
    barrier = multiprocessing.Barrier(2)
    cond = multiprocessing.Condition()
    P = multiprocessing.Process(target=producer, args=(Q, 4))
    C = multiprocessing.Process(target=consumer, args=(Q, L, 4))
    R1 = multiprocessing.Process(target=racer, args=(go, sem, done))
    R2 = multiprocessing.Process(target=racer, args=(go, sem, done))
    W = multiprocessing.Process(target=worker, args=(tasks, barrier, cond))
    nested = multiprocessing.RLock()
    with nested, nested:  # (its holder may take it again)
        pass
    places = multiprocessing.BoundedSemaphore(2)
    with places:
        pass
    for p in (P, C, R1, R2, W):
        p.start()
    time.sleep(0.1)
    go.set()
    tasks.put("a task")
    tasks.join()
    barrier.wait()
    print(done.get(), done.get(), flush=True)
    for p in (P, C, R1, R2, W):
        p.join()
