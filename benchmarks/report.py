"""A benchmark row and the table they make."""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass


@dataclass
class Row:
    """One figure: what mpgui measured, its baseline, the ratio, the target."""

    figure: str
    measured: str
    baseline: str
    ratio: float | None
    target: str
    ok: bool

    def cells(self) -> list[str]:
        ratio = "" if self.ratio is None else f"{self.ratio:.3f}"
        return [self.figure, self.measured, self.baseline, ratio, self.target,
                "pass" if self.ok else "MISS"]


HEADER = ["figure", "mpgui", "baseline", "ratio", "target", "result"]


def machine() -> str:
    """One line describing this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        pass
    return (f"{cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}, "
            f"Python {sys.version.split()[0]}")


def markdown(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    return "\n".join(lines)
