"""The supervisor of a traced script (Linux): the parent of the script and, as a child
subreaper, of every process that escapes it — so that nothing outlives a run.

mpgui (``ScriptRunner``) starts ``python -I -S supervisor.py FD MPGUI_PID LINGER --
python SCRIPT ARGS``; this program then

- asks the kernel for a SIGTERM when mpgui dies (``PR_SET_PDEATHSIG``; checked against
  a death before the request), and to be the child subreaper of its descendants
  (``PR_SET_CHILD_SUBREAPER``): a process that leaves the script's session (``setsid``,
  a double fork, ``Popen(start_new_session=True)``) or whose parent ends is reparented
  here instead of to init, so every process of the run stays a descendant, known;
- starts the script (in a session of its own) and reports its pid and exit code to
  mpgui over the socket FD: lines ``pid N``, ``exit CODE`` (negative: a signal),
  ``left N`` (processes still running when the script ended);
- once the script's own process ended, gives the processes it left behind LINGER
  seconds, then ends them; on ``stop GRACE`` from mpgui, on mpgui's death (SIGTERM,
  EOF on FD) or on SIGTERM/SIGHUP, ends every descendant: SIGTERM, then after GRACE
  SIGKILL, repeated until none is left (a process forking while it dies);
- reaps every descendant and exits once none is left: the end of the run.

It signals only processes found below it in /proc a moment before, through a pidfd
opened and then checked again (its parent is still the one found), and never reaps a
process before it is done with it: a pid it holds cannot be handed to another process.
The script's processes do not carry any of this: it is standard library only and
imports nothing of mpgui (``-I`` keeps the tracing bootstrap off this interpreter).
"""

from __future__ import annotations

import os
import select
import sys
import time

# Every traced run waits for this program to start its script: it imports only what
# it needs, and the cheapest form of it (`signal` is `_signal` with enums, 1.3 ms more;
# `contextlib` 2.5 ms).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal
else:
    import _signal as signal

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
DEFAULT_GRACE_S = 1.0  # SIGTERM -> SIGKILL when the stop did not say (mpgui died)
KILL_AGAIN_S = 0.2  # SIGKILL rounds while some descendant is left


def available() -> bool:
    """Whether runs can be supervised here (Linux: prctl and /proc)."""
    return sys.platform.startswith("linux") and os.path.isdir("/proc/self")


def _prctl(option: int, value: int) -> bool:
    import ctypes  # only here, in the supervisor: no traced process loads ctypes for it

    libc = ctypes.CDLL(None, use_errno=True)
    result: int = libc.prctl(option, value, 0, 0, 0)
    return result == 0


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of `pid`, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rfind(b")") + 2:].split()  # after "pid (name) "; a name may hold ")"
    return fields[0].decode(), int(fields[1])


def _children_by_parent() -> dict[int, list[int]]:
    """Every process's children, from /proc (/proc/PID/task/*/children is not in every
    kernel; the parent field of each process's stat is)."""
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = _stat(int(name))
            if st is not None:
                kids.setdefault(st[1], []).append(int(name))
    return kids


def descendants(root: int | None = None) -> list[tuple[int, int]]:
    """(pid, parent pid) of every process below `root` (this process), parents first."""
    root = os.getpid() if root is None else root
    kids = _children_by_parent()
    out: list[tuple[int, int]] = []
    todo = [root]
    while todo:
        parent = todo.pop()
        for pid in kids.get(parent, ()):
            out.append((pid, parent))
            todo.append(pid)
    return out


def _signal(pid: int, parent: int, sig: int) -> bool:
    """Send `sig` to `pid` if it is still the child of `parent` found a moment ago and
    alive; whether it was."""
    if hasattr(os, "pidfd_open"):
        try:
            fd = os.pidfd_open(pid)
        except OSError:
            return False  # gone
        try:
            st = _stat(pid)  # read after the pidfd: the pidfd is this very process
            if st is None or st[1] != parent or st[0] in "ZX":
                return False
            signal.pidfd_send_signal(fd, sig)
            return True
        except OSError:
            return False
        finally:
            os.close(fd)
    st = _stat(pid)
    if st is None or st[1] != parent or st[0] in "ZX":
        return False
    try:
        os.kill(pid, sig)
    except OSError:
        return False
    return True


def signal_all(sig: int) -> int:
    """Send `sig` to every live descendant; how many got it."""
    return sum(_signal(pid, parent, sig) for pid, parent in descendants())


