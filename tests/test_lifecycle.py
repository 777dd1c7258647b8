"""Nothing of a traced script's run outlives it, however the script escapes and however
the run ends — and mpgui never signals a process that is not the run's.

Scripts from tests/scripts/escape.py leave their session, double-fork, start new
sessions, or make 500 processes; each run is marked with a unique environment variable
that every process of it inherits, so survivors are found by scanning every process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid

import psutil
import pytest

from mpgui.runtime.script.runner import ScriptRunner
from tests.helpers import MPGUI, ROOT, wait_until

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the supervisor (a child subreaper) is Linux's")

SCRIPTS = ROOT / "tests" / "scripts"
MARK = "MPGUI_TEST_RUN_MARK"
UP_S = 90  # a generous bound for the script's processes to start on a busy machine
# How the script escapes, and how many processes it makes.
SMALL = [("setsid", 3), ("daemon", 3), ("popen", 3), ("deaf", 2)]
LARGE = [pytest.param("mpfork", 500, marks=pytest.mark.slow),
         pytest.param("rawfork", 500, marks=pytest.mark.slow)]
CASES = SMALL + LARGE


def marked(token: str, but: tuple[int, ...] = ()) -> list[int]:
    """Live processes (zombies are not) that carry the run's mark, except `but` and
    this test's own process."""
    skip = {os.getpid(), *but}
    out = []
    for p in psutil.process_iter():
        if p.pid in skip:
            continue
        with contextlib.suppress(psutil.Error):
            if p.environ().get(MARK) == token and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p.pid)
    return out


def run_to_end(r: ScriptRunner, limit_s: float = 60, holds=lambda: True) -> None:  # type: ignore[no-untyped-def]
    """Poll `r` until its run is over, checking that `holds()` all along; fail after
    `limit_s`."""
    deadline = time.monotonic() + limit_s
    while not r.done:
        assert holds()
        assert time.monotonic() < deadline, f"the run did not end ({r.status})"
        r.wait(0.05)
        r.poll(0.05)


def stop_within(r: ScriptRunner, grace_s: float, limit_s: float = 60,
                holds=lambda: True) -> None:  # type: ignore[no-untyped-def]
    """Stop `r`, failing after `limit_s` (stop() itself would wait forever)."""
    r.request_stop(grace_s)
    run_to_end(r, limit_s, holds)


@contextlib.contextmanager
def cleaned_up(r: ScriptRunner, token: str):  # type: ignore[no-untyped-def]
    """Run the block with `r`; whatever happened, stop it within a bound and kill any
    survivor so that a failing test leaves nothing either (the test saw them first)."""
    try:
        yield r
    finally:
        with contextlib.suppress(AssertionError):
            stop_within(r, 0.5, 30)
        kill_marked(token)


def count_up(updir) -> int:  # type: ignore[no-untyped-def]
    return len(os.listdir(updir))


def kill_marked(token: str) -> None:
    """After a test (a failed one), kill what is left of its run."""
    for pid in marked(token):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def mark(tmp_path):  # type: ignore[no-untyped-def]
    """(token, folder the script's processes check in to); survivors are killed after
    the test, once it has looked for them."""
    token = uuid.uuid4().hex
    updir = tmp_path / "up"
    updir.mkdir()
    yield token, updir
    kill_marked(token)


@pytest.fixture
def run_mark(monkeypatch, mark):  # type: ignore[no-untyped-def]
    """`mark`, set in this process's environment, which the ScriptRunner passes on."""
    monkeypatch.setenv(MARK, mark[0])
    return mark


@pytest.mark.parametrize(("how", "n"), CASES)
@pytest.mark.parametrize("ending", ["end", "stop"])
def test_nothing_outlives_the_runs_end_or_stop(how, n, ending, run_mark):
    """The script ends (its processes left behind) or is stopped: once the run says it
    ended, none of its processes is left — none, at once, not after a while."""
    token, updir = run_mark
    then = "exit" if ending == "end" else "wait"
    r = ScriptRunner(SCRIPTS / "escape.py", [how, str(n), str(updir), then],
                     output=subprocess.DEVNULL, errors=subprocess.DEVNULL)
    with cleaned_up(r, token):
        r.start()
        deadline = time.monotonic() + UP_S
        while count_up(updir) < n:
            assert time.monotonic() < deadline and not r.done, (count_up(updir), r.status)
            r.wait(0.05)
            r.poll(0.05)
        assert len(marked(token)) > n  # they run (and the script, and its supervisor)
        t = time.monotonic()
        if ending == "stop":
            stop_within(r, 0.5)
        else:
            run_to_end(r)
        took = time.monotonic() - t
        assert marked(token) == []
    assert r.status == ("finished" if ending == "end" else "stopped")
    if ending == "end":
        assert r.exit_code == 0
        assert r.store.info.get("ended after the script", 0) >= 1
    assert took < 30, took  # about a second of grace (two when the script ended)


