"""A Queue and a Manager (whose server is a process too). argv[1]: the start method."""
import multiprocessing as mp
import sys


def produce(q, n):
    for i in range(n):
        q.put(i)
    q.put(None)


def record(shared, key):
    shared[key] = key * 10


if __name__ == "__main__":
    ctx = mp.get_context(sys.argv[1])
    q = ctx.Queue()
    producer = ctx.Process(target=produce, args=(q, 5), name="producer")
    producer.start()
    got = list(iter(q.get, None))
    producer.join()
    print("queue got", got)
    with ctx.Manager() as manager:
        shared = manager.dict()
        workers = [ctx.Process(target=record, args=(shared, k), name=f"w{k}")
                   for k in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        print("manager got", dict(sorted(shared.items())))
