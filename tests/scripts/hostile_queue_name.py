"""A deadlock on a queue no variable holds, whose class the script renamed to terminal
control codes: the name mpgui gives it ("<class name> 1") carries them."""

import multiprocessing
import multiprocessing.queues


def consume(queues):
    print(queues[0].get(), flush=True)


if __name__ == "__main__":
    multiprocessing.queues.Queue.__name__ = "\x1b[2J\x1b]0;pwned\x07Q"
    queues = [multiprocessing.Queue()]
    C = multiprocessing.Process(target=consume, args=(queues,))
    C.start()
    C.join()
