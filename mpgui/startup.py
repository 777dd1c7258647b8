"""What the window's start does to be quick: the garbage collector paused, PySide6's
source check of each imported module made cheap (`quicken_pyside_imports`), pyqtgraph's
copies of Qt's modules filled on use (`quicken_pyqtgraph_import`), the code of the
dataclasses' methods compiled once, not at every start (`quicken_dataclasses`) — and
two things the window does to keep its frames even: no huge pages for numpy's arrays
(`no_huge_page_stalls`), and big arrays that grow without being copied
(`big_arrays_grow_in_place`).

Importing mpgui, Qt's bindings and pyqtgraph and building the window make some hundred
thousand objects that all stay alive for the whole session. Each automatic collection in
that time walks more of them and frees nothing: together about a tenth of the start-up
(measured: 40 ms of ~450). So the GUI's start pauses the collector, and once the window
is up `resume_collector` moves everything made so far to the collector's permanent
generation (``gc.freeze``) — later collections, during a live run, never walk them again
— and turns it back on. Nothing is lost: objects are still freed by reference counting,
and cycles made during start-up are few and small.
"""

from __future__ import annotations
import __future__

import builtins
import contextlib
import gc
import marshal
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import CodeType
from typing import Any

from mpgui.finders import spec_elsewhere


def pause_collector() -> None:
    """Before the GUI's imports: no automatic collection until `resume_collector`."""
    gc.disable()


def resume_collector() -> None:
    """Once the window is up: what start-up made is kept out of later collections, and
    automatic collection is back on. (The dataclasses' and PySide6's code compiled
    during the start, and which modules' files name PySide6, are kept for the next one:
    `quicken_dataclasses`, `quicken_pyside_imports`.)"""
    gc.freeze()
    gc.enable()
    for kept in (_dataclass_code, _pyside_code, _pyside_mentions):
        if kept is not None:
            kept.save()


_KEPT_LIMIT = 64 << 20  # a kept file bigger than this is not one mpgui wrote: ignored


class _Kept:
    """Answers worked out at one start and kept in a file for the next, by what they
    answer (a source text, a file's name...), as Python keeps a module's byte code in
    ``__pycache__`` — the same trust: a file in the user's cache folder, which only the
    user can write.

    The file holds what the last start used, no more (what an update changed leaves
    nothing behind); it is written through the one atomic writer, and only if this start
    had to work something out. A file that cannot be read or is not what it should be
    (`valid`) is ignored: everything is worked out as without it, and written again."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.known: dict[Any, Any] = {}
        self.used: dict[Any, Any] = {}
        self.worked_out = 0  # answers not found in the file (or out of date)
        from mpgui.model.userfile import open_regular

        try:
            # (never blocks on a FIFO or a device put there: they are refused unopened)
            with open_regular(path, "a cache file", OSError) as kept:
                data = kept.read(_KEPT_LIMIT + 1)
            loaded = marshal.loads(data) if len(data) <= _KEPT_LIMIT else None
        except (OSError, ValueError, EOFError, TypeError):
            return
        if isinstance(loaded, dict) and all(self.valid(k, v) for k, v in loaded.items()):
            self.known = loaded

    def valid(self, key: object, value: object) -> bool:
        """Whether an entry read from the file is of the kind this file keeps."""
        raise NotImplementedError

    def save(self) -> None:
        """Keep what this start used for the next, if it was not all in the file."""
        if not self.worked_out:
            return
        self.worked_out = 0
        from mpgui.model.fileformat import WriteError, atomic_write

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, marshal.dumps(self.used))
        except (OSError, WriteError):
            pass  # (only a cache: the next start works it out again)


class _KeptCode(_Kept):
    """Code compiled from a source text, kept by that text (and by whatever else
    `compile` was told)."""

    def valid(self, key: object, value: object) -> bool:
        return type(key) in (str, tuple) and type(value) is CodeType

    def code(self, key: object, compile_: Callable[[], CodeType]) -> CodeType:
        """The code kept for `key`, else `compile_()`'s, kept from now on."""
        code = self.known.get(key)
        if code is None:
            code = self.known[key] = compile_()
            self.worked_out += 1
        self.used[key] = code
        return code


