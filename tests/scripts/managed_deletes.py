"""Keys, attributes and items that come and go in a Manager's dict, Namespace and list:
the main program puts three tasks in a dict, each worker takes its own out and notes
it done, and keeps a log; a dict and a list made with contents (argv: the start
method)."""

import multiprocessing
import sys


def work(i, tasks, done, log, status):
    tasks.pop(f"task{i}")
    done[f"task{i}"] = i
    log.append(i)
    log.extend([i, i])
    log += [i]
    log.insert(0, i)
    log.remove(i)
    log.pop()
    del log[0]  # (two items of each worker's six are left)
    if i == 0:
        del status.busy


if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[1])
    with multiprocessing.Manager() as manager:
        tasks, done, scratch = manager.dict(), manager.dict(), manager.dict()
        log, status = manager.list(), manager.Namespace()
        seeded, primed = manager.dict({"x": 1, "y": 2}, z=3), manager.list(["a", "b"])
        tasks.update({"task0": 0, "task1": 1, "task2": 2})
        tasks.setdefault("spare", -1)
        status.busy = True
        status.started = 3
        workers = [multiprocessing.Process(target=work, args=(i, tasks, done, log, status))
                   for i in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        tasks.popitem()  # (the spare: the dict is empty)
        done["tmp"] = 0
        del done["tmp"]
        scratch["a"], scratch["b"] = 1, 2
        scratch.clear()
        seeded.pop("x")  # (made with three keys: two left)
        primed.append("c")  # (made with two items: three)
        print(sorted(done.items()), len(log), len(tasks), len(scratch),
              sorted(vars(status._getvalue())), len(seeded), len(primed), flush=True)
