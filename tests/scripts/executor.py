"""ProcessPoolExecutor with two workers. argv[1]: the start method."""
import multiprocessing as mp
import sys
from concurrent.futures import ProcessPoolExecutor


def cube(x):
    print(f"cube {x}")
    return x ** 3


if __name__ == "__main__":
    with ProcessPoolExecutor(2, mp_context=mp.get_context(sys.argv[1])) as ex:
        print("total", sum(ex.map(cube, range(4))))