class _DataclassCode(_KeptCode):
    """The compiled code of the dataclasses' generated methods, by source text.

    On Python 3.11 and 3.12 the dataclasses module writes each class's ``__init__``,
    ``__repr__``, ``__eq__``, ``__hash__``... as source text and compiles each with
    ``exec``: for the window's 85 dataclasses, 468 compilations, 40 ms of every start
    (a tenth of the imports). The text depends only on the class's definition, so the
    code compiled from it is the same at every start: ``exec`` runs it from the file."""

    @property
    def compiled(self) -> int:
        """Sources not found in the file, this start."""
        return self.worked_out

    def exec(self, source: object, globals_: dict | None = None,  # type: ignore[type-arg]
             locals_: object = None, /) -> None:
        """``exec`` as the dataclasses module calls it, with the code from the file."""
        if type(source) is not str:
            builtins.exec(source, globals_, locals_)  # type: ignore[arg-type]
            return
        # (dont_inherit: compiled as the dataclasses module's own exec would, not with
        # this module's __future__ annotations)
        code = self.code(source, lambda: compile(source, "<string>", "exec", dont_inherit=True))
        builtins.exec(code, globals_, locals_)  # type: ignore[arg-type]


_dataclass_code: _DataclassCode | None = None


def _cache_dir() -> Path:
    """mpgui's folder in the user's cache folder (XDG_CACHE_HOME, else ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mpgui"


def dataclass_cache_file() -> Path:
    """Where the dataclasses' compiled code is kept: the user's cache folder, one file
    per Python byte code version."""
    import importlib.util

    return _cache_dir() / (f"dataclasses-{sys.implementation.cache_tag}-"
                           f"{importlib.util.MAGIC_NUMBER.hex()}.marshal")


def pyside_code_file() -> Path:
    """Where PySide6's compiled support modules are kept (`_kept_pyside_code`): the
    user's cache folder, one file per Python byte code version."""
    import importlib.util

    return _cache_dir() / (f"pyside-code-{sys.implementation.cache_tag}-"
                           f"{importlib.util.MAGIC_NUMBER.hex()}.marshal")


def pyside_mentions_file() -> Path:
    """Where `_PysideMentions` keeps its answers: the user's cache folder, one file per
    Python (each has its own modules)."""
    return _cache_dir() / f"pyside-mentions-{sys.implementation.cache_tag}.marshal"


class _PysideMentions(_Kept):
    """Whether a module's source file has the word "PySide6" in it, kept by the file's
    name, modification time and size.

    Reading the ~450 files the window imports to look for the word took ~10–13 ms of
    every start on a 2-core virtual machine; asking each file's time and size takes
    ~1.4 ms. A file whose time or size changed is read again."""

    def valid(self, key: object, value: object) -> bool:
        return type(key) is str and type(value) is tuple and len(value) == 3 \
            and type(value[0]) is int and type(value[1]) is int and type(value[2]) is bool

    @property
    def read(self) -> int:
        """Files read this start: not known, or changed."""
        return self.worked_out

    def mentions(self, source: str) -> bool:
        """Whether the file `source` has the bytes "PySide6" in it. Raises OSError."""
        stat = os.stat(source)
        stamp = (stat.st_mtime_ns, stat.st_size)
        kept = self.known.get(source)
        if kept is None or kept[:2] != stamp:
            # (timed before the read: a file changed meanwhile is read again next time)
            with open(source, "rb") as text:
                kept = (*stamp, b"PySide6" in text.read())
            self.worked_out += 1
        self.used[source] = kept
        return bool(kept[2])


_pyside_mentions: _PysideMentions | None = None
_pyside_code: _KeptCode | None = None

# What a module's `from __future__ import ...` sets, which `compile` takes from its caller
# unless told not to (``dont_inherit``)
_FUTURE_FLAGS = 0
for _feature in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag


@contextlib.contextmanager
def _kept_pyside_code() -> Iterator[None]:
    """For the length of PySide6's first import: ``compile`` gives the code kept from
    the last start for the same source (`_KeptCode`, in `pyside_code_file`).

    PySide6 keeps its support modules (signatures, enums, its ``__feature__`` switch) as
    source text in a zip inside shiboken6's library and compiles each at every start
    (``compile(f.read(), filename, "exec")``): 14 modules, ~20 ms of importing QtCore
    (measured interleaved on a 2-core virtual machine, median of 6: ~72 ms with the
    kept code against ~100 without). Only calls the kept code can stand for go through
    it — a str or bytes source, no flags, the default optimisation — each kept by its
    file name, mode, the ``__future__`` flags its caller passes on, the interpreter's
    optimisation level and the source itself; any other call is compiled as usual."""
    global _pyside_code
    if "shiboken6" in sys.modules:  # (imported already: nothing left to compile)
        yield
        return
    kept = _pyside_code = _KeptCode(pyside_code_file())
    real = builtins.compile

    def kept_compile(source: Any, filename: Any, mode: str, flags: int = 0,
                     dont_inherit: bool = False, optimize: int = -1, **more: Any) -> Any:
        if more or flags or optimize != -1 or type(source) not in (str, bytes) \
                or type(filename) is not str:
            return real(source, filename, mode, flags, dont_inherit, optimize, **more)
        # (compiled here with its caller's __future__ flags, not this module's)
        inherited = 0 if dont_inherit else sys._getframe(1).f_code.co_flags & _FUTURE_FLAGS
        return kept.code((filename, mode, inherited, sys.flags.optimize, source),
                         lambda: real(source, filename, mode, inherited, True))

    builtins.compile = kept_compile
    try:
        yield
    finally:
        builtins.compile = real


def quicken_dataclasses() -> None:
    """Before the GUI's imports: the dataclasses module compiles its generated methods
    through `_DataclassCode` (a name ``exec`` in that module's globals, which its calls
    find before the built-in one). Only in the window's own process — never in a traced
    script's, whose dataclasses are the user's — and only on the Pythons that compile
    each method from text (3.11, 3.12)."""
    global _dataclass_code
    import dataclasses

    if _dataclass_code is not None or sys.version_info[:2] not in ((3, 11), (3, 12)) \
            or "exec" in vars(dataclasses):
        return
    _dataclass_code = _DataclassCode(dataclass_cache_file())
    dataclasses.exec = _dataclass_code.exec  # type: ignore[attr-defined]


def quicken_pyside_imports() -> None:
    """Before the GUI's own imports: PySide6's check of each module imported after it
    reads the module's source as text lines (``inspect.getsource``) to look for the word
    "PySide6" (PYSIDE-2029, for its ``__feature__`` switching). For the ~150 modules of
    mpgui's window that is a tenth of the start-up. The same question is answered by
    looking for the bytes in the file, which is what this installs, with each file's
    answer kept for the next start (`_PysideMentions`). Where PySide6 has no such check
    (another release) or cannot be imported, nothing is changed: the window's own import
    then says what is wrong."""
    global _pyside_mentions
    try:
        with _kept_pyside_code():
            import PySide6.QtCore  # noqa: F401 (loads the check this replaces)
    except ImportError:
        return

    feature = sys.modules.get("shibokensupport.feature")
    upstream = getattr(feature, "_mod_uses_pyside", None)
    if upstream is None or getattr(upstream, "quick", False):
        return
    mentions = _pyside_mentions = _PysideMentions(pyside_mentions_file())

    def uses_pyside(module: object) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return bool(upstream(module))  # compiled-only, built in: as PySide6 decides
        try:
            return mentions.mentions(path)
        except OSError:
            return bool(upstream(module))

    uses_pyside.quick = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[union-attr]


# pyqtgraph's own copies of Qt's modules, and the PySide6 module each copies
_PYQTGRAPH_MIRRORS = {"pyqtgraph.Qt.QtCore": "PySide6.QtCore",
                      "pyqtgraph.Qt.QtGui": "PySide6.QtGui",
                      "pyqtgraph.Qt.QtWidgets": "PySide6.QtWidgets"}