def _trace_command(how: str, n: int, updir, then: str, token: str):  # type: ignore[no-untyped-def]
    env = {**os.environ, MARK: token}
    return subprocess.Popen([*MPGUI, "trace", "--quiet", str(SCRIPTS / "escape.py"), how,
                             str(n), str(updir), then], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize(("how", "n"), CASES)
@pytest.mark.parametrize("ending", ["end", "sigint", "sigterm", "sigkill"])
def test_mpgui_trace_leaves_nothing_however_it_ends(how, n, ending, mark):
    """`mpgui trace`: the script ends by itself (its processes left behind: the command
    still returns), Ctrl+C (SIGINT) and SIGTERM (exit 130), or mpgui is SIGKILLed (the
    supervisor learns of it from the kernel and ends the rest)."""
    token, updir = mark
    with _trace_command(how, n, updir, "exit" if ending == "end" else "wait", token) as proc:
        deadline = time.monotonic() + UP_S
        while count_up(updir) < n:
            assert time.monotonic() < deadline and proc.poll() is None, proc.poll()
            time.sleep(0.02)
        t = time.monotonic()
        if ending == "sigint":
            proc.send_signal(signal.SIGINT)
        elif ending == "sigterm":
            proc.send_signal(signal.SIGTERM)
        elif ending == "sigkill":
            proc.kill()
        try:
            _out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        took = time.monotonic() - t
    if ending == "sigkill":
        # Nobody is left to wait for the end: it comes within the grace (1 s).
        wait_until(lambda: marked(token) == [], 20, "the run's processes to be gone")
        return
    assert marked(token) == []  # gone before the command returned
    assert proc.returncode == (0 if ending == "end" else 130), err
    assert took < 30, took
    assert "Traceback" not in err


def test_mpgui_trace_on_a_double_fork_daemon_returns_promptly(mark):
    """The daemon holds the script's stdout and its trace connection: the run still
    ends a moment after the script (LINGER, then SIGTERM)."""
    token, updir = mark
    t = time.monotonic()
    with _trace_command("daemon", 1, updir, "exit", token) as proc:
        proc.communicate(timeout=60)
    assert proc.returncode == 0 and count_up(updir) == 1
    assert time.monotonic() - t < 15
    assert marked(token) == []


def _take_pid(pid: int) -> subprocess.Popen | None:
    """Start an innocent `sleep` with pid `pid` — leader of its own process group and
    session, as a shell's job would be — by setting the kernel's last pid just before
    (root only); None if the kernel gave it another pid each time."""
    for _ in range(50):
        try:
            with open("/proc/sys/kernel/ns_last_pid", "w") as f:
                f.write(str(pid - 1))
        except OSError:
            return None
        sleeper = subprocess.Popen(["sleep", "60"], start_new_session=True,
                                   env={k: v for k, v in os.environ.items() if k != MARK})
        if sleeper.pid == pid:
            return sleeper
        sleeper.kill()
        sleeper.wait()
    return None


@pytest.mark.parametrize("ending", ["end", "stop"])
def test_a_pid_handed_on_after_the_script_ended_is_never_signalled(ending, run_mark):
    """The script exits at once, leaving a SIGTERM-deaf process in a session of its own
    (the run goes on until it is killed); its pid is handed to an innocent `sleep` that
    leads its own process group. Neither the end of the run nor Stop may touch it."""
    if not os.access("/proc/sys/kernel/ns_last_pid", os.W_OK):
        pytest.skip("handing a pid on needs /proc/sys/kernel/ns_last_pid (root)")
    token, updir = run_mark
    r = ScriptRunner(SCRIPTS / "escape.py", ["deaf", "1", str(updir), "exit"],
                     output=subprocess.DEVNULL, errors=subprocess.DEVNULL)
    sleeper = None
    try:
        with cleaned_up(r, token):
            r.start()
            deadline = time.monotonic() + UP_S
            while r.exit_code is None:  # the script's own process has ended (reaped)
                assert time.monotonic() < deadline and not r.done
                r.wait(0.05)
                r.poll()
            script_pid = r.store.lanes[r.main_lane].pid
            assert script_pid
            sleeper = _take_pid(script_pid)
            if sleeper is None:
                pytest.skip("the kernel would not hand the pid on")
            innocent = lambda: sleeper.poll() is None  # noqa: E731
            if ending == "stop":
                stop_within(r, 0.5, holds=innocent)
            else:
                run_to_end(r, holds=innocent)
            assert marked(token) == []
        assert sleeper.poll() is None, "an innocent process was killed"
        # Nor after: nothing of the run is left to signal it.
        r.stop()
        assert sleeper.poll() is None
    finally:
        if sleeper is not None:
            sleeper.kill()
            sleeper.wait()


def test_the_windows_stop_and_close_leave_nothing_of_an_escaping_script(
        qtbot, window, run_mark, monkeypatch, tmp_path):
    """File > Open Python Script… on a script that double-forks daemons: Stop, and
    closing the window mid-run, end them too."""
    from mpgui.ui import dialogs

    monkeypatch.setattr(dialogs, "ask_run_script", lambda _parent, _path: True)
    token, updir = run_mark
    script = tmp_path / "daemons.py"
    escape = SCRIPTS / "escape.py"
    script.write_text(f"import runpy, sys\nsys.argv = [{str(escape)!r}, 'daemon', '2', "
                      f"{str(updir)!r}, 'wait']\nrunpy.run_path(sys.argv[0], "
                      "run_name='__main__')\n")
    assert window.scripts.open_path(script)
    qtbot.waitUntil(lambda: count_up(updir) >= 2, timeout=UP_S * 1000)
    assert len(marked(token)) >= 3
    window.stop()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=30_000)
    assert window.controller.runner.status == "stopped"
    assert marked(token) == []
    # Again, and this time the window closes mid-run.
    for name in os.listdir(updir):
        os.unlink(updir / name)
    window.scripts.rerun()
    qtbot.waitUntil(lambda: count_up(updir) >= 2, timeout=UP_S * 1000)
    window.close()
    assert marked(token) == []
