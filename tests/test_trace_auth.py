"""The script tracer's socket lets in only the script's own processes.

Every traced process connects to a socket mpgui listens on. Anyone who can reach it (on
Windows: any local user, over TCP) must not get mpgui to unpickle anything: a connection
is read as raw bytes until it has sent the run's secret token, and dropped otherwise.
These tests attack a real run over real sockets, both Unix (POSIX) and TCP (the Windows
path, forced here on Linux), while the real script goes on.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from multiprocessing.connection import Connection, Pipe
from pathlib import Path

import pytest

from mpgui.runtime.script import agent
from mpgui.runtime.script import runner as script_runner
from mpgui.runtime.script.runner import ScriptRunner

TIMEOUT_S = 60

WAITER = """\
import multiprocessing as mp
import os
import sys
import time

def child():
    print("child ran")

if __name__ == "__main__":
    go, method = sys.argv[1], sys.argv[2]
    deadline = time.monotonic() + 60
    while not os.path.exists(go) and time.monotonic() < deadline:
        time.sleep(0.05)
    p = mp.get_context(method).Process(target=child)
    p.start()
    p.join()
    print("done", p.exitcode)
"""

FAMILIES = [("AF_INET", "spawn")]
if os.name == "posix":
    FAMILIES.insert(0, ("AF_UNIX", "fork"))


class Evil:
    """Whoever unpickles this creates the file `path` (the stand-in for any code)."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (open, (self.path, "w"))


def connect(runner: ScriptRunner) -> socket.socket:
    """A stranger's connection to the run's socket."""
    address = runner._listener.getsockname()  # type: ignore[union-attr]
    family = socket.AF_INET if isinstance(address, tuple) else socket.AF_UNIX
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.connect(address)
    return sock


def pump(runner: ScriptRunner, until, what: str) -> None:  # type: ignore[no-untyped-def]
    """Run the runner's loop until `until()` holds (failing after TIMEOUT_S)."""
    deadline = time.monotonic() + TIMEOUT_S
    while not until():
        assert time.monotonic() < deadline, f"timed out waiting: {what}"
        runner.wait(0.02)
        runner.poll()


def closed_by_peer(sock: socket.socket) -> bool:
    """Whether mpgui has closed this connection (without blocking)."""
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:  # reset
        return True


@pytest.mark.parametrize(("family", "method"), FAMILIES)
def test_strangers_are_dropped_unread_and_the_script_goes_on(tmp_path, monkeypatch,
                                                             family, method):
    # A silent stranger is never timed out here: that it does not hold the run is shown.
    monkeypatch.setattr(script_runner, "AUTH_TIMEOUT_NS", 3600 * 10**9)
    script, go = tmp_path / "waiter.py", tmp_path / "go"
    script.write_text(WAITER)
    r = ScriptRunner(script, [str(go), method], cwd=tmp_path, output=subprocess.DEVNULL,
                     errors=subprocess.DEVNULL)
    r.socket_family = family
    with r:
        r.start()
        address = r._listener.getsockname()  # type: ignore[union-attr]
        if family == "AF_INET":
            assert address[0] == "127.0.0.1"  # loopback only
        else:  # the socket's folder is this user's alone
            folder = os.stat(os.path.dirname(address))
            assert stat.S_IMODE(folder.st_mode) == 0o700
            assert folder.st_uid == os.getuid()
        pwned = [tmp_path / f"pwned{i}" for i in range(4)]
        hostile = []
        # 1. A pickle as the first message, as the old protocol's hello was.
        s = connect(r)
        Connection(os.dup(s.fileno())).send(Evil(pwned[0]))
        hostile.append(s)
        # 2. A wrong token of the right length, then a pickle.
        s = connect(r)
        c = Connection(os.dup(s.fileno()))
        c.send_bytes(b"0" * len(r._token))
        c.send(Evil(pwned[1]))
        hostile.append(s)
        # 3. A frame that announces 2 GiB, then a pickle: nothing that big is read.
        s = connect(r)
        s.sendall((2**31 - 1).to_bytes(4, "big") + b"x" * 40)
        Connection(os.dup(s.fileno())).send(Evil(pwned[2]))
        hostile.append(s)
        # 4. The token's prefix only, then a pickle
        s = connect(r)
        s.sendall(agent.token_frame(r._token)[:-1] + b"!")
        Connection(os.dup(s.fileno())).send(Evil(pwned[3]))
        hostile.append(s)
        # 5. Strangers that connect and send nothing, or a few bytes, and stay.
        silent = [connect(r), connect(r)]
        silent[1].sendall(agent.token_frame(r._token)[:5])
        pump(r, lambda: all(closed_by_peer(s) for s in hostile), "strangers dropped")
        assert not any(p.exists() for p in pwned)
        assert not any(closed_by_peer(s) for s in silent)  # (not read, not blocking)
        assert r.status == "running"
        go.write_text("")
        pump(r, lambda: r.done, "the script's end")
        for s in hostile + silent:
            s.close()
    assert not any(p.exists() for p in pwned)
    assert r.status == "finished" and r.exit_code == 0
    s = r.store
    texts = [text for _t, _lane, text in s.lines_since(0)]
    assert "child ran" in texts and "done 0" in texts
    children = [ln for ln in s.lanes if ln.kind == "process"]
    assert len(children) == 1 and children[0].exit_code == 0