def quicken_pyqtgraph_import() -> None:
    """After `quicken_pyside_imports`, before the GUI's own imports: import pyqtgraph
    with its copies of Qt's modules filled as they are used, not all at once.

    pyqtgraph keeps a module of its own for each of QtCore, QtGui and QtWidgets
    (``pyqtgraph.Qt.QtCore``...), and as it is imported it copies every name of
    PySide6's into them (``_copy_attrs``: ``getattr`` on each name ``dir`` lists).
    PySide6 makes each class, with its enums as Python ``enum`` classes, the first time
    it is asked for, so the copy makes all of them: 642 enums, of which the window
    needs some 430, and an enum costs ~0.15 ms to make on Python 3.11 — about a tenth
    of the start-up (measured interleaved on a 2-core virtual machine: start to a
    painted window, median of 10, ~460 ms against ~525).

    Here each copy is given a module ``__getattr__`` that looks a name up in PySide6's
    module the first time pyqtgraph asks for it and keeps it, and for the length of the
    import PySide6's modules list no names to that copying function alone (their
    ``__dir__``; anyone else asking gets their names), so the copy has nothing to copy.
    Every name pyqtgraph uses is then the same object as before, found on first use;
    the names it sets on its copies itself stay its own. Nothing is done if
    pyqtgraph is imported already, if it is told to use another binding
    (``PYQTGRAPH_QT_LIB``) or if PySide6 cannot be imported (the window's own import
    then says what is wrong)."""
    if "pyqtgraph" in sys.modules or os.environ.get("PYQTGRAPH_QT_LIB", "PySide6") != "PySide6":
        return
    try:
        import PySide6.QtCore  # the three modules pyqtgraph mirrors
        import PySide6.QtGui
        import PySide6.QtWidgets  # noqa: F401
    except ImportError:
        return
    sources = {mirror: sys.modules[name] for mirror, name in _PYQTGRAPH_MIRRORS.items()}
    finder = _LazyQtMirrors(sources)
    listed = {module: vars(module).get("__dir__") for module in sources.values()}
    sys.meta_path.insert(0, finder)
    for module, own in listed.items():
        module.__dir__ = _names_but_to_the_copy(module, own)  # type: ignore[method-assign]
    try:
        import pyqtgraph  # noqa: F401
    except ImportError:
        pass  # (the window's own import raises it again, where it is reported)
    finally:
        sys.meta_path.remove(finder)
        for module, own in listed.items():
            if own is None:
                del module.__dir__
            else:
                module.__dir__ = own  # type: ignore[method-assign]


def _names_but_to_the_copy(module: object, own: Callable[[], list[str]] | None
                           ) -> Callable[[], list[str]]:
    """A module's ``__dir__`` that lists no names to pyqtgraph's ``_copy_attrs`` and
    the module's names (as `own` lists them, else its namespace's) to every other
    caller."""

    def __dir__() -> list[str]:
        caller = sys._getframe(1)  # (dir() is built in: the frame that called it)
        if caller.f_code.co_name == "_copy_attrs" \
                and caller.f_globals.get("__name__") == "pyqtgraph.Qt":
            return []
        return own() if own is not None else list(vars(module))

    return __dir__


class _LazyQtMirrors:
    """An import finder for pyqtgraph's copies of Qt's modules: each is found and loaded
    as usual (from its files, or from a frozen app's archive), then given a module
    ``__getattr__`` that takes a name from the PySide6 module it mirrors on first use."""

    def __init__(self, sources: dict[str, object]) -> None:
        self.sources = sources

    def find_spec(self, name: str, path: object = None, target: object = None) -> object:
        source = self.sources.get(name)
        if source is None:
            return None
        spec = spec_elsewhere(self, name, path, target)
        if spec is None:
            return None
        loader = spec.loader
        if loader is not None and hasattr(loader, "exec_module"):
            spec.loader = _MirrorLoader(loader, source)
        return spec


class _MirrorLoader:
    """Loads a mirror with its own loader, then adds the look-up on first use."""

    def __init__(self, loader: object, source: object) -> None:
        self.loader, self.source = loader, source

    def create_module(self, spec: object) -> object:
        create = getattr(self.loader, "create_module", None)
        return None if create is None else create(spec)

    def exec_module(self, module: object) -> None:
        self.loader.exec_module(module)  # type: ignore[attr-defined]
        source = self.source

        def __getattr__(name: str) -> object:
            value = getattr(source, name)  # (its AttributeError, as a copy would give)
            setattr(module, name, value)  # found directly from now on
            return value

        module.__getattr__ = __getattr__  # type: ignore[attr-defined]


