"""The ScriptRunner: runs a user's Python script unmodified and traces every process it
makes, live, into a TraceStore — the same store, chart and exports as a scenario.

The script runs as ``python SCRIPT.py ARGS`` would (its arguments, working directory
and ``__main__``, stdin closed), in a session of its own. On Linux its parent is a small
``supervisor`` (a child subreaper): every process the script makes stays below it,
even one that leaves the session, so Stop, the script's end and mpgui's own end (even
a SIGKILL) end them all; the run ends when the supervisor has reaped the last of them.
Elsewhere Stop signals the script's session and every process that reported. Its
processes connect to a socket this runner listens on (see ``agent``); which of their
threads runs, waits for a core or is blocked is sampled from the kernel (``sampler``).
It is a `run.LiveRun`, as the Runner is.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from mpgui.i18n import _
from mpgui.model.scenario import About
from mpgui.runtime.parent.others import OthersSampler
from mpgui.runtime.parent.run_loop import STOP_GRACE_S, RunLoop
from mpgui.runtime.parent.watch import Watch
from mpgui.runtime.protocol import Kind, State
from mpgui.runtime.script import agent, supervisor
from mpgui.runtime.script.sampler import Sampler, available
from mpgui.runtime.session.record import RunRecord
from mpgui.runtime.session.run import Status
from mpgui.runtime.store.deadlock import DeadlockWatch
from mpgui.runtime.store.events import KEEP, TRACED, EventKind, add_traced, register
from mpgui.runtime.store.joins import Join
from mpgui.runtime.store.trace import UNOBSERVED, TraceStore

if TYPE_CHECKING:
    from mpgui.runtime.protocol import Batch

SAMPLE_NS = 10_000_000  # how often the kernel is asked what each thread does
# Processes shown at most; more (a fork bomb) run untraced and are counted.
MAX_LANES = 256
# After the script's own process ended, how long its orphans may go on before they are
# stopped (nothing outlives a run).
LINGER_NS = 1_000_000_000
# After the supervisor ended, how long reports may take to be read (they are all sent).
DRAIN_NS = 2_000_000_000
# How much longer than the grace a Stop may take before the supervisor itself is killed.
SUPERVISOR_SLACK_S = 3.0
BOOT_DIR = Path(__file__).with_name("trace_boot")
# A connection must prove it is the script's (send the token) within this time, or it is
# dropped: a peer that connects and says nothing holds no resource for long. Real
# processes send the token with their connect, so only a stranger ever waits.
AUTH_TIMEOUT_NS = 10_000_000_000
# Connections still to prove themselves, at most; beyond, the oldest is dropped.
MAX_UNPROVEN = 64
_now = time.perf_counter_ns


def supervisor_command() -> list[str]:
    """The command that starts the supervisor: this Python, isolated (no PYTHON*
    variables: the tracing bootstrap stays out of it; no site), or the frozen app."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--supervise"]
    return [sys.executable, "-I", "-S", str(Path(supervisor.__file__).resolve())]


def interpreter() -> list[str]:
    """The command that runs a Python script here: this Python, or a frozen app itself
    (its ``--python-script`` mode)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--python-script"]
    return [sys.executable]


def script_about(path: Path) -> About:
    """What the explanation pane says while a script's run is shown."""
    return About(
        title=_("Your script: {name}").format(name=path.name),
        explanation=_("mpgui runs {path} unmodified, as “python {name}” in its folder "
                      "would, and draws every process it makes — Process, Pool and "
                      "ProcessPoolExecutor workers — with their threads, cores, printed "
                      "lines, joins and exit codes. The scenario in the table is "
                      "unchanged; Run Script Again (Ctrl+Shift+F5) repeats this "
                      "script.").format(path=path, name=path.name),
        notice=_("Names come from your code: “A (worker)” is the process named worker that "
                 "your variable A holds. Grey “waiting” is any wait — in join(), for a "
                 "lock, a queue, I/O or the GIL — the kernel does not say which."))