def test_a_stranger_that_says_nothing_is_dropped_in_time(tmp_path, monkeypatch):
    monkeypatch.setattr(script_runner, "AUTH_TIMEOUT_NS", 200_000_000)
    script, go = tmp_path / "waiter.py", tmp_path / "go"
    script.write_text(WAITER)
    r = ScriptRunner(script, [str(go), "spawn"], cwd=tmp_path, output=subprocess.DEVNULL,
                     errors=subprocess.DEVNULL)
    with r:
        r.start()
        silent = connect(r)
        pump(r, lambda: closed_by_peer(silent), "a silent stranger dropped")
        silent.close()
        go.write_text("")
        pump(r, lambda: r.done, "the script's end")
    assert r.status == "finished" and r.exit_code == 0


def test_too_many_strangers_waiting_drop_the_oldest(tmp_path, monkeypatch):
    monkeypatch.setattr(script_runner, "AUTH_TIMEOUT_NS", 3600 * 10**9)
    monkeypatch.setattr(script_runner, "MAX_UNPROVEN", 3)
    script, go = tmp_path / "waiter.py", tmp_path / "go"
    script.write_text(WAITER)
    r = ScriptRunner(script, [str(go), "spawn"], cwd=tmp_path, output=subprocess.DEVNULL,
                     errors=subprocess.DEVNULL)
    with r:
        r.start()
        silent = [connect(r) for _ in range(5)]
        try:
            pump(r, lambda: closed_by_peer(silent[0]) and closed_by_peer(silent[1]),
                 "the oldest two dropped")
            assert not any(closed_by_peer(s) for s in silent[2:])
            assert sum(link.unproven is not None for link in r._links) == 3
            go.write_text("")
            pump(r, lambda: r.done, "the script's end")
        finally:
            for s in silent:
                s.close()
    assert r.status == "finished" and r.exit_code == 0


def test_the_agent_unpickles_nothing_mpgui_sends(tmp_path):
    """A traced process reads mpgui's one message (REFUSED) as raw bytes."""
    theirs, ours = Pipe()
    pwned = tmp_path / "pwned"
    ours.send(Evil(pwned))
    agent._watch(theirs)  # returns: the message ends its watch, as REFUSED does
    assert not pwned.exists()


def test_the_token_frame_is_what_send_bytes_sends():
    theirs, ours = Pipe()
    ours.send_bytes(b"abc123")
    assert os.read(theirs.fileno(), 64) == agent.token_frame("abc123")


def test_a_traced_process_sends_its_token_before_anything_else(tmp_path):
    """A listener of our own, in the place of mpgui's: the first bytes are the token."""
    folder = tmp_path / "s"
    folder.mkdir(mode=0o700)
    listener = socket.socket(socket.AF_UNIX if os.name == "posix" else socket.AF_INET)
    if os.name == "posix":
        listener.bind(str(folder / "sock"))
        address, family = str(folder / "sock"), "AF_UNIX"
    else:
        listener.bind(("127.0.0.1", 0))
        address, family = f"127.0.0.1:{listener.getsockname()[1]}", "AF_INET"
    listener.listen(1)
    env = dict(os.environ, **{agent.ENV_ADDRESS: address, agent.ENV_FAMILY: family,
                              agent.ENV_TOKEN: "secret"})
    code = "from mpgui.runtime.script import agent; agent._connect('main', 'x')"
    child = subprocess.Popen([sys.executable, "-c", code], env=env)
    try:
        listener.settimeout(TIMEOUT_S)
        sock, _ = listener.accept()
        sock.settimeout(TIMEOUT_S)
        frame = agent.token_frame("secret")
        got = b""
        while len(got) < len(frame):
            data = sock.recv(len(frame) - len(got))
            assert data
            got += data
        assert got == frame
        sock.close()
    finally:
        child.wait(TIMEOUT_S)
        listener.close()