class Supervisor:
    """One run: the script, its descendants, mpgui's link."""

    def __init__(self, fd: int, mpgui: int, linger_s: float, command: list[str]) -> None:
        self.fd, self.mpgui, self.linger_s, self.command = fd, mpgui, linger_s, command
        self.root: int | None = None
        self.root_done = False
        self.linger_until: float | None = None
        self.kill_at: float | None = None  # set while stopping
        self.linked = True  # mpgui's link is open
        self._buf = b""

    def tell(self, line: str) -> None:
        """A line to mpgui; lost if mpgui is gone."""
        try:  # (not contextlib.suppress: see the imports)
            os.write(self.fd, line.encode() + b"\n")
        except OSError:
            return

    def stop(self, grace_s: float) -> None:
        """SIGTERM to every descendant now, SIGKILL after `grace_s`."""
        if self.kill_at is not None:
            self.kill_at = min(self.kill_at, time.monotonic() + grace_s)
            return
        self.kill_at = time.monotonic() + grace_s
        signal_all(signal.SIGTERM)

    def run(self) -> int:
        os.set_inheritable(self.fd, False)
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        os.set_blocking(wake_r, False)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_a: None)
        dying: list[int] = []
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, lambda signum, _f: dying.append(signum))
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl+C is mpgui's
        # mpgui's death (even a SIGKILL) sends SIGTERM here; if it died already, stop.
        if not _prctl(PR_SET_PDEATHSIG, signal.SIGTERM) or os.getppid() != self.mpgui:
            return 1
        if not _prctl(PR_SET_CHILD_SUBREAPER, 1):
            self.tell("error cannot become a child subreaper")
        restore = (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT)
        try:  # as subprocess would: default signals, no mask, a session of its own
            self.root = os.posix_spawn(self.command[0], self.command, os.environ,
                                       setsid=True, setsigdef=restore, setsigmask=())
        except OSError as exc:
            self.tell(f"error {exc}")
            return 1
        self.tell(f"pid {self.root}")
        while True:
            if not self._reap():
                return 0
            now = time.monotonic()
            if dying:
                dying.clear()
                self.stop(DEFAULT_GRACE_S)
            if self.linger_until is not None and now >= self.linger_until:
                self.linger_until = None
                self.tell(f"left {len(descendants())}")
                self.stop(DEFAULT_GRACE_S)
            if self.kill_at is not None and now >= self.kill_at:
                signal_all(signal.SIGKILL)
                self.kill_at = now + KILL_AGAIN_S
            due = [t for t in (self.linger_until, self.kill_at) if t is not None]
            timeout = max(0.0, min(due) - now) if due else None
            try:
                watched = [self.fd, wake_r] if self.linked else [wake_r]
                ready, _w, _x = select.select(watched, [], [], timeout)
            except InterruptedError:
                continue
            if wake_r in ready:
                while True:
                    try:
                        if not os.read(wake_r, 512):
                            break
                    except BlockingIOError:
                        break
            if self.fd in ready:
                self._from_mpgui()

    def _reap(self) -> bool:
        """Reap every child that ended; False once no child is left."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return False
            if pid == 0:
                return True
            if pid == self.root:
                self.root_done = True
                self.tell(f"exit {os.waitstatus_to_exitcode(status)}")
                if self.kill_at is None:
                    self.linger_until = time.monotonic() + self.linger_s

    def _from_mpgui(self) -> None:
        try:
            data = os.read(self.fd, 4096)
        except OSError:
            data = b""
        if not data:  # mpgui is gone (or closed the link): end the run
            self.stop(DEFAULT_GRACE_S)
            self.linked = False  # (at its end the link would always be readable)
            return
        self._buf += data
        *lines, self._buf = self._buf.split(b"\n")
        for line in lines:
            word, _, arg = line.decode("ascii", "replace").partition(" ")
            if word == "stop":
                try:
                    grace = float(arg)
                except ValueError:
                    grace = DEFAULT_GRACE_S
                self.stop(max(0.0, min(grace, 60.0)))


def main(argv: list[str]) -> int:
    """``supervisor.py FD MPGUI_PID LINGER_S -- COMMAND...``"""
    try:
        sep = argv.index("--")
        fd, mpgui, linger = int(argv[0]), int(argv[1]), float(argv[2])
    except (ValueError, IndexError):
        print("usage: supervisor.py FD MPGUI_PID LINGER_S -- COMMAND...", file=sys.stderr)
        return 2
    return Supervisor(fd, mpgui, linger, argv[sep + 1:]).run()


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stderr.flush()
    os._exit(code)  # (the run ends when this process does: no finalising wanted)
