"""The script itself fails: argv[1] "raise" (a traceback, exit 1) or a number to exit
with, after a child has run."""
import multiprocessing as mp
import sys


def hello():
    print("child ran")


if __name__ == "__main__":
    P = mp.Process(target=hello, name="child")
    P.start()
    P.join()
    if sys.argv[1] == "raise":
        raise RuntimeError("the script failed")
    sys.exit(int(sys.argv[1]))