def no_huge_page_stalls() -> None:
    """In the window's process: numpy's arrays are not asked to be backed by huge pages.

    numpy asks Linux for transparent huge pages for every array of 4 MB or more
    (``madvise``). The chart's columns grow by appends into such arrays, and the first
    write into each new 2 MB of one makes the kernel find and clear a whole huge page
    at once: measured on a 2-core virtual machine, a 38 KB copy into a fresh 16 MB array
    took up to 4–12 ms that way, against at most 0.2–0.4 ms with ordinary pages (and the
    whole fill was quicker). Such a stall lands in one frame. Ordinary pages spread the
    same work over every append. This is numpy's own switch (its environment variable
    NUMPY_MADVISE_HUGEPAGE, read at import), set here for this process only — never in
    the environment, which children and traced scripts inherit."""
    try:
        from numpy._core import multiarray  # numpy 2
    except ImportError:  # numpy 1
        from numpy.core import multiarray  # type: ignore[no-redef]
    setter = getattr(multiarray, "_set_madvise_hugepage", None)
    if setter is not None:  # (a numpy without it never asks for huge pages)
        setter(False)


def paint_on_one_thread() -> None:
    """In the window's process, once its QApplication exists: Qt paints on this thread
    only, never splitting a fill among its pool of painting threads.

    Qt's raster engine cuts every fill more than ~96 pixel rows tall into pieces, hands
    them to a pool of threads (one per core) and waits until all are done. When the
    cores are taken — by a run's busy children, which is what mpgui shows — the pool's
    threads wait for a core while the window's thread waits for them: a repaint of the
    chart then spent a third of its time waiting (a profile beside four CPU hogs: the
    chart's scroll bar alone, 900 rows tall, was cut into 14 pieces at every frame).
    Qt decides once, at the first such fill, from its QT_NO_GUI_THREADPOOL variable:
    set here for that first fill only, never left in the environment, which children
    and traced scripts inherit."""
    import os

    from PySide6.QtGui import QColor, QImage, QPainter

    if "QT_NO_GUI_THREADPOOL" in os.environ:  # (the user's own choice: theirs)
        return
    os.environ["QT_NO_GUI_THREADPOOL"] = "1"
    try:
        image = QImage(1, 256, QImage.Format.Format_ARGB32_Premultiplied)
        painter = QPainter(image)
        painter.fillRect(0, 0, 1, 256, QColor(0, 0, 0, 128))  # (blended: Qt's fill path)
        painter.end()
    finally:
        del os.environ["QT_NO_GUI_THREADPOOL"]


# glibc's mallopt parameters (<malloc.h>)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
GROW_IN_PLACE = 4 << 20  # blocks this big or bigger get pages of their own (mmap)
KEEP_FREED = 128 << 20  # free memory at the heap's top kept for reuse, up to this


def big_arrays_grow_in_place() -> None:
    """In the window's process, on glibc: a block of GROW_IN_PLACE or more that the
    heap's free room cannot hold is mapped on its own, and freed memory is kept (up to
    KEEP_FREED) to be used again.

    A run's columns are `array`s that grow by appends (~6 % at a time), all as long as
    each other, so they grow in the same append. glibc's default puts a block in the
    heap once a block of its size has been freed (its "dynamic mmap threshold", up to
    32 MB; the chart frees such blocks all the time), and a heap block that cannot grow
    where it is moves: every column copied into fresh pages at once. Measured with 256
    children on a 2-core virtual machine: ticks of 15–170 ms, each such a move. A block
    mapped on its own grows by remapping its pages, with no copy. A fixed threshold
    also puts glibc's trimming back to 128 KB, which hands freed memory back at once
    and faults it in again for the next frame's arrays: so freed memory is kept.
    Interleaved, three runs each: the 256-children tick's 99th percentile 25 and 30 ms
    against 50–68 ms (the third, whose children took 9.8 s to start, 99 ms); the
    16-children tick unchanged (8.6–9.5 against 8.3–10.6 ms, four each).
    Children are started afresh with glibc's defaults (a forked one inherits these,
    which only changes how it reuses memory)."""
    if not sys.platform.startswith("linux") or "glibc" not in _libc():
        return
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    mallopt(_M_MMAP_THRESHOLD, GROW_IN_PLACE)
    mallopt(_M_TRIM_THRESHOLD, KEEP_FREED)


def _libc() -> str:
    """The C library's name and version ("glibc 2.36"), or "" if unknown."""
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (ValueError, OSError):
        return ""
