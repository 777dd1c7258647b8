"""Standard output that can fail: `mpgui code > file` on a full disk (ENOSPC, or EFBIG
over a file size limit), `mpgui run seed | head` (EPIPE). Writes are flushed at once,
so that a failure is raised where it can be reported, never left to Python's flush at
interpreter exit (an "Exception ignored" note and exit status 120)."""

from __future__ import annotations

import os
import sys
from typing import TextIO


class OutputFailed(Exception):
    """Standard output could not be written; `error` is the OSError."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error.strerror or str(error))
        self.error = error


def write_out(text: str, out: TextIO | None = None) -> None:
    """`text` to `out` (standard output by default), flushed. Raises OutputFailed."""
    out = out if out is not None else sys.stdout
    try:
        fd = _file_descriptor(out)
        if fd is None:
            out.write(text)
            out.flush()
            return
        # Python's buffered stdout can drop the rest of a short write (a file that
        # reached its size limit) without an error: write the bytes ourselves, to the
        # last one or to the error.
        out.flush()  # what was written before goes first
        data = memoryview(text.encode(out.encoding or "utf-8", out.errors or "strict"))
        while data:
            data = data[os.write(fd, data):]
    except OSError as exc:
        raise OutputFailed(exc) from exc


def _file_descriptor(out: TextIO) -> int | None:
    """The file descriptor under `out`, if its bytes can be written to it as they are
    (not on Windows, where the text layer turns newlines into CR LF)."""
    if os.name == "nt":
        return None
    try:
        return out.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation: a StringIO
        return None


def flush_out() -> None:
    """Write out whatever standard output still buffers. Raises OutputFailed."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except OSError as exc:
        raise OutputFailed(exc) from exc