@dataclass
class _Link:
    """One traced process's connection.

    Until the peer has sent the token, `conn` is the raw non-blocking socket and
    `unproven` holds the bytes read so far: nothing it sends is unpickled before then."""

    conn: Any  # a Connection once proven; the raw socket before
    unproven: bytearray | None = None
    since: int = 0  # when it was accepted
    pid: int = 0
    lane: int | None = None  # None until its hello; -1 when refused
    blocked: dict[int, bool] = field(default_factory=dict)  # lane -> in sleep()/join()
    joins: dict[tuple[int, int], Join] = field(default_factory=dict)  # (waiter, pid)

    @property
    def own_lane(self) -> int:
        """The process's lane: known once its hello was accepted, before any batch."""
        assert self.lane is not None and self.lane >= 0, "no batch before the hello"
        return self.lane


class ScriptRunner(RunLoop):
    """Runs one script once. Use as a context manager, or call stop(), so that none of
    its processes outlives it."""

    backend_name = "processes"
    # "AF_UNIX" or "AF_INET"; None: a Unix socket where there is one, else TCP on
    # 127.0.0.1 (Windows). Tests set AF_INET to try the Windows path on Linux.
    socket_family: str | None = None

    def __init__(self, script: Path | str, args: list[str] | tuple[str, ...] = (), *,
                 cwd: Path | str | None = None, output: TextIO | int | None = None,
                 errors: TextIO | int | None = None, store: TraceStore | None = None) -> None:
        self.script = Path(script).resolve()
        self.args = list(args)
        self.cwd = Path(cwd) if cwd is not None else Path.cwd()
        # Where the script's stdout and stderr go: None = inherited, else a file.
        self._output, self._errors = output, errors
        self.store = store if store is not None else TraceStore()
        self.store.backend = self.backend_name
        self.store.info["script"] = self.script.name
        self.sampling = available()
        if not self.sampling:
            self.store.info[UNOBSERVED] = _("this system does not tell which core a "
                                            "process runs on, nor when it waits for one")
        self.main_lane = self.store.add_lane("main", "main program", "main")
        self.status = Status.READY
        self.exit_code: int | None = None  # the script's, once it ended
        self.untraced = 0  # processes over MAX_LANES
        self.steps_pending = False
        self.watch = Watch()
        self.proc: subprocess.Popen[bytes] | None = None
        self._listener: socket.socket | None = None
        self._dir: str | None = None
        self._token = secrets.token_hex(16)
        # What a connection must send first, as Connection.send_bytes(token) frames it.
        self._proof = agent.token_frame(self._token)
        self._links: list[_Link] = []
        self._lane_of_pid: dict[int, int] = {}
        self._pids: set[int] = set()
        # Variables that held more than one process at its start() (a loop's `p`):
        # they name none of them.
        self._shared_vars: set[str] = set()
        # The lanes of Manager servers: they act only when asked (`_live_lanes`).
        self._servers: set[int] = set()
        self._sampler = Sampler()
        self._next_sample = 0
        self.others_sampler: OthersSampler = OthersSampler(self.store, self.pids)  # others' CPU
        self._deadlocks = DeadlockWatch()  # (the script's shared objects: `shared_patches`)
        self._kill_at = 0
        self._root_ended_at: int | None = None
        # Linux: the supervisor (self.proc), its link and what it said.
        self._supervised = supervisor.available()
        self._chan: socket.socket | None = None
        self._said = b""
        self.root_pid: int | None = None  # the script's own process
        self._gone_at: int | None = None  # when the supervisor (the whole tree) ended

    # -- public ------------------------------------------------------------------------

    @property
    def label(self) -> str:
        """What the status bar calls the run: the script's file name."""
        return self.script.name

    @property
    def name(self) -> str:
        """The script's file name."""
        return self.script.name

    def details(self) -> list[str]:
        """The script's exit code, in words."""
        return [_("exit code {code}").format(code=self.exit_code)]

    def plan(self) -> TraceStore | None:
        """None: a script's code is not known ahead, there is nothing to predict."""
        return None

    def about(self) -> About:
        """What the explanation pane says about a traced script."""
        return script_about(self.script)

    def as_record(self) -> RunRecord:
        """The run as the session keeps it."""
        return RunRecord.of_script(self.store, self.script,
                                   stopped=self.status is Status.STOPPED)

    def pids(self) -> list[int]:
        """The script's process and every process of it that reported."""
        root = {self.root_pid} if self.root_pid is not None else set()
        return sorted(root | self._pids)

    def start(self) -> None:
        """Start the script."""
        if self.status is not Status.READY:
            raise RuntimeError("a ScriptRunner runs its script once; make a new one")
        self.status = Status.RUNNING
        self.stopped_at_exit()
        t = _now()
        self.store.t0 = t
        self.store.set_state(self.main_lane, t, State.STARTING)
        self.others_sampler.begin(t)
        command = [*interpreter(), str(self.script), *self.args]
        pass_fds: tuple[int, ...] = ()
        try:
            env = self._listen()
            if self._supervised:
                ours, theirs = socket.socketpair()
                self._chan = ours
                pass_fds = (theirs.fileno(),)
                command = [*supervisor_command(), str(theirs.fileno()), str(os.getpid()),
                           str(LINGER_NS / 1e9), "--", *command]
            try:
                self.proc = subprocess.Popen(
                    command, cwd=self.cwd, env=env, stdin=subprocess.DEVNULL,
                    stdout=self._output, stderr=self._errors, pass_fds=pass_fds,
                    start_new_session=os.name == "posix")
            finally:
                if pass_fds:
                    theirs.close()
        except (OSError, ValueError) as exc:
            self.store.lanes[self.main_lane].error = (
                type(exc).__name__, _("could not start: {error}").format(error=exc), "")
            self._end(Status.STOPPED)
            return
        if self._chan is not None:
            self._chan.setblocking(False)
            self.watch.add(self._chan, ("supervisor", None))
        else:
            self.root_pid = self.proc.pid
            self.store.lanes[self.main_lane].pid = self.proc.pid

    def poll(self, budget_s: float = 0.004) -> None:
        """Accept and read the processes' reports for about `budget_s`, sample what
        their threads do, notice the end."""
        if self.status not in (Status.RUNNING, Status.STOPPING):
            return
        self._drain(_now() + int(budget_s * 1e9))
        now = _now()
        self._drop_unproven(now)
        if self.sampling and now >= self._next_sample:
            self._sample(now)
            self._next_sample = now + SAMPLE_NS
        self.others_sampler.tick(now)
        if self.store.records("shared"):  # (only a script that shares objects)
            self.deadlock = self._deadlocks.check(self.store, self._live_lanes(),
                                                  self._main_joining(), now, self.main_lane)
        self._check_end(now)

    def _live_lanes(self) -> list[int]:
        """The lanes of the script's processes and threads that started and have not
        ended, but the script's own main thread and Manager servers (which act only
        when asked): a thread may yet wake the others (set the event a process waits
        for), so only when each of them waits is nobody left."""
        left_out = {self.main_lane, *self._servers}
        for server in self._servers:
            left_out.update(self.store.threads_of(server))
        return [ln.index for ln in self.store.lanes if ln.end_t is None
                and ln.kind in ("process", "thread") and ln.index not in left_out]

    def _main_joining(self) -> str:
        """The process the script's own process waits for in join() without a timeout
        ("" if it waits for none)."""
        waiting = [j for j in self.store.joins if j.waiter == self.main_lane
                   and j.t_return is None and j.timeout_ns is None and not j.implicit]
        return self.store.lanes[waiting[-1].lane].var if waiting else ""

    def wait(self, timeout: float) -> None:
        """Block up to `timeout` s until a report comes, or the next sample is due."""
        if self.status not in (Status.RUNNING, Status.STOPPING):
            return
        if self.sampling:
            timeout = min(timeout, max(0.0, (self._next_sample - _now()) / 1e9))
        if self._listener is not None:
            self.watch.ready(timeout)
        else:
            time.sleep(min(timeout, 0.01))

    def request_stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """Begin stopping without blocking: SIGTERM to every process of the script now,
        SIGKILL to those left after `grace_s` (``poll()`` does it)."""
        if self.status is Status.READY:
            self._end(Status.STOPPED)
        if self.status is not Status.RUNNING:
            return
        self.status = Status.STOPPING
        self._kill_at = _now() + int(grace_s * 1e9)
        if self._supervised:
            # It ends every process of the run; if it cannot (stopped by the script
            # itself?), it is killed after a while: the run ends in any case.
            self._tell(f"stop {grace_s:g}")
            self._kill_at += int(SUPERVISOR_SLACK_S * 1e9)
            return
        self._signal(signal.SIGTERM)

    # -- starting ------------------------------------------------------------------------

    def _listen(self) -> dict[str, str]:
        """Open the socket the script's processes report to; the environment that
        tells them where it is and installs the agent."""
        env = dict(os.environ)
        family = self.socket_family or (
            "AF_UNIX" if hasattr(socket, "AF_UNIX") and os.name == "posix" else "AF_INET")
        if family == "AF_UNIX":
            # Private: mkdtemp makes it mode 0700, so only this user can connect.
            self._dir = tempfile.mkdtemp(prefix="mpgui-trace-")
            address = os.path.join(self._dir, "s")
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.bind(address)
            env[agent.ENV_FAMILY] = "AF_UNIX"
        else:
            # Any local user can connect to it: only this machine can (loopback), and
            # only a peer that sends the token is read (see _prove).
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            address = f"127.0.0.1:{sock.getsockname()[1]}"
            env[agent.ENV_FAMILY] = "AF_INET"
        sock.listen(128)
        sock.setblocking(False)
        self._listener = sock
        self.watch.add(sock, ("accept", None))
        env[agent.ENV_ADDRESS] = address
        env[agent.ENV_TOKEN] = self._token
        env[agent.ENV_ROOT] = "1"
        env["MPGUI_TRACE_PATH"] = str(Path(agent.__file__).resolve().parents[3])
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(BOOT_DIR), env.get("PYTHONPATH", "")) if p)
        return env

    # -- reading -----------------------------------------------------------------------

    def _drain(self, deadline: int) -> None:
        """Take in what is ready, again and again, until nothing is (`behind` False)
        or the time budget is spent (True)."""
        self.behind = True
        while True:
            ready = self.watch.ready(0)
            if not ready:
                self.behind = False
                return
            for kind, link in ready:
                if kind == "accept":
                    self._accept()
                elif kind == "proof":
                    self._prove(link)
                elif kind == "supervisor":
                    self._heard()
                else:
                    self._read(link)
                if _now() > deadline:
                    return

    def _accept(self) -> None:
        assert self._listener is not None
        while True:
            try:
                sock, _addr = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # out of file descriptors: they wait in the backlog
                return
            sock.setblocking(False)
            link = _Link(sock, unproven=bytearray(), since=_now())
            self._links.append(link)
            self.watch.add(sock, ("proof", link))
            self._prove(link)  # a real process sent the token with its connect

    def _prove(self, link: _Link) -> None:
        """Read the token a new connection must send first, without blocking and without
        unpickling anything: a peer that sends anything else is dropped."""
        sock, got = link.conn, link.unproven
        assert got is not None
        try:
            data = sock.recv(len(self._proof) - len(got))
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        got += data
        if not data or (len(got) == len(self._proof)
                        and not hmac.compare_digest(bytes(got), self._proof)):
            self._closed(link)  # gone before proving itself, or a wrong token
            return
        if len(got) < len(self._proof):
            return
        self.watch.remove(sock)
        sock.setblocking(True)
        link.conn, link.unproven = Connection(sock.detach()), None
        self.watch.add(link.conn, ("link", link))

    def _drop_unproven(self, now: int) -> None:
        """Drop connections that have not sent the token in time, and the oldest when
        too many wait (a stranger cannot hold the script's processes off for long)."""
        waiting = [link for link in self._links if link.unproven is not None]
        for i, link in enumerate(waiting):
            if now - link.since >= AUTH_TIMEOUT_NS or len(waiting) - i > MAX_UNPROVEN:
                self._closed(link)

    def _read(self, link: _Link) -> None:
        try:
            msg = link.conn.recv()
        except (EOFError, OSError):
            self._closed(link)
            return
        if link.lane is None:
            self._hello(link, msg)
        elif link.lane >= 0:
            self._batch(link, msg)

    def _hello(self, link: _Link, msg: Any) -> None:
        ok = isinstance(msg, tuple) and len(msg) == 6 and msg[0] == agent.HELLO \
            and msg[1] == self._token
        if not ok:  # not one of the script's processes
            self._closed(link, forget=True)
            return
        _h, _token, pid, kind, name, tid = msg
        link.pid = pid
        self._pids.add(pid)
        if kind == "main":
            lane = self.main_lane
        elif pid in self._lane_of_pid:
            lane = self._lane_of_pid[pid]
        elif len(self.store.lanes) >= MAX_LANES:
            self.untraced += 1
            self.store.info["untraced"] = self.untraced
            link.lane = -1
            with contextlib.suppress(OSError):
                link.conn.send_bytes(agent.REFUSED)
            return
        else:
            lane = self._new_lane(pid, str(name), str(name))
        link.lane = lane
        self._lane_of_pid[pid] = lane
        self.store.lanes[lane].pid = pid
        if self.sampling:
            self._sampler.add(lane, pid, int(tid), _now())

    def _new_lane(self, pid: int, var: str, name: str, daemon: bool = False) -> int:
        lane = self.store.add_lane(var, name, "process", daemon)
        self._lane_of_pid[pid] = lane
        return lane

    def _batch(self, link: _Link, batch: Batch) -> None:
        """A batch of a traced process: each event as its kind's entry in the registry
        says (`events`): what a traced script does with it, else what the store does."""
        sub, events, line_t, text = batch
        store = self.store
        lane = link.own_lane if sub == 0 else store.lane_of(link.own_lane, sub)
        traced_of, keep_of = TRACED.get, KEEP.get
        for kind, t, a, b in events:
            traced = traced_of(kind)
            if traced is not None:
                traced(self, link, lane, t, a, b)
                continue
            keep = keep_of(kind)  # (store.event written out: a traced queue's
            if keep is not None:  # hundred thousand puts and gets come this way)
                keep(store, lane, t, a, b)
        store.events += len(events)
        if line_t:
            store.add_lines(lane, line_t, text)

    def lane_of_pid(self, pid: int) -> int | None:
        """The lane of the script's process `pid`, if it has one."""
        return self._lane_of_pid.get(pid)

    def after_last(self, lane: int, t: int) -> int:
        """`t`, or the start of the lane's open span if that is later: a sample taken
        before a report arrived may already have begun a span after `t`."""
        return self.store.after_open_span(lane, t)

    def _thread_named(self, link: _Link, lane: int, name: str, tid: object) -> None:
        ln = self.store.lanes[lane]
        owner = self.store.lanes[link.own_lane]
        ln.var = ln.name = name if owner.kind == "main" else f"{owner.var}: {name}"
        if self.sampling and isinstance(tid, int):
            self._sampler.add(lane, link.pid, tid, _now())

    def _spawned(self, t: int, pid: int, var: str | None, name: str, daemon: bool,
                 server: bool = False) -> None:
        """A process called start(): the child's lane (made now, or at its hello); a
        Manager's `server` is no party to a deadlock."""
        self._pids.add(pid)
        lane = self._lane_of_pid.get(pid)
        if lane is None:
            if len(self.store.lanes) >= MAX_LANES:
                return
            lane = self._new_lane(pid, name, name, daemon)
        if server:
            self._servers.add(lane)
        ln = self.store.lanes[lane]
        ln.name, ln.daemon, ln.pid = name, daemon, pid
        if var and var != name and var not in self._shared_vars:
            clash = [o for o in self.store.lanes if o.var == var and o.kind == "process"]
            if clash:  # `for p in procs: p.start()`: the name says more than `p`
                self._shared_vars.add(var)  # (and the third process's too)
                for o in clash:
                    o.var = o.name
            else:
                ln.var = var
        if ln.started_t is None:
            self.store.start_called(t, lane)
        else:  # its hello came first (a fork is quick): keep its spans, note the call
            ln.start_call_t = t

    def note_exit_code(self, pid: int, code: int | None) -> None:
        """The script's process `pid` is known to have ended with `code` (None: not
        known)."""
        target = self._lane_of_pid.get(pid)
        if target is not None and code is not None:
            self.store.lanes[target].exit_code = code

    def _closed(self, link: _Link, forget: bool = False) -> None:
        """A process's connection ended: it has exited (or was refused)."""
        self.watch.remove(link.conn)
        link.conn.close()
        if link in self._links:
            self._links.remove(link)
        if forget or link.lane is None or link.lane < 0:
            return
        ln = self.store.lanes[link.lane]
        for lane in [link.lane, *self.store.threads_of(link.lane)]:
            self._sampler.remove(lane)
        if link.lane == self.main_lane:
            return  # the script's end is the Popen's to tell (its exit code)
        code = ln.finish_code if ln.finish_code is not None else ln.exit_code
        self.store.exited(_now(), link.lane, code)

    # -- sampling ----------------------------------------------------------------------

    def _sample(self, now: int) -> None:
        blocked: dict[int, bool] = {}
        for link in self._links:
            blocked.update(link.blocked)
        store = self.store
        for lane, since, state, core in self._sampler.sample(now):
            ln = store.lanes[lane]
            if blocked.get(lane) or ln.state is None or ln.state == State.STARTING:
                continue
            if ln.state == state and (state != State.RUNNING or ln.core == core):
                continue
            if state == State.RUNNING and ln.state == State.RUNNING:
                ln.migrations += 1
            store.set_state(lane, self.after_last(lane, since), state, core)

    # -- the end -----------------------------------------------------------------------

    def _tell(self, line: str) -> None:
        """A line to the supervisor; lost if it is gone."""
        if self._chan is not None:
            with contextlib.suppress(OSError):
                self._chan.send(line.encode() + b"\n")

    def _heard(self) -> None:
        """Read the supervisor's lines: the script's pid, its exit code."""
        assert self._chan is not None
        try:
            data = self._chan.recv(4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # it exited: the run's processes are gone
            self.watch.remove(self._chan)
            self._chan.close()
            self._chan = None
            return
        self._said += data
        *lines, self._said = self._said.split(b"\n")
        for line in lines:
            word, _space, arg = line.decode("ascii", "replace").partition(" ")
            if word == "pid" and arg.isdigit():
                self.root_pid = int(arg)
                self.store.lanes[self.main_lane].pid = self.root_pid
            elif word == "exit":
                self._root_ended(_now(), int(arg))
            elif word == "left" and arg.isdigit() and int(arg):
                self.store.info["ended after the script"] = int(arg)
            elif word == "error":
                main = self.store.lanes[self.main_lane]
                if main.error is None and self.root_pid is None:
                    main.error = ("OSError", _("could not start: {error}").format(error=arg),
                                  "")

    def _root_ended(self, now: int, code: int) -> None:
        """The script's own process ended with `code`."""
        if self.exit_code is not None:
            return
        self.exit_code = code
        self._root_ended_at = now
        main = self.store.lanes[self.main_lane]
        main.exit_code = code
        self.store.end_lane(self.main_lane, main.finish_t or now)

    def _check_end_supervised(self, now: int) -> None:
        """The run ends once the supervisor ended — every process of the script is gone
        — and every report they sent is read."""
        assert self.proc is not None
        if self.proc.poll() is None:
            if self.status is Status.STOPPING and now >= self._kill_at:
                self.proc.kill()  # it did not end the run in time (see request_stop)
            return
        if self._gone_at is None:
            self._gone_at = now
        if self.exit_code is None and self._chan is None:  # it died before telling
            self._root_ended(now, self.proc.returncode)
        # Reports of processes now gone: nothing more can come, read what did.
        # (A connection that has not proved itself is a stranger's: it holds nothing.)
        pending = self._chan is not None or bool(self.watch.ready(0)) or any(
            link.unproven is None and (link.lane is None or link.lane >= 0)
            for link in self._links)
        if pending and now - self._gone_at < DRAIN_NS:
            return
        self._end(Status.STOPPED if self.status is Status.STOPPING else Status.FINISHED)

    def _check_end(self, now: int) -> None:
        if self.proc is None:
            return
        if self._supervised:
            self._check_end_supervised(now)
            return
        if self.exit_code is None and self.proc.poll() is not None:
            self.exit_code = self.proc.returncode
            self._root_ended_at = now
            main = self.store.lanes[self.main_lane]
            main.exit_code = self.exit_code
            self.store.end_lane(self.main_lane, main.finish_t or now)
        traced = [link for link in self._links if link.lane is not None and link.lane >= 0]
        if self.status is Status.STOPPING:
            if self.exit_code is not None and not traced:
                self._end(Status.STOPPED)
            elif now >= self._kill_at:
                self._signal(signal.SIGKILL)
                self._kill_at = now + int(STOP_GRACE_S * 1e9)
            return
        if self.exit_code is None:
            return
        if not traced and not self.watch.ready(0):
            # (Not while a report waits unread — a connection not yet accepted, bytes
            # not yet read: a script that fails at once on a busy machine may end
            # before its first report is read, and it must still show.)
            self._end(Status.FINISHED)
        elif now - (self._root_ended_at or now) >= LINGER_NS:
            # Orphans of a script that ended: python would leave them running; a run
            # leaves nothing behind.
            self.request_stop()

    def _signal(self, sig: int) -> None:
        """Without a supervisor (not Linux): send `sig` to the script and its session
        while the script is not reaped (its pid, and the group's id, cannot be another
        process's then), and to every process whose connection is open. Never to a pid
        that may have been handed on."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            if os.name == "posix":
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.proc.pid, sig)
            else:
                with contextlib.suppress(OSError):
                    self.proc.send_signal(sig)
        for pid in {link.pid for link in self._links if link.pid}:
            # a process that left the session (setsid) is still ours
            with contextlib.suppress(OSError):
                os.kill(pid, sig)

    def _end(self, status: Status) -> None:
        now = _now()
        if self.proc is not None and self.exit_code is None:
            self.proc.kill()
            self.proc.wait()
            self.exit_code = self.proc.returncode
            self.store.lanes[self.main_lane].exit_code = self.exit_code
        for link in list(self._links):
            self._closed(link)
        if self._chan is not None:
            self.watch.remove(self._chan)
            self._chan.close()
            self._chan = None
        self._sampler.close()
        if self._listener is not None:
            self.watch.remove(self._listener)
            self._listener.close()
            self._listener = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
        self.watch.close()
        self.store.finish(now)
        self.others_sampler.finish(now)
        self.status = status


# -- what a traced script's processes report, beyond what any child does ---------------

def _state(run: ScriptRunner, link: _Link, lane: int, t: int, a: Any, b: Any) -> None:
    """A state from the process itself: it may begin after a sample already taken; in
    sleep(), join() or a wait on a shared object the kernel's samples must not
    override it."""
    link.blocked[lane] = a in (State.SLEEPING, State.WAITING, State.BLOCKED)
    run.store.set_state(lane, run.after_last(lane, t), a, b)


def _finished(run: ScriptRunner, link: _Link, lane: int, t: int, a: Any, b: Any) -> None:
    """The process, or one of its threads, ended: a thread's lane ends now (the
    process's when its connection closes)."""
    run.store.event(lane, Kind.FINISHED, t, a, b)
    if lane != link.lane:  # a thread ended
        run.store.end_lane(lane, t)
        run._sampler.remove(lane)


def _identity(run: ScriptRunner, link: _Link, lane: int, t: int, a: Any, b: Any) -> None:
    run._thread_named(link, lane, str(a), b)


def _spawned(run: ScriptRunner, link: _Link, lane: int, t: int, a: Any, b: Any) -> None:
    run._spawned(t, a, *b)


def _exited(run: ScriptRunner, link: _Link, lane: int, t: int, a: Any, b: Any) -> None:
    run.note_exit_code(a, b)


add_traced(Kind.STATE, _state)
add_traced(Kind.FINISHED, _finished)
IDENTITY = register(EventKind("identity", Kind.IDENTITY, traced=_identity))
SPAWNED = register(EventKind("spawned", Kind.SPAWNED, traced=_spawned))
EXITED = register(EventKind("exited", Kind.EXITED, traced=_exited))
