"""Three processes write their squares into a Manager's Array (argv: the start
method)."""

import multiprocessing
import sys


def square(squares, i):
    squares[i] = i * i


if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[1])
    with multiprocessing.Manager() as manager:
        squares = manager.Array("i", [0, 0, 0])
        workers = [multiprocessing.Process(target=square, args=(squares, i))
                   for i in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        print(list(squares), flush=True)
