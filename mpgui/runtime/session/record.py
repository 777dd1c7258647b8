"""A finished run as the session keeps it: what ran, how, and everything measured — to
look at again, replay, compare, save as a run file (.mpgrun) and open again."""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mpgui import __version__
from mpgui.i18n import _
from mpgui.model.scenario import About, Scenario
from mpgui.runtime.cpu import cpu_count
from mpgui.runtime.output.runfile import load_run, save_run
from mpgui.runtime.output.summary import RunFigures, run_figures
from mpgui.runtime.session.plan import predict
from mpgui.runtime.session.run import how_it_ran
from mpgui.runtime.store.trace import TraceStore


def prediction(scenario: Scenario, cores: int, speed: float) -> TraceStore | None:
    """The predicted schedule of `scenario` on `cores` at `speed`, or None if it cannot
    be predicted (with shared objects too: `plan_objects`)."""
    try:
        return predict(scenario, cores, speed)
    except Exception:  # a prediction is a help, not a need: never let it fail a view
        return None


@dataclass
class RunRecord:
    """One finished run: what ran, how, and everything measured."""

    scenario: Scenario
    store: TraceStore
    name: str  # the scenario's name when it ran (a built-in's name or a file name)
    speed: float
    start_method: str
    cores: int
    stopped: bool = False
    recorded: str = field(default_factory=lambda: time.strftime("%H:%M:%S"))
    number: int = 0  # the session's run number, from 1
    source: Path | None = None  # the run file it was opened from

    @functools.cached_property
    def figures(self) -> RunFigures:
        """Wall time, CPU time and speed-up."""
        return run_figures(self.store)

    @property
    def title(self) -> str:
        """A short line that tells runs apart: "Run 3 · seed · speed 1 · fork · 10:02:13"
        (with "· threads" or "· pool" when the rows did not run as processes)
        (a run outside the session's history has no number)."""
        where = f" ({self.source.name})" if self.source else ""
        how = _("your script") if self.script is not None else " · ".join(self.details())
        if self.stopped:
            how = _("stopped, {how}").format(how=how)
        title = f"{self.name}{where} · {how} · {self.recorded}"
        if self.number:
            title = _("Run {number} · {title}").format(number=self.number, title=title)
        return title

    def details(self) -> list[str]:
        """How it ran, in words (see run.how_it_ran): ["speed 1", "spawn"]."""
        return how_it_ran(self.speed, self.start_method, self.store.backend)

    @classmethod
    def of_script(cls, store: TraceStore, script: Path, *, stopped: bool = False) -> RunRecord:
        """A traced script's run: no scenario but its name, nothing to predict."""
        return cls(Scenario(about=About(title=script.name)), store, name=script.name,
                   speed=1.0, start_method=_("the script's"), cores=cpu_count(),
                   stopped=stopped)

    @property
    def script(self) -> str | None:
        """The traced script's file name, when this run traced one."""
        name = self.store.info.get("script")
        return name if isinstance(name, str) else None

    def plan(self) -> TraceStore | None:
        """The predicted schedule of this run's scenario, speed and cores (none for a
        traced script: its code is not known ahead)."""
        if self.script is not None:
            return None
        return prediction(self.scenario, self.cores, self.speed)

    def meta(self) -> dict[str, Any]:
        """What a run file keeps besides the scenario and the trace."""
        return {"name": self.name, "speed": self.speed, "start_method": self.start_method,
                "cores": self.cores, "stopped": self.stopped, "recorded": self.recorded,
                "mpgui": __version__}

    def save(self, path: Path, stop: threading.Event | None = None) -> None:
        """Write a run file. Raises ScenarioFileError (`stop`: see `atomic_write`)."""
        save_run(path, self.scenario, self.store, self.meta(), stop)

    @classmethod
    def load(cls, path: Path) -> RunRecord:
        """Read a run file. Raises RunFileError."""
        scenario, store, meta = load_run(path)
        return cls(scenario, store, name=_meta(meta, "name", str, path.stem),
                   speed=float(_meta(meta, "speed", (int, float), 1.0)),
                   start_method=_meta(meta, "start_method", str, "?"),
                   cores=_meta(meta, "cores", int, cpu_count()),
                   stopped=_meta(meta, "stopped", bool, False),
                   recorded=_meta(meta, "recorded", str, ""), source=path)


def _meta(meta: dict[str, Any], key: str, kinds: type | tuple[type, ...], default: Any) -> Any:
    """meta[key] if it has one of the `kinds` (a bool counts as a number only where
    bool is asked for), else `default`: a run file's extras are never trusted."""
    value = meta.get(key)
    wanted = kinds if isinstance(kinds, tuple) else (kinds,)
    if isinstance(value, bool) and bool not in wanted:
        return default
    return value if isinstance(value, wanted) else default
