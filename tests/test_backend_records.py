"""Backends are described once, as records (`mpgui.model.backend`): every record is
complete, an unknown name is refused in plain words, every record has a runtime class
to run it, and no module compares backend names again."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

import mpgui
from mpgui.model.backend import (
    BACKENDS,
    DEFAULT_BACKEND,
    Backend,
    CodeTemplates,
    DaemonsAtEnd,
    UnknownBackend,
    get_backend,
)
from mpgui.runtime.parent.backends import BACKEND_CLASSES, backend_class
from mpgui.runtime.protocol import State

PACKAGE = Path(mpgui.__file__).parent
REGISTRY = PACKAGE / "model" / "backend.py"
# Optional texts: None means "does not apply" (e.g. a row may call sys.exit()).
OPTIONAL = {"exit_problem", "daemon_problem"}


@pytest.mark.parametrize("name", list(BACKENDS))
def test_every_backend_is_described_completely(name: str) -> None:
    backend = BACKENDS[name]
    assert backend.name == name
    for f in dataclasses.fields(Backend):
        value = getattr(backend, f.name)
        if f.name in OPTIONAL:
            assert value is None or (isinstance(value, str) and value), f.name
        elif isinstance(value, str):
            assert value.strip(), f"{name}: {f.name} is empty"
    assert isinstance(backend.daemons_at_end, DaemonsAtEnd)
    assert isinstance(backend.code, CodeTemplates)
    assert backend.code.module and backend.code.current_name and backend.code.join
    # A row is made as an object, or submitted: one of the two.
    assert (backend.code.row_class is None) == bool(backend.code.submit)
    # The states: real ones, each named once, with words for the legend.
    names = [state for state, _label in backend.states]
    assert len(set(names)) == len(names)
    for state, label in backend.states:
        assert isinstance(getattr(State, state.upper(), None), int), state
        assert label.strip()
    assert "running" in names and "waiting" in names


def test_the_records_are_hashable_plain_data() -> None:
    # The runtime registry is keyed by them; a record must not change once made.
    for backend in BACKENDS.values():
        hash(backend)
        with pytest.raises(dataclasses.FrozenInstanceError):
            backend.name = "other"  # type: ignore[misc]


def test_an_unknown_backend_is_refused_naming_the_choices() -> None:
    with pytest.raises(UnknownBackend) as caught:
        get_backend("spark")
    assert str(caught.value) == "'spark' is not a backend; choose processes, threads, pool, dask"
    with pytest.raises(UnknownBackend):  # not even a string (a hostile file's list)
        get_backend(["pool"])  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError)
    assert get_backend(DEFAULT_BACKEND) is BACKENDS["processes"]


def test_every_backend_has_one_runtime_class_naming_its_record() -> None:
    for backend in BACKENDS.values():  # (one whose module is imported when first run)
        cls = backend_class(backend)
        assert cls.description is backend
    assert set(BACKEND_CLASSES) == set(BACKENDS.values())
    other = dataclasses.replace(BACKENDS["processes"], name="toy")
    with pytest.raises(LookupError, match="the toy backend has no runtime class"):
        backend_class(other)


def test_the_runtime_asks_the_record_whether_a_row_can_be_terminated() -> None:
    # "Can it terminate" is said once, in the record; the runtime's classes read it
    # from there (what becomes of daemons at the end: the main program's interpreter
    # reads the record's DaemonsAtEnd). (The run side is not used
    # before open(): a namespace with its three attributes is enough to make one.)
    side = SimpleNamespace(store=None, watch=None, ctx=None)
    for backend, cls in BACKEND_CLASSES.items():
        runtime = cls(side)  # type: ignore[arg-type]
        assert runtime.name == backend.name
        assert runtime.can_terminate is backend.can_terminate


_NAMES = "|".join(map(re.escape, BACKENDS))
# A comparison with a backend's name, written out: `backend == "pool"`, `"threads" !=
# x`, `kind in ("thread", "threads")`, `backends == ("pool", "pool")`; and any backend
# variable compared with a string literal (a new backend's name too).
COMPARISONS = [
    re.compile(rf"""(==|!=|\bin)\s*[(\[{{]?\s*["']({_NAMES})["']"""),
    re.compile(rf"""\bin\s*[(\[{{][^)\]}}\n]*["']({_NAMES})["']"""),
    re.compile(rf"""["']({_NAMES})["']\s*(==|!=|\bin\b|\bnot in\b)"""),
    re.compile(r"""backend\w*\s*(==|!=)\s*["']"""),
]


def comparisons(text: str) -> list[str]:
    """The lines of `text` that compare backend names."""
    return [line.strip() for line in text.splitlines()
            if any(p.search(line) for p in COMPARISONS)]


def test_the_comparison_finder_finds_what_it_should() -> None:
    found = comparisons('a = backend == "pool"\nif store.backend != "processes":\n'
                        'for k in ("thread", "threads"): pass\nif b == ("pool", "pool"):\n'
                        'x = "threads" == y\nif backend_name == "dask":\n')
    assert len(found) == 6
    assert comparisons('if backend.has_workers:\nnames["pool"] = _free(("pool", "the_pool"))\n'
                       'if scenario.backend != DEFAULT_BACKEND:\n') == []


def test_no_module_compares_backend_names_but_the_registry() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == REGISTRY:
            continue
        for line in comparisons(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(PACKAGE)}: {line}")
    assert offenders == [], "ask the backend's record (mpgui.model.backend) instead"


# No circle between the backends and the Runner, and no child host imported by the chart:
# import-linter contracts in pyproject.toml, checked by tests/test_layers.py.
