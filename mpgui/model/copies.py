"""How many processes a table row stands for: a fixed number, or so many per CPU core.

"One process per core" is the usual advice, and the way to say it in Python is
``os.cpu_count()``; a scenario that says "per core" shows the same lesson on a laptop
with 4 cores and a classroom PC with 16, instead of hard-coding one machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mpgui.i18n import _

MAX_COPIES = 64
_COUNT = re.compile(r"[0-9]{1,9}")
_COUNT_TEXT = re.compile(r"[0-9]+")
_PER_CORE = re.compile(r"\s*(?:([0-9]{1,2})\s*(?:x|×|\*)?\s*)?per\s+core\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Copies:
    """`count` processes, or `count` per logical CPU when `per_core`."""

    count: int = 1
    per_core: bool = False

    @property
    def single(self) -> bool:
        """One plain process (not a list of them)."""
        return self.count == 1 and not self.per_core

    def resolve(self, cores: int) -> int:
        """How many processes on a machine with `cores` logical CPUs. A count that is
        not valid (see `problem`) counts as 1, so that nothing built from a scenario
        being edited can grow without bound; validation names the problem."""
        count = self.count if self.problem() is None else 1
        return count * max(1, cores) if self.per_core else count

    def __str__(self) -> str:
        if not self.per_core:
            return str(self.count)
        return "per core" if self.count == 1 else f"{self.count} per core"

    def code(self) -> str:
        """The count as a Python expression: 4, os.cpu_count(), 2 * os.cpu_count()."""
        if not self.per_core:
            return str(self.count)
        return "os.cpu_count()" if self.count == 1 else f"{self.count} * os.cpu_count()"

    def problem(self) -> str | None:
        """What is wrong with this value, in plain words, or None."""
        if isinstance(self.count, bool) or not isinstance(self.count, int):
            return _("must be a whole number, not {value}").format(value=repr(self.count))
        if not 1 <= self.count <= MAX_COPIES:
            if self.per_core:
                return _("must be from 1 to {most} per core, not {count}").format(
                    most=MAX_COPIES, count=self.count)
            return _("must be from 1 to {most}, not {count}").format(most=MAX_COPIES,
                                                                     count=self.count)
        return None

    @classmethod
    def parse(cls, value: object) -> Copies:
        """From a file or a cell: 3, "3", "per core", "2 per core". ValueError otherwise."""
        if isinstance(value, bool):
            raise ValueError(_("expected a number or \"per core\", got {value}").format(
                value=repr(value)))
        if isinstance(value, int):
            return cls(value)
        if isinstance(value, str):
            text = value.strip()
            # ASCII digits only: "²" and "٣" are digits to str.isdigit() but not numbers
            # a scenario writes, and int() of a 5000-digit text raises.
            if _COUNT.fullmatch(text):
                return cls(int(text))
            if text.isdigit() or _COUNT_TEXT.fullmatch(text):
                raise ValueError(_("{value} is not a number of copies: write the count with "
                                   "the digits 0-9, from 1 to {most}").format(
                                       value=_shown(value), most=MAX_COPIES))
            m = _PER_CORE.fullmatch(text)
            if m:
                return cls(int(m[1]) if m[1] else 1, per_core=True)
        raise ValueError(_("{value} is not a number of copies; write a number such as 4, "
                           "\"per core\" or \"2 per core\"").format(value=_shown(value)))


def _shown(value: object, limit: int = 40) -> str:
    """A value from the user for a message: as Python writes it, cut when long."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return _("{start}… ({n:,} characters)").format(start=text[:limit], n=len(text))


ONE = Copies()  # a plain process: the default
PER_CORE = Copies(1, per_core=True)  # os.cpu_count()
