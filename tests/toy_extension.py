"""The child's side of the toy extension of `tests/test_extension_points.py`: the
executor of its toy operation kind, which prints a line and reports a toy event.

Why a module of its own, under tests/: the rows run in child processes started by
spawn (mpgui's default), each a fresh interpreter that has not seen anything the test
registered in its own process. The toy operation's kind names this module
(``"tests.toy_extension:announce"``), so the child imports it — and with it this
executor — the first time it meets the kind (`mpgui.runtime.child.workloads.prepare`). It
imports only the runtime's child side, as mpgui's own executors do: no model, no Qt.
"""

from __future__ import annotations

from collections.abc import Callable

from mpgui.runtime.child.workloads import Context, executes

ANNOUNCE = f"{__name__}:announce"  # the toy operation's kind, naming this module
LIFTOFF_CODE = 201  # the event code the child sends; no built-in kind uses it


@executes(ANNOUNCE)
def announce(ctx: Context, text: str) -> Callable[[int], None]:
    """Print `text` (a message template) and report it as a toy event."""
    say, line, event = ctx.renderer(text), ctx.r.line, ctx.r.event

    def step(i: int) -> None:
        said = say(i)
        line(said)
        event(LIFTOFF_CODE, said, None)
    return step
