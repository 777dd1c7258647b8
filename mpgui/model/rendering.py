"""The one renderer of message templates: the line a process prints for iteration i.

Every child imports it, the code generator's f-strings mean the same
(`mpgui.model.message.to_expression`), and the tests compare against it. It imports
nothing, because a child's start-up time is part of what the chart shows.
"""

from __future__ import annotations

# (not typing's, which costs a child's first event 2 ms: "it imports nothing")
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


def renderer(template: str, *, n: int, name: str, pid: int, k: int = 0,
             fields: dict[str, int | str | None] | None = None) -> Callable[[int], str]:
    """The function from the iteration `i` to the printed line. `template` must have
    passed `mpgui.model.message.check_template`. `fields`: a dict the caller keeps
    and may change between lines ({item}, {value}: what the process got or read).

    format_map with one reused dict is twice as fast as keyword arguments, which
    matters in a flood."""
    fields = {} if fields is None else fields
    fields.update({"i": 0, "n": n, "name": name, "pid": pid, "k": k})
    fmt = template.format_map

    def line(i: int) -> str:
        fields["i"] = i
        return fmt(fields)

    return line


def render(template: str, *, i: int, n: int, name: str, pid: int, k: int = 0) -> str:
    """The printed line for one iteration. `template` must have passed check_template."""
    return renderer(template, n=n, name=name, pid=pid, k=k)(i)
