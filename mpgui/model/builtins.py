"""Built-in scenarios: the TOML files under ``resources/scenarios``, the exercises
under ``resources/exercises`` (scenarios with a goal: a section of their own in the
gallery), and the scenarios of the lesson packs the user installed (`lesson_pack`),
named ``PACK:NAME``, a section per pack."""

from __future__ import annotations

import functools
import os
import re
import tomllib
from dataclasses import replace
from pathlib import Path

from mpgui.i18n import N_, _
from mpgui.model.fileformat import SUFFIX, ScenarioFileError, about_from_dict, load_scenario
from mpgui.model.scenario import About, Scenario
from mpgui.resources import resource

TYPE_CHECKING = False
if TYPE_CHECKING:
    from mpgui.model.lesson_pack import Pack

DEFAULT_SCENARIO = "seed"


def scenario_dir() -> Path:
    """The folder of built-in scenario files."""
    return resource("scenarios")


def exercise_dir() -> Path:
    """The folder of built-in exercises."""
    return resource("exercises")


def packs_dir() -> Path:
    """Where installed lesson packs live: the user's data folder (``$XDG_DATA_HOME/
    mpgui/packs``, by default ``~/.local/share/mpgui/packs``)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"),
                                                             ".local", "share")
    return Path(base) / "mpgui" / "packs"


def builtin_names() -> list[str]:
    """The built-in scenario names, the default first, then in gallery order.

    Gallery order comes from a two-digit prefix in the file name (``03-uneven.toml``)
    when there is one, so the order lives with the files.
    """
    names = list(_builtin_files())  # (the scenarios, then the exercises)
    if DEFAULT_SCENARIO in names:
        names.remove(DEFAULT_SCENARIO)
        names.insert(0, DEFAULT_SCENARIO)
    return names + list(_pack_scenarios())


PACK_SEPARATOR = ":"  # a pack's scenario is called PACK:NAME


@functools.cache
def _pack_scenarios() -> dict[str, tuple[Pack, Path, Scenario]]:
    """The installed packs' scenarios by name: (their pack, its folder, the scenario).
    A pack that cannot be read is left out (`broken_packs` says why)."""
    if not packs_dir().is_dir():  # (no pack: the start-up imports nothing more)
        return {}
    from mpgui.model.lesson_pack import installed_packs

    out = {}
    for folder, pack in installed_packs():
        if not isinstance(pack, ValueError):
            for name, scenario in pack.scenarios:
                out[f"{pack.slug}{PACK_SEPARATOR}{name}"] = (pack, folder, scenario)
    return out


def broken_packs() -> list[tuple[Path, str]]:
    """The installed pack folders that cannot be read, and why."""
    if not packs_dir().is_dir():
        return []
    from mpgui.model.lesson_pack import installed_packs

    return [(folder, str(pack)) for folder, pack in installed_packs()
            if isinstance(pack, ValueError)]


def refresh_builtins() -> None:
    """Read the installed packs again (one was imported or removed)."""
    _pack_scenarios.cache_clear()
    load_builtin.cache_clear()
    builtin_about.cache_clear()


EXERCISES = N_("Exercises")  # the gallery's section of the exercises (shown translated)


def builtin_section(name: str) -> str:
    """The gallery section of `name`: "" for the scenarios, "Exercises", or a pack's
    title."""
    pack = _pack_scenarios().get(name)
    if pack is not None:
        return pack[0].title
    return EXERCISES if is_exercise(name) else ""


def pack_of(name: str) -> tuple[Pack, Path] | None:
    """The pack (and its folder) that `name` comes from, if it comes from one."""
    found = _pack_scenarios().get(name)
    return None if found is None else (found[0], found[1])


@functools.cache
def _builtin_files() -> dict[str, Path]:
    # Listed once: the built-ins never change while mpgui runs, and the gallery asks for
    # every one of them as the window opens.
    return {_name_of(f): f for folder in (scenario_dir(), exercise_dir())
            for f in sorted(folder.glob(f"*{SUFFIX}"))}


def is_exercise(name: str) -> bool:
    """Whether the built-in `name` is one of the exercises."""
    path = _builtin_files().get(name)
    return path is not None and path.parent == exercise_dir()


def _name_of(path: Path) -> str:
    stem = path.stem
    head, sep, tail = stem.partition("-")
    return tail if sep and head.isdigit() else stem


def builtin_path(name: str) -> Path:
    """The file of the built-in scenario `name`. Raises ScenarioFileError if unknown."""
    try:
        return _builtin_files()[name]
    except KeyError:
        raise ScenarioFileError(_("no built-in scenario called {name}; `mpgui list` shows "
                                  "them").format(name=repr(name))) from None


@functools.lru_cache(maxsize=64)
def load_builtin(name: str) -> Scenario:
    """The built-in scenario `name` (read once: built-ins never change while mpgui
    runs, and a Scenario is immutable, so every caller can share it)."""
    pack = _pack_scenarios().get(name)
    if pack is not None:
        return pack[2]  # (a teacher's pack: in the teacher's language)
    scenario = load_scenario(builtin_path(name))
    exercise = scenario.exercise
    if exercise is not None:
        exercise = replace(exercise, goal=_(exercise.goal),
                           hints=tuple(_(h) for h in exercise.hints))
    return replace(scenario, about=translated(scenario.about), exercise=exercise)


def translated(about: About) -> About:
    """A built-in's texts in the language chosen (the catalogue has every built-in's:
    `mpgui.translations` extracts them from the files)."""
    return About(*(_(text) if text else text for text in
                   (about.title, about.explanation, about.notice, about.question)))


# The [about] table of a built-in: from its header to the next table's (the built-ins
# write no multi-line strings, whose lines could start with "[").
_ABOUT_TABLE = re.compile(r"^\[about\]\n(.*?)(?=^\[|\Z)", re.S | re.M)


@functools.lru_cache(maxsize=64)
def builtin_about(name: str) -> About:
    """The title and texts of the built-in scenario `name`, for lists of every built-in
    (the gallery, the menu): only its ``[about]`` table is read, a fraction of what
    loading the scenario costs as the window opens. Raises ScenarioFileError."""
    if name in _pack_scenarios():
        return load_builtin(name).about
    try:
        found = _ABOUT_TABLE.search(builtin_path(name).read_text(encoding="utf-8"))
        if found is not None:
            return translated(about_from_dict(tomllib.loads(found.group(1))))
    except (OSError, UnicodeError, ValueError):  # (ScenarioFileError, TOMLDecodeError)
        pass
    return load_builtin(name).about  # the whole file, and its error if it has one


def resolve_scenario(name_or_path: str) -> tuple[Scenario, Path | None]:
    """A built-in name or a ``.toml`` path -> (scenario, the file if it is the user's).

    Raises ScenarioFileError naming the problem.
    """
    looks_like_path = name_or_path.endswith(SUFFIX) or "/" in name_or_path \
        or "\\" in name_or_path
    if looks_like_path or Path(name_or_path).is_file():
        return load_scenario(name_or_path), Path(name_or_path)
    if name_or_path not in builtin_names() and os.path.lexists(name_or_path):
        # Not a built-in, but something of that name is here (a FIFO, a folder): say
        # what it is rather than "no built-in scenario".
        return load_scenario(name_or_path), Path(name_or_path)
    return load_builtin(name_or_path), None
