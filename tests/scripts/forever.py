"""Never ends: argv[2] children that sleep forever, one of them deaf to SIGTERM.
argv[1]: the start method."""
import multiprocessing as mp
import signal
import sys
import time


def forever(deaf):
    if deaf:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    print("up", flush=True)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    for k in range(int(sys.argv[2])):
        mp.Process(target=forever, args=(k == 0,), name=f"sleeper {k}").start()
    while True:
        time.sleep(1)
