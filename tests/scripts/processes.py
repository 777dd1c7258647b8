"""Processes that end in every way: print, exit 0, crash, sys.exit(3); the parent
joins two of them explicitly and the rest at its end. argv[1]: the start method."""
import multiprocessing as mp
import sys
import time


def talk(n):
    for i in range(n):
        time.sleep(0.05)
        print(f"talk {i}")


def crash():
    time.sleep(0.05)
    raise ValueError("boom")


def leave(code):
    time.sleep(0.4)  # still running when the script ends: joined then
    sys.exit(code)


if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    T = mp.Process(target=talk, args=(3,), name="talker")
    X = mp.Process(target=crash, name="crasher")
    E = mp.Process(target=leave, args=(3,), name="leaver")
    T.start()
    X.start()
    E.start()
    T.join()
    X.join()
    print("parent saw", X.exitcode)
