"""The garbage collector while the window starts.

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
