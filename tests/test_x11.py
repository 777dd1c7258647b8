"""The app in a real X window (Xvfb): `mpgui seed --run` runs to the end and Ctrl+Q in
the middle of a run quits leaving no child. Needs Xvfb and xdotool (`.ci/run` installs
them); skipped where they are missing unless MPGUI_REQUIRE_X11=1, as CI sets."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile

import pytest

from tests.helpers import MPGUI, alive, wait_until, worker_pids

TOOLS = ("Xvfb", "xdotool")
missing = [t for t in TOOLS if shutil.which(t) is None]
if missing and os.environ.get("MPGUI_REQUIRE_X11") != "1":
    pytest.skip(f"needs {', '.join(missing)} (apt install xvfb xdotool)",
                allow_module_level=True)


@pytest.fixture
def display():
    """A fresh Xvfb server; its display name, e.g. ':5'."""
    with xvfb(1600, 1000) as name:
        yield name


@contextlib.contextmanager
def app_window(display: str, tmp_path, *args: str):
    """`mpgui seed --run ARGS` in the X server; after the block, it must have exited 0
    (it is killed if it still runs, and the test fails)."""
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb",
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    app = subprocess.Popen([*MPGUI, "seed", "--run", *args], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        yield app
    finally:
        if app.poll() is None:
            app.kill()
        _out, err = app.communicate()
    assert app.returncode == 0, err


def xdotool(display: str, *args: str) -> str:
    return subprocess.run(["xdotool", *args], env=dict(os.environ, DISPLAY=display),
                          capture_output=True, text=True, timeout=20).stdout.strip()


def quit_with_ctrl_q(display: str, app: subprocess.Popen) -> None:
    """Press Ctrl+Q in the app's window and wait for the app to end."""
    windows: list[str] = []

    def found() -> bool:
        windows[:] = xdotool(display, "search", "--onlyvisible", "--name", "mpgui").split()
        return bool(windows)

    wait_until(found, 30, "the mpgui window")
    xdotool(display, "windowfocus", "--sync", windows[0], "key", "ctrl+q")
    app.wait(15)


def test_seed_runs_in_a_real_window(display, tmp_path):
    with app_window(display, tmp_path, "--speed", "10") as app:
        wait_until(lambda: len(worker_pids(app.pid)) >= 3, 30, "the children")
        wait_until(lambda: worker_pids(app.pid) == [], 30, "the run to finish")
        if shutil.which("import"):  # ImageMagick: keep a picture for a human to look at
            subprocess.run(["import", "-window", "root", str(tmp_path / "window.png")],
                           env=dict(os.environ, DISPLAY=display), timeout=30, check=False)
        quit_with_ctrl_q(display, app)


def test_ctrl_q_mid_run_quits_and_leaves_no_child(display, tmp_path):
    with app_window(display, tmp_path, "--speed", "1") as app:
        wait_until(lambda: len(worker_pids(app.pid)) >= 3, 30, "the children")
        family = worker_pids(app.pid)
        quit_with_ctrl_q(display, app)
    wait_until(lambda: alive(family) == [], 2, f"children {family} to end")


