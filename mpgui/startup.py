"""What the window's start does to be quick: the garbage collector paused, PySide6's
source check of each imported module made cheap (`quicken_pyside_imports`).

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

import gc


def pause_collector() -> None:
    """Before the GUI's imports: no automatic collection until `resume_collector`."""
    gc.disable()


def resume_collector() -> None:
    """Once the window is up: what start-up made is kept out of later collections, and
    automatic collection is back on."""
    gc.freeze()
    gc.enable()


def quicken_pyside_imports() -> None:
    """Before the GUI's own imports: PySide6's check of each module imported after it
    reads the module's source as text lines (``inspect.getsource``) to look for the word
    "PySide6" (PYSIDE-2029, for its ``__feature__`` switching). For the ~150 modules of
    mpgui's window that is a tenth of the start-up. The same question is answered by
    looking for the bytes in the file, which is what this installs. Where PySide6 has no
    such check (another release) or cannot be imported, nothing is changed: the window's
    own import then says what is wrong."""
    try:
        import PySide6.QtCore  # noqa: F401 (loads the check this replaces)
    except ImportError:
        return
    import sys

    feature = sys.modules.get("shibokensupport.feature")
    upstream = getattr(feature, "_mod_uses_pyside", None)
    if upstream is None or getattr(upstream, "quick", False):
        return

    def uses_pyside(module: object) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return bool(upstream(module))  # compiled-only, built in: as PySide6 decides
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return bool(upstream(module))

    uses_pyside.quick = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[union-attr]
