"""terminate() a process whose main thread waits on a lock while a thread of its own
takes the SIGTERM: it must end as it does untraced (-15). argv[1]: the start method."""
import multiprocessing as mp
import os
import signal
import sys
import threading


def blocked(lock, tell):
    helper = threading.Thread(target=threading.Event().wait, daemon=True)
    helper.start()
    tell.send(helper.native_id)
    lock.acquire()  # held by the parent: only a signal ends this wait


def main_thread_waits(pid):
    """Whether the process's main thread sleeps (is blocked in the lock)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "S"
    except OSError:
        return True  # no /proc: go on


if __name__ == "__main__":
    ctx = mp.get_context(sys.argv[1])
    lock = ctx.Lock()
    lock.acquire()
    receive, tell = ctx.Pipe(duplex=False)
    p = ctx.Process(target=blocked, args=(lock, tell))
    p.start()
    helper = receive.recv()
    while not main_thread_waits(p.pid):
        pass
    os.kill(helper, signal.SIGTERM)  # a thread's id: that thread takes the signal
    p.join(20)
    print("exit code", p.exitcode)
    if p.exitcode is None:
        p.kill()
        p.join()
