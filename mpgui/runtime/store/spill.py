"""Keeping a run's memory bounded: older printed text goes to a temporary SQLite file.

A flood prints millions of lines; their text is what grows fastest (tens to hundreds of
bytes a line, against 10 bytes for a line's time and lane, 21 for a span). So the trace
stores of this process share one `MemoryBudget` (default 256 MB, ``--memory-mb`` or the
``MPGUI_MEMORY_MB`` environment variable): their columns plus the text they hold in
memory. When that is exceeded, the oldest text chunks move to a `TextSpill` — one SQLite
database per store (the standard library's; no file format of our own), in a private
folder (mode 0700) made for it, removed when the store is closed, garbage-collected or
the program exits. A SIGKILLed mpgui cannot remove it: the next one that spills removes
the folders of mpgui processes that no longer exist.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from mpgui.i18n import _

ENV_MEMORY = "MPGUI_MEMORY_MB"
DEFAULT_MB = 256
MIN_MB, MAX_MB = 16, 1_048_576
_PREFIX = "mpgui-spill-"
# Text is spilled in steps of about this many bytes (one transaction each): large enough
# that spills are not one chunk per arriving batch, small enough that one takes a few
# ms (SQLite writes ~2 GB/s here), not a frame's worth of the window's time.
_SPILL_STEP = 4_000_000
# Text may always use this part of the budget, even when the columns alone fill it:
# otherwise every batch would be spilled on its own.
_MIN_TEXT_SHARE = 1 / 16
# And at most this part: recent text is what is read (the console's last lines); the
# rest of the budget is left to the columns, which the chart needs all of.
_MAX_TEXT_SHARE = 1 / 4


def parse_mb(text: str) -> int:
    """A budget in MB from the command line or the environment; ValueError (saying what
    is accepted) otherwise."""
    try:
        mb = int(text.strip())
    except ValueError:
        mb = 0
    if not MIN_MB <= mb <= MAX_MB:
        raise ValueError(_("the memory budget must be a whole number of MB from {low} to "
                           "{high:,}, not {text}").format(low=MIN_MB, high=MAX_MB,
                                                          text=repr(text)))
    return mb


class _Store(Protocol):
    def column_bytes(self) -> int: ...
    def spill_text(self, target: int) -> int: ...


class MemoryBudget:
    """What the trace stores of this process may hold in memory, in bytes, and the text
    they hold now (`held`). A store reports text it takes or lets go; when `held` passes
    `trigger`, `make_room` spills the oldest text, oldest store first."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0
        self._stores: weakref.WeakValueDictionary[int, _Store] = weakref.WeakValueDictionary()
        self._next = 0
        self.trigger = self._room(0)

    def _room(self, columns: int) -> int:
        return max(min(self.limit - columns, int(self.limit * _MAX_TEXT_SHARE)),
                   int(self.limit * _MIN_TEXT_SHARE))

    def set_limit(self, limit: int) -> None:
        """A new limit (``--memory-mb``): applies from the next text stored."""
        self.limit = limit
        self.trigger = 0  # recompute at once

    def register(self, store: _Store) -> None:
        """Count `store` in (its text is spilled in the order stores registered)."""
        self._stores[self._next] = store
        self._next += 1

    def make_room(self) -> None:
        """Spill the oldest text until what is held is a step below the room the
        columns leave it (half of it, if that is smaller)."""
        stores = [s for _k, s in sorted(self._stores.items())]
        room = self._room(sum(s.column_bytes() for s in stores))
        step = min(_SPILL_STEP, room // 2)
        target = room - step
        for store in stores:
            if self.held <= target:
                break
            store.spill_text(self.held - target)
        # If text could not go (a full disk), try again only a step later.
        self.trigger = max(room, self.held + step)


def _budget_from_env() -> MemoryBudget:
    try:
        mb = parse_mb(os.environ[ENV_MEMORY])
    except (KeyError, ValueError):  # the CLI reports a bad value; the rest use the default
        mb = DEFAULT_MB
    return MemoryBudget(mb * 1_000_000)


BUDGET = _budget_from_env()


def set_memory_mb(mb: int) -> None:
    """Set this process's budget for trace stores, in MB (10^6 bytes)."""
    BUDGET.set_limit(mb * 1_000_000)


class TextSpill:
    """Chunks of a store's printed text on disk: an SQLite table of (chunk number, UTF-8
    bytes) in a temporary file only this user can read."""

    def __init__(self) -> None:
        _remove_stale()
        self.folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-"))  # 0700
        self.path = self.folder / "text.sqlite3"
        self._db = sqlite3.connect(self.path, check_same_thread=False,
                                   isolation_level=None)
        # A scratch file, rebuilt by nobody: no journal, no fsync. A crash loses it
        # either way; the run in memory is what counts.
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        # Chunks are blobs of ~10-50 kB: large pages write them at ~2 GB/s, the default
        # 4 kB ones (a chain of overflow pages each) at half that.
        self._db.execute("PRAGMA page_size=65536")
        self._db.execute("CREATE TABLE chunk (id INTEGER PRIMARY KEY, text BLOB NOT NULL)")
        self._finalizer = weakref.finalize(self, _remove, self._db, self.folder, os.getpid())

    def put(self, chunks: Iterable[tuple[int, bytes]]) -> None:
        """Store chunks (number, text) in one transaction."""
        db = self._db
        db.execute("BEGIN")
        try:
            db.executemany("INSERT INTO chunk (id, text) VALUES (?, ?)", chunks)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def get(self, chunk: int) -> bytes:
        """The text of chunk number `chunk`; KeyError if it was never spilled or the
        spill is closed."""
        try:
            row = self._db.execute("SELECT text FROM chunk WHERE id = ?", (chunk,)).fetchone()
        except sqlite3.ProgrammingError:  # closed
            row = None
        if row is None:
            raise KeyError(chunk)
        return bytes(row[0])

    def chunks(self, first: int, end: int) -> list[tuple[int, bytes]]:
        """Chunks `first` .. `end` - 1 that were spilled, as (number, text), in order
        (one query for a batch of them: reading a whole run back chunk by chunk)."""
        rows = self._db.execute("SELECT id, text FROM chunk WHERE id >= ? AND id < ? "
                                "ORDER BY id", (first, end)).fetchall()
        return [(c, bytes(text)) for c, text in rows]

    def close(self) -> None:
        """Close the database and remove its folder."""
        self._finalizer()

    @property
    def closed(self) -> bool:
        """Whether close() ran (the file is gone)."""
        return not self._finalizer.alive


def _remove(db: sqlite3.Connection, folder: Path, owner: int) -> None:
    if os.getpid() != owner:  # a forked child's copy: the folder is its parent's
        return
    with contextlib.suppress(sqlite3.Error):
        db.close()
    shutil.rmtree(folder, ignore_errors=True)


def _remove_stale() -> None:
    """Remove spill folders left by mpgui processes that were killed (SIGKILL runs no
    clean-up): those of this user whose process no longer exists."""
    base = Path(tempfile.gettempdir())
    try:
        entries = list(base.glob(f"{_PREFIX}*"))
    except OSError:
        return
    for folder in entries:
        pid_text = folder.name[len(_PREFIX):].split("-", 1)[0]
        try:
            if not pid_text.isdigit() or folder.stat().st_uid != os.getuid():
                continue
        except (OSError, AttributeError):
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (OSError, OverflowError):
            pass
