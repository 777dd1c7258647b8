"""No display: the window's start says so in one line (exit 2) instead of Qt's abort,
the self-test runs offscreen, and no dialog waits for a user who is not there."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import threading
import time

import pytest

from mpgui.ui import display
from mpgui.ui.display import NO_DISPLAY, display_available, parse_x_display
from tests.helpers import MPGUI

NO_DISPLAY_LINE = f"mpgui: error: {NO_DISPLAY}"
# A real start of Python on a busy machine: the check itself is far under a second
# (packaging/check.py holds the installed app to that), the interpreter's start is not.
BUSY_START_S = 10


def free_display_number() -> int:
    """An X display number with no server on this machine (socket, abstract socket)."""
    for number in range(90, 200):
        path = f"/tmp/.X11-unix/X{number}"
        if os.path.exists(path):
            continue
        with socket.socket(socket.AF_UNIX) as probe:
            try:
                probe.bind("\0" + path)
            except OSError:
                continue
        return number
    pytest.skip("no free X display number")


def headless_env(**changes: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update({k: v for k, v in changes.items() if v is not None})
    return env


def start_window(env: dict[str, str], *args: str) -> tuple[subprocess.CompletedProcess, float]:
    """`mpgui ARGS` as a desktop launcher without a terminal would start it: stdin not
    a TTY, stdout and stderr pipes. The result and how long it took."""
    t0 = time.monotonic()
    res = subprocess.run([*MPGUI, *args], env=env, stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=60)
    return res, time.monotonic() - t0


@pytest.mark.parametrize("case", ["unset", "empty", "unreachable", "garbage"])
def test_no_display_is_one_line_and_exit_2(case):
    value = {"unset": None, "empty": "", "unreachable": f":{free_display_number()}",
             "garbage": "not a display"}[case]
    res, took = start_window(headless_env(DISPLAY=value))
    assert res.returncode == 2, res.stderr  # not 134 (SIGABRT from Qt)
    assert res.stderr.splitlines() == [NO_DISPLAY_LINE]
    assert "xcb" not in res.stderr
    assert took < BUSY_START_S


def test_a_usage_error_without_display_or_terminal_opens_no_dialog():
    # The window's own usage errors may show a dialog when double-clicked: not here.
    res, took = start_window(headless_env(DISPLAY=f":{free_display_number()}"), "--bogus")
    assert res.returncode == 2
    assert res.stderr.startswith("mpgui: error: unrecognized arguments: --bogus")
    assert took < BUSY_START_S


def test_selftest_without_display_runs_offscreen():
    res = subprocess.run([*MPGUI, "--selftest"], env=headless_env(), stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=180)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.strip().splitlines()[-1].startswith("mpgui selftest: ok")


# The check itself, against listeners this test makes.

@contextlib.contextmanager
def abstract_x_socket(number: int, answer: bytes | None):
    """A listener on X display `number`'s abstract socket that answers the set-up with
    `answer` (None: accepts and says nothing, as a dead server or a proxy would)."""
    server = socket.socket(socket.AF_UNIX)
    server.bind(f"\0/tmp/.X11-unix/X{number}")
    server.listen()
    stop = threading.Event()

    def serve() -> None:
        conns = []
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                break
            conns.append(conn)
            if answer is not None:
                conn.recv(12)
                conn.sendall(answer)
        for c in conns:
            c.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f":{number}"
    finally:
        stop.set()
        server.shutdown(socket.SHUT_RDWR)
        server.close()
        thread.join(5)


@pytest.mark.parametrize("answer", [b"\x01", b"\x00", b"\x02"])  # Success, Failed, Auth
def test_an_x_server_that_answers_counts(monkeypatch, answer):
    with abstract_x_socket(free_display_number(), answer + bytes(7)) as name:
        for key in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
            monkeypatch.delenv(key, raising=False)
        monkeypatch.setenv("DISPLAY", name)
        assert display_available()
        monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
        assert display_available()


def test_a_silent_listener_is_no_display_and_the_check_is_quick(monkeypatch):
    with abstract_x_socket(free_display_number(), None) as name:
        monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
        monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
        monkeypatch.setenv("DISPLAY", name)
        t0 = time.monotonic()
        assert not display_available()
        assert time.monotonic() - t0 < display.CHECK_TIMEOUT_S + 0.5


def test_wayland_socket(monkeypatch, tmp_path):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-7")
    assert not display_available()  # no compositor
    with socket.socket(socket.AF_UNIX) as compositor:
        compositor.bind(str(tmp_path / "wayland-7"))
        compositor.listen()
        assert display_available()
        monkeypatch.setenv("QT_QPA_PLATFORM", "wayland")
        assert display_available()
        monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")  # X11 asked for, and there is none
        assert not display_available()


@pytest.mark.parametrize("platform", ["offscreen", "minimal", "eglfs", "vnc:size=800x600",
                                      "offscreen;xcb"])
def test_a_platform_without_server_needs_no_display(monkeypatch, platform):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("QT_QPA_PLATFORM", platform)
    assert display_available()


def test_display_names():
    assert parse_x_display(":0") == ("", 0)
    assert parse_x_display(":1.0") == ("", 1)
    assert parse_x_display("localhost:10.0") == ("localhost", 10)
    assert parse_x_display("unix:3") == ("unix", 3)
    assert parse_x_display("[::1]:2") == ("[::1]", 2)
    assert parse_x_display("nonsense") is None
    assert parse_x_display(":x") is None
