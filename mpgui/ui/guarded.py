"""Qt overrides that must not raise.

PySide 6.11 crashes — a segmentation fault in shiboken's report of the error — when an
exception leaves a virtual override that Qt calls, such as a graphics item's paint(). A
bug in drawing would then take the window, and the user's unsaved work, with it. An
override marked `@guarded` reports the error on stderr instead (once per distinct
traceback) and returns; the window goes on, and the next paint tries again. The tests
fail on any such report (`tests/conftest.py`), so the guard hides nothing there.
"""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable
from typing import TypeVar

from mpgui.model.escape import shown

F = TypeVar("F", bound=Callable[..., object])

FAILURES: list[str] = []  # the tracebacks reported so far, in order


def guarded(method: F) -> F:
    """`method`, reporting an exception instead of letting it reach Qt."""

    @functools.wraps(method)
    def wrapper(*args: object, **kwargs: object) -> object:
        try:
            return method(*args, **kwargs)
        except Exception:  # (not KeyboardInterrupt: Ctrl+C still ends the program)
            text = traceback.format_exc()
            if text not in FAILURES:
                FAILURES.append(text)
                # Line by line through the one escaper: an exception's message may
                # quote a process name or a printed line, which must not drive the
                # terminal.
                lines = "".join(shown(line) + "\n" for line in text.splitlines())
                sys.stderr.write(f"mpgui: an error while drawing, skipped:\n{lines}")
            return None

    return wrapper  # type: ignore[return-value]
