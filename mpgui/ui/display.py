"""Is there a display the window can open on? Asked before Qt loads.

Qt's X11 plugin, given no display or one that does not answer, aborts the whole process
from C++ (SIGABRT, exit status 134) with a misleading hint about xcb-cursor0. So the
window's start asks first, cheaply: a connection to the X server's socket (or its TCP
port) and to the Wayland compositor's socket, each with a short timeout. It does not
speak the X protocol: a server that answers but refuses us (xauth) is left to Qt.

This module imports no Qt.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading

from mpgui.i18n import _

# How long one connection attempt may take, and the whole check. A display that does not
# answer within this would not show a window anyway.
CONNECT_TIMEOUT_S = 0.4
CHECK_TIMEOUT_S = 0.8
X_TCP_BASE_PORT = 6000
X_SOCKET_DIR = "/tmp/.X11-unix"

NO_DISPLAY = _("no display found; from a terminal use `mpgui run` or `mpgui trace`")

# The Qt platforms that need a display server; any other one asked for is trusted.
_X11 = "xcb"
_WAYLAND = ("wayland", "wayland-egl", "wayland-brcm")


def requested_platforms() -> list[str]:
    """The platform plugins QT_QPA_PLATFORM names, in the order Qt tries them
    ("wayland;xcb" is a list; "offscreen:fontengine=freetype" has options)."""
    value = os.environ.get("QT_QPA_PLATFORM", "")
    return [p.split(":", 1)[0].strip() for p in value.split(";") if p.strip()]


def display_available() -> bool:
    """Whether Qt will find somewhere to open a window: always on Windows and macOS;
    on Linux and the other Unixes, a platform that needs no server (offscreen, minimal,
    eglfs, vnc…) asked for, or an X server or Wayland compositor that answers."""
    if sys.platform in ("win32", "darwin"):
        return True
    platforms = requested_platforms()
    if platforms and not all(p == _X11 or p in _WAYLAND for p in platforms):
        return True  # offscreen, minimal, eglfs, linuxfb, vnc…: no server to ask
    # Unasked, Qt takes Wayland in a Wayland session, else X11: either server will do.
    wanted = platforms or [*_WAYLAND[:1], _X11]
    return _within(CHECK_TIMEOUT_S, lambda: any(
        (_x_reachable() if p == _X11 else _wayland_reachable()) for p in wanted))


def _within(seconds: float, check) -> bool:  # type: ignore[no-untyped-def]
    """`check()`, or False if it has not answered in `seconds` (a name lookup of a
    remote DISPLAY's host has no timeout of its own)."""
    result: list[bool] = []
    worker = threading.Thread(target=lambda: result.append(bool(check())), daemon=True)
    worker.start()
    worker.join(seconds)
    return bool(result and result[0])


def parse_x_display(value: str) -> tuple[str, int] | None:
    """DISPLAY's host and display number: ":0" -> ("", 0), "localhost:10.0" ->
    ("localhost", 10), "unix:1" -> ("unix", 1); None if it is not one."""
    host, sep, rest = value.rpartition(":")
    if not sep:
        return None
    number = rest.split(".", 1)[0]
    if not number.isdigit():
        return None
    return host, int(number)


def _x_reachable() -> bool:
    display = os.environ.get("DISPLAY", "")
    parsed = parse_x_display(display)
    if parsed is None:
        return False
    host, number = parsed
    if host.startswith("/"):  # a socket path of its own (XQuartz's launchd display)
        return _unix_connects(display.rpartition(":")[0], x11=True) or os.path.exists(host)
    if host in ("", "unix"):
        path = f"{X_SOCKET_DIR}/X{number}"
        # Linux X servers listen on an abstract socket too (a container may see only it)
        return (sys.platform.startswith("linux") and _unix_connects("\0" + path, x11=True)) \
            or _unix_connects(path, x11=True)
    return _tcp_connects(host.strip("[]"), X_TCP_BASE_PORT + number)


def _wayland_reachable() -> bool:
    name = os.environ.get("WAYLAND_DISPLAY", "")
    if not name:
        return False
    if not os.path.isabs(name):
        runtime = os.environ.get("XDG_RUNTIME_DIR", "")
        if not runtime:
            return False
        name = os.path.join(runtime, name)
    return _unix_connects(name)


def _unix_connects(path: str, *, x11: bool = False) -> bool:
    with contextlib.suppress(OSError, ValueError), \
            socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(CONNECT_TIMEOUT_S)
        sock.connect(path)
        return _x_server_answers(sock) if x11 else True
    return False


def _tcp_connects(host: str, port: int) -> bool:
    with contextlib.suppress(OSError, ValueError), \
            socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S) as sock:
        return _x_server_answers(sock)
    return False


# An X11 connection set-up (little-endian, no authorization) for protocol version 0.0:
# any X server answers it at once, with Failed ("Protocol version mismatch"). A
# connection alone proves little: a firewall or proxy may accept any TCP connection and
# then say nothing. Not 11.0: a server that said Success makes this probe a client,
# and the last client to leave a server (a bare Xvfb's only one) makes it reset — Qt,
# connecting the next moment, was refused and aborted (SIGABRT) now and then.
_X_SETUP = b"l\0" + (0).to_bytes(2, "little") + bytes(8)
_X_ANSWERS = (0, 1, 2)  # Failed, Success, Authenticate


def _x_server_answers(sock: socket.socket) -> bool:
    sock.sendall(_X_SETUP)
    first = sock.recv(1)
    return len(first) == 1 and first[0] in _X_ANSWERS
