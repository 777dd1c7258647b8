"""Standard output that can fail: `mpgui code > file` on a full disk (ENOSPC, or EFBIG
over a file size limit), `mpgui run seed | head` (EPIPE). Writes are flushed at once,
so that a failure is raised where it can be reported, never left to Python's flush at
interpreter exit (an "Exception ignored" note and exit status 120)."""

from __future__ import annotations

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
        out.write(text)
        out.flush()
    except OSError as exc:
        raise OutputFailed(exc) from exc


def flush_out() -> None:
    """Write out whatever standard output still buffers. Raises OutputFailed."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except OSError as exc:
        raise OutputFailed(exc) from exc