def test_a_start_up_failure_without_a_terminal_is_shown_in_a_dialog(display, tmp_path):
    # As a double-click starts it: no terminal on stdin or stderr.
    env = dict(os.environ, DISPLAY=display, XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.pop("QT_QPA_PLATFORM", None)
    app = subprocess.Popen([*MPGUI, str(tmp_path / "missing.toml")], env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        windows: list[str] = []

        def dialog() -> bool:
            windows[:] = xdotool(display, "search", "--onlyvisible", "--name",
                                 "mpgui could not start").split()
            return bool(windows)

        try:
            wait_until(dialog, 30, "the error dialog")
        except AssertionError:
            state = "still running" if app.poll() is None else f"exited {app.returncode}"
            app.kill()
            out, err = app.communicate()
            names = xdotool(display, "search", "--onlyvisible", "--name", ".")
            raise AssertionError(f"no dialog; the app {state}; windows: {names!r}; "
                                 f"stdout {out!r}; stderr {err!r}") from None
        xdotool(display, "windowfocus", "--sync", windows[0], "key", "Return")
        app.wait(15)
    finally:
        if app.poll() is None:
            app.kill()
    _out, err = app.communicate()
    assert app.returncode == 2
    assert "missing.toml does not exist" in err


# -- the picture whole on a classroom screen, with a window manager -----------------------

DESKTOP_TOOLS = ("openbox", "xprop", "xwininfo", "import", "tesseract")
no_desktop = [t for t in DESKTOP_TOOLS if shutil.which(t) is None]
needs_desktop = pytest.mark.skipif(
    bool(no_desktop) and os.environ.get("MPGUI_REQUIRE_X11") != "1",
    reason=f"needs {', '.join(no_desktop)} (apt install openbox x11-utils imagemagick "
           "tesseract-ocr)")


@contextlib.contextmanager
def desktop(width: int, height: int):
    """A fresh Xvfb screen of `width` x `height` with the openbox window manager (full
    screen and window placement need one); its display name."""
    # openbox's complaints go to a file, not a pipe: a pipe nobody reads fills up (64 KiB)
    # in a long test, and openbox would block writing to it — a frozen window manager.
    with xvfb(width, height) as display, tempfile.TemporaryFile("w+") as said:
        wm = subprocess.Popen(["openbox"], env=dict(os.environ, DISPLAY=display),
                              stdout=subprocess.DEVNULL, stderr=said, text=True)
        try:
            def managing() -> bool:
                if wm.poll() is not None:
                    said.seek(0)
                    raise AssertionError(f"openbox exited {wm.returncode}: "
                                         f"{said.read()[-500:]!r}")
                return _wm_running(display)

            wait_until(managing, 20, "openbox to manage the screen")
            yield display
        finally:
            wm.terminate()
            wm.wait(10)


@contextlib.contextmanager
def xvfb(width: int, height: int):
    """A fresh Xvfb server of `width` x `height` that accepts clients; its display name.

    `-noreset`: a bare Xvfb resets when its last client leaves, and a client connecting
    in that moment is refused — the harness's own probes (xdotool, xprop) were such last
    clients, and openbox, starting beside them, died of it now and then on a busy CI
    machine. The app's own defence against a resetting server is tested apart (its
    display probe never becomes a client)."""
    server = subprocess.Popen(["Xvfb", "-displayfd", "1", "-noreset", "-screen", "0",
                               f"{width}x{height}x24", "-nolisten", "tcp"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        number = server.stdout.readline().strip()  # type: ignore[union-attr]
        assert number.isdigit(), "Xvfb did not start"
        # Xvfb names its display once it listens; a client's first connection can still
        # be refused while the server sets up (seen on a busy CI machine): wait until one
        # is taken, so that nothing starts on a display that cannot be reached.
        env = dict(os.environ, DISPLAY=f":{number}")
        wait_until(lambda: subprocess.run(["xdotool", "getdisplaygeometry"], env=env,
                                          capture_output=True).returncode == 0,
                   10, "the X server to accept a client")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)
        server.stdout.close()  # type: ignore[union-attr]


def _wm_running(display: str) -> bool:
    """Whether a window manager has taken the root window (_NET_SUPPORTING_WM_CHECK)."""
    out = subprocess.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"],
                         env=dict(os.environ, DISPLAY=display), capture_output=True,
                         text=True, timeout=10).stdout
    return "window id" in out


def screen_text(display: str, tmp_path, name: str,
                crop: tuple[int, int, int, int] | None = None) -> str:
    """What OCR reads on the screen now, or on the rectangle `crop` of it (x, y, width,
    height); the picture is kept beside the test.
    Read as sparse text (``--psm 11``), not as a page of columns: as a page, tesseract
    lost the chart's "D.join() at the end", ending near the Output pane, in 4 of 6
    presentation-mode pictures in which it is whole (a run stretched by a busy machine
    puts it there); as sparse text it read it in all of them."""
    picture = tmp_path / f"{name}.png"
    part = ["-crop", "{}x{}+{}+{}".format(*crop[2:], *crop[:2])] if crop else []
    screenshot(display, picture, *part, "-resize", "200%")
    return subprocess.run(["tesseract", str(picture), "-", "--psm", "11"],
                          capture_output=True, text=True, timeout=60).stdout


def wait_for_status(display: str, window: str, tmp_path, *words: str) -> None:
    """Wait until the status bar of `window` says each of `words` ("Run 2", "Finished":
    the children's end is not yet the window's). Only the bottom strip is read:
    tesseract reads a strip in a second or two, a whole screen in 10-20."""
    x, y, width, height = window_box(display, window)
    strip = (x, y + height - 40, width, 40)
    wait_until(lambda: all(w in screen_text(display, tmp_path, "status", crop=strip)
                           for w in words), 60, f"the status bar to say {words}")


def screenshot(display: str, picture, *options: str) -> None:  # type: ignore[no-untyped-def]
    """The whole screen as `picture` (ImageMagick's `import`, with `options`)."""
    subprocess.run(["import", "-window", "root", *options, str(picture)],
                   env=dict(os.environ, DISPLAY=display), timeout=30, check=True)


def _letters(text: str) -> str:
    """Only the letters, in lower case: OCR reads "D.join() at the end" as
    "Djjoin() atthe end" at times; "attheend" it always has."""
    return "".join(c for c in text.lower() if c.isalpha())


def main_window(display: str) -> str:
    windows: list[str] = []

    def found() -> bool:
        windows[:] = xdotool(display, "search", "--onlyvisible", "--name", "— mpgui").split()
        return bool(windows)

    wait_until(found, 30, "the mpgui window")
    return windows[0]


def window_box(display: str, window: str) -> tuple[int, int, int, int]:
    """x, y, width, height of `window` on the screen, as xwininfo measures it (xdotool's
    position counts the window manager's title bar twice)."""
    out = subprocess.run(["xwininfo", "-id", window], env=dict(os.environ, DISPLAY=display),
                         capture_output=True, text=True, timeout=10).stdout
    values = {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in
                                                out.splitlines() if ":" in line)}
    return (int(values["Absolute upper-left X"]), int(values["Absolute upper-left Y"]),
            int(values["Width"]), int(values["Height"]))


@needs_desktop
def test_the_whole_run_fits_a_1024x768_screen(tmp_path):
    with desktop(1024, 768) as display, app_window(display, tmp_path, "--speed", "4") as app:
        window = main_window(display)
        wait_until(lambda: len(worker_pids(app.pid)) >= 3, 30, "the children")
        wait_until(lambda: worker_pids(app.pid) == [], 30, "the run to finish")
        wait_for_status(display, window, tmp_path, "Run 1", "Finished")
        x, y, width, height = window_box(display, window)
        assert x >= 0 and y >= 0 and x + width <= 1024 and y + height <= 768, (x, y, width,
                                                                              height)
        seen: list[str] = []
        # The end of the run and its last label, whole (the layout tests check every
        # label; OCR reads the one a cut-off chart loses first).
        wait_until(lambda: seen.append(screen_text(display, tmp_path, "1024")) or
                   "attheend" in _letters(seen[-1]), 60,
                   "the whole run on screen")
        quit_with_ctrl_q(display, app)


@needs_desktop
def test_presentation_mode_shows_the_whole_run_at_1920x1080(tmp_path):
    with desktop(1920, 1080) as display, app_window(display, tmp_path, "--speed", "4") as app:
        window = main_window(display)
        wait_until(lambda: len(worker_pids(app.pid)) >= 3, 30, "the first run's children")
        wait_until(lambda: worker_pids(app.pid) == [], 30, "the first run to end")
        wait_for_status(display, window, tmp_path, "Run 1", "Finished")  # (Space runs
        # again only then)
        xdotool(display, "windowfocus", "--sync", window, "key", "F11")
        wait_until(lambda: window_box(display, window)[2:] == (1920, 1080), 20, "full screen")
        xdotool(display, "windowfocus", "--sync", window, "key", "space")  # Run again
        wait_until(lambda: len(worker_pids(app.pid)) >= 3, 30, "the children")
        wait_until(lambda: worker_pids(app.pid) == [], 30, "the run to finish")
        wait_for_status(display, window, tmp_path, "Run 2", "Finished")
        seen: list[str] = []
        wait_until(lambda: seen.append(screen_text(display, tmp_path, "present")) or (
            "attheend" in _letters(seen[-1]) and "thetutorial" in _letters(seen[-1])), 60,
            "the whole run in presentation mode")
        xdotool(display, "windowfocus", "--sync", window, "key", "F11")
        wait_until(lambda: window_box(display, window)[2] < 1920, 20, "the desk window")
        quit_with_ctrl_q(display, app)


def test_the_display_probe_is_answered_without_becoming_a_client(display):
    # Before Qt loads, mpgui asks whether the X server answers. A probe that the server
    # accepted (Success) was a client, and the last client to leave a bare Xvfb makes it
    # reset: the app's own connection, the next moment, was refused now and then and Qt
    # aborted (CI saw it). The probe asks for protocol 0.0: refused (Failed) at once.
    import socket

    from mpgui.ui.display import _X_SETUP, _unix_connects

    path = f"/tmp/.X11-unix/X{display.lstrip(':')}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(path)
        sock.sendall(_X_SETUP)
        assert sock.recv(1) == b"\0"  # Failed: never a client
    assert _unix_connects(path, x11=True)
