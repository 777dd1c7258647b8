"""End multiprocessing's helper processes: the forkserver and the resource tracker.

multiprocessing starts both on first need and never stops them: each ends by itself
when it reads end-of-file from the pipe its starter holds, that is once the starter has
exited. In a frozen app a helper is the app's own executable, which takes seconds to
start up before it can notice — so a short-lived command (``mpgui --selftest``) would
exit with its helpers still running for ~3 s. :func:`stop_helpers` closes those pipes
and waits for both to end, so that nothing of the command outlives it.
"""

from __future__ import annotations

import os
import signal
import sys
import time

GRACE_S = 10  # a frozen helper still starting up needs ~3 s on a busy machine


def stop_helpers() -> None:
    """Stop this process's forkserver, then its resource tracker (the forkserver holds
    the tracker's pipe too, so it goes first), and reap both; one that has not ended
    within GRACE_S (a child of the run still holding the tracker's pipe) is killed.
    Nothing if they were never started, or if this CPython names them otherwise (3.11
    to 3.13 keep them as below): then they end by themselves, as before."""
    forkserver = getattr(sys.modules.get("multiprocessing.forkserver"), "_forkserver", None)
    if forkserver is not None:
        with forkserver._lock:
            _end(forkserver, "_forkserver_alive_fd", "_forkserver_pid")
    tracker = getattr(sys.modules.get("multiprocessing.resource_tracker"),
                      "_resource_tracker", None)
    if tracker is not None:
        with tracker._lock:
            _end(tracker, "_fd", "_pid")


def _end(helper: object, fd_name: str, pid_name: str) -> None:
    """Close `helper`'s alive pipe (it exits on end-of-file) and reap its process."""
    fd, pid = getattr(helper, fd_name, None), getattr(helper, pid_name, None)
    if fd is None or pid is None:
        return
    os.close(fd)
    setattr(helper, fd_name, None)
    setattr(helper, pid_name, None)  # multiprocessing starts a new one if asked again
    deadline = time.monotonic() + GRACE_S
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:  # already reaped
            return
        time.sleep(0.02)  # polling its end: no blocking wait can time out
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
