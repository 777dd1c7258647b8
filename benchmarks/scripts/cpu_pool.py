"""A CPU-bound pool: the overhead benchmark's script. argv[1]: start method, argv[2]:
tasks, argv[3]: iterations per task."""
import multiprocessing as mp
import sys


def work(n):
    acc = 0
    for i in range(n):
        acc = (acc * 48271 + i) % 2147483647
    return acc


if __name__ == "__main__":
    with mp.get_context(sys.argv[1]).Pool(2) as pool:
        print(sum(pool.map(work, [int(sys.argv[3])] * int(sys.argv[2]))))
