"""The main program and a process both wait to receive on the two ends of one pipe
(argv: "pipe"); or the main program waits in a JoinableQueue's join() for a task_done()
the process that put the item never calls, once it has ended (argv: "tasks")."""

import multiprocessing
import sys


def receive(end):
    print("got", end.recv(), flush=True)


def put_one(tasks):
    tasks.put("job")


if __name__ == "__main__":
    if sys.argv[1] == "pipe":
        parent_end, child_end = multiprocessing.Pipe()
        P = multiprocessing.Process(target=receive, args=(child_end,))
        P.start()
        print("got", parent_end.recv(), flush=True)
        P.join()
    else:
        tasks = multiprocessing.JoinableQueue()
        P = multiprocessing.Process(target=put_one, args=(tasks,))
        P.start()
        print("got", tasks.get(), flush=True)
        tasks.join()
        P.join()
