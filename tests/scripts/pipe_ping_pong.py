"""A ping-pong through a Pipe: the parent sends, the child answers (argv: the start
method)."""

import multiprocessing
import sys


def answer(conn, n):
    for _ in range(n):
        conn.send(("pong", conn.recv()))


if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[1] if len(sys.argv) > 1 else "spawn")
    parent_conn, child_conn = multiprocessing.Pipe()
    B = multiprocessing.Process(target=answer, args=(child_conn, 3))
    B.start()
    for i in range(3):
        parent_conn.send(i)
        print(parent_conn.recv(), flush=True)
    B.join()
