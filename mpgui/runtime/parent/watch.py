"""Which children have something to read, asked often and cheaply.

``Connection.poll()`` and ``multiprocessing.connection.wait()`` build a new selector on
every call (about 10 µs). A window polling 16 children every 5 ms spent most of its
time there. On POSIX one selector holds every pipe and process sentinel of a run, and
asking it costs a system call; where pipes cannot be selected (Windows),
``connection.wait()`` is asked instead.
"""

from __future__ import annotations

import contextlib
import os
import selectors
from multiprocessing.connection import wait
from typing import Any


class Watch:
    """Readable objects (pipe ends, process sentinels), each with a tag."""

    def __init__(self) -> None:
        self._selector = selectors.DefaultSelector() if os.name == "posix" else None
        self._tags: dict[Any, Any] = {}

    def add(self, obj: Any, tag: Any) -> None:
        """Watch `obj`; `ready()` returns `tag` when it is readable."""
        if self._selector is not None:
            self._selector.register(obj, selectors.EVENT_READ, tag)
        self._tags[obj] = tag

    def remove(self, obj: Any) -> None:
        """Stop watching `obj` (before it is closed). Unknown objects are ignored."""
        if self._tags.pop(obj, None) is not None and self._selector is not None:
            with contextlib.suppress(KeyError, ValueError, OSError):
                self._selector.unregister(obj)

    def ready(self, timeout: float = 0.0) -> list[Any]:
        """Tags of the objects readable now, waiting up to `timeout` s for one."""
        if not self._tags:
            return []
        if self._selector is not None:
            return [key.data for key, _events in self._selector.select(timeout)]
        return [self._tags[obj] for obj in wait(list(self._tags), timeout)]

    def close(self) -> None:
        """Release the selector."""
        self._tags.clear()
        if self._selector is not None:
            self._selector.close()
