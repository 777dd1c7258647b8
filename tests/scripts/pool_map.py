"""Pool.map over two workers. argv[1]: the start method."""
import multiprocessing as mp
import os
import sys


def square(x):
    print(f"square {x} in {os.getpid()}")
    return x * x


if __name__ == "__main__":
    with mp.get_context(sys.argv[1]).Pool(2) as pool:
        print("sum", sum(pool.map(square, range(6))))
