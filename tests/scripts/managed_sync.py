"""A Manager's queue, lock, semaphore, event, condition, barrier and joinable queue,
used by two processes as multiprocessing's own would be (argv: the start method)."""

import multiprocessing
import sys


def produce(Q, L, sem, go, cond, barrier, tasks):
    go.wait()
    for i in range(3):
        with L:
            Q.put(f"item {i}")
    with sem:
        tasks.put("job")
    barrier.wait()
    with cond:
        cond.notify_all()


def consume(Q, L, sem, go, cond, barrier, tasks):
    go.wait()
    for _ in range(3):
        print("got", Q.get(), flush=True)
    tasks.get()
    with sem:
        tasks.task_done()
    barrier.wait()


if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[1] if len(sys.argv) > 1 else "spawn")
    with multiprocessing.Manager() as manager:
        Q = manager.Queue()
        L = manager.Lock()
        sem = manager.Semaphore(1)
        go = manager.Event()
        cond = manager.Condition()
        barrier = manager.Barrier(2)
        tasks = manager.JoinableQueue()
        args = (Q, L, sem, go, cond, barrier, tasks)
        P = multiprocessing.Process(target=produce, args=args)
        C = multiprocessing.Process(target=consume, args=args)
        P.start()
        C.start()
        go.set()
        tasks.join()
        P.join()
        C.join()
