"""Reading a file that a user names: the one place scenario files, run files and the
like are opened.

A name given on the command line, chosen in File → Open or dropped on the window may be
anything: a folder, a named pipe (FIFO), a device such as ``/dev/zero`` or ``/dev/tty``,
a socket, or a file of gigabytes. Opening a FIFO for reading blocks until a writer comes
— forever — and reading a device never ends; a huge file fills the memory. So a file is
read only when it is a regular file, checked before it is opened (``os.stat``) and again
on the open descriptor (``fstat``, in case the name was swapped in between), and never
more than a bound is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from mpgui.i18n import _
from mpgui.model.escape import shown

# Opening never blocks (a FIFO with no writer) and never makes a terminal ours.
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_BINARY", 0))


def kind_of(mode: int) -> str | None:
    """What a file of `mode` (st_mode) is, in plain words, if it is not a regular file;
    None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return _("a folder")
    if stat.S_ISFIFO(mode):
        return _("a named pipe (FIFO)")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    return _("not a regular file")


def _problem(path: Path, exc: OSError, what: str) -> str:
    name = shown(path)
    if isinstance(exc, FileNotFoundError):
        return _("{name} does not exist").format(name=name)
    if isinstance(exc, PermissionError):
        return _("{name} cannot be read (permission denied)").format(name=name)
    if isinstance(exc, IsADirectoryError):
        return _("{name} is a folder, not {what}").format(name=name, what=what)
    return _("{name} cannot be read ({reason})").format(name=name,
                                                        reason=shown(exc.strerror or exc))


def check_regular(path: str | os.PathLike[str], what: str,
                  error: type[Exception] = ValueError) -> None:
    """Raise `error` (naming the problem) unless `path` is an existing regular file.
    `what` names what the file should be: "a scenario file"."""
    p = Path(path)
    try:
        mode = os.stat(p).st_mode
    except OSError as exc:
        raise error(_problem(p, exc, what)) from None
    except ValueError:  # a NUL in the name
        raise error(_("{name} is not a file name").format(name=shown(p))) from None
    kind = kind_of(mode)
    if kind is not None:
        raise error(_("{name} is {kind}, not {what}").format(name=shown(p), kind=kind,
                                                             what=what)) from None


def open_regular(path: str | os.PathLike[str], what: str,
                 error: type[Exception] = ValueError) -> BinaryIO:
    """`path` opened for reading in binary, if it is a regular file; else `error`
    naming the problem. Never blocks on a FIFO or a device: they are refused unopened."""
    p = Path(path)
    check_regular(p, what, error)
    try:
        fd = os.open(p, _OPEN_FLAGS)
    except OSError as exc:
        raise error(_problem(p, exc, what)) from None
    try:
        kind = kind_of(os.fstat(fd).st_mode)  # swapped for a FIFO since the stat?
        if kind is not None:
            raise error(_("{name} is {kind}, not {what}").format(name=shown(p), kind=kind,
                                                                 what=what))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a regular file: reads are whole again
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bounded(path: str | os.PathLike[str], limit: int, what: str,
                 error: type[Exception] = ValueError) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them; a larger file
    raises `error` saying how large it is and what is allowed."""
    p = Path(path)
    with open_regular(p, what, error) as f:
        try:
            size = os.fstat(f.fileno()).st_size
            if size > limit:
                raise error(too_large(p, size, limit, what))
            data = f.read(limit + 1)  # the file may have grown since the fstat
        except OSError as exc:
            raise error(_problem(p, exc, what)) from None
    if len(data) > limit:
        raise error(too_large(p, len(data), limit, what))
    return data


def too_large(path: Path, size: int, limit: int, what: str) -> str:
    """The message for a file of `size` bytes where at most `limit` are read."""
    return _("{name} is {size}; {what} is at most {limit}").format(
        name=shown(path.name), size=_megabytes(size), what=what,
        limit=_megabytes(limit, exact=True))


def _megabytes(n: int, exact: bool = False) -> str:
    if exact and n % 1_000_000 == 0:
        return _("{mb} MB").format(mb=n // 1_000_000)
    return _("{mb:.1f} MB").format(mb=n / 1e6)
