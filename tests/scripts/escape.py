"""Makes processes that try to outlive the run, then exits at once or never.

argv: HOW N UPDIR THEN
  HOW   setsid  - N forked children that leave the session (os.setsid())
        daemon  - N double-fork daemons (setsid, fork again, the middle one exits)
        popen   - N subprocess.Popen(..., start_new_session=True) Python processes
        mpfork  - N multiprocessing.Process with fork
        rawfork - N raw os.fork() children
        deaf    - N forked children that leave the session and ignore SIGTERM
  UPDIR each lasting process creates UPDIR/<pid> once it is up
  THEN  exit  - the script's own process exits (os._exit(0)) once all are up
        wait  - it waits forever
Every process it makes sleeps forever.
"""
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time

HOLD = "import os, sys, time\nopen(os.path.join(sys.argv[1], str(os.getpid())), 'w').close()\n" \
       "while True:\n    time.sleep(1)\n"


def up(updir):
    open(os.path.join(updir, str(os.getpid())), "w").close()


def forever(updir, deaf=False):
    if deaf:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    up(updir)
    while True:
        time.sleep(1)


def fork_then(fn, *args):
    """In a raw forked child: fn(*args), never returning."""
    if os.fork() == 0:
        try:
            fn(*args)
        finally:
            os._exit(0)


def leave(updir, deaf=False):
    os.setsid()
    forever(updir, deaf)


def daemon(updir):
    os.setsid()
    if os.fork() == 0:
        forever(updir)
    os._exit(0)  # the middle process: its child is an orphan in a session of its own


def main():
    how, n, updir, then = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    keep = []
    for _ in range(n):
        if how == "setsid":
            fork_then(leave, updir)
        elif how == "deaf":
            fork_then(leave, updir, True)
        elif how == "daemon":
            fork_then(daemon, updir)
        elif how == "rawfork":
            fork_then(forever, updir)
        elif how == "popen":
            keep.append(subprocess.Popen([sys.executable, "-c", HOLD, updir],
                                         start_new_session=True))
        elif how == "mpfork":
            p = mp.get_context("fork").Process(target=forever, args=(updir,))
            p.start()
            keep.append(p)
        else:
            raise SystemExit(f"unknown: {how}")
    while len(os.listdir(updir)) < n:
        time.sleep(0.01)
    print("all up", flush=True)
    if then == "exit":
        os._exit(0)  # no implicit join, no cleanup: the processes are left behind
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
