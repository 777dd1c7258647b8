"""Records as files keep them: a declared list of fields, each with the types a file may
hold, checked when read.

A run file writes a record (a lane, a join, ...) as a JSON object with these fields in
this order (an optional one at its default left out) and reads it back through the same
list, so a field is declared once — not copied by hand into a writer and a reader that
could drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from mpgui.i18n import _


class _Required:
    """The default of a field every file has."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()
NONE = type(None)


@dataclass(frozen=True)
class Field:
    """One field of a record in a file."""

    name: str  # the record's attribute, and the file's key
    types: tuple[type, ...]  # the JSON types it may have (a bool is never an int here)
    default: Any = REQUIRED  # what a file without it means (a field added later)
    lane: bool = False  # it names a lane of the run: 0 <= value < number of lanes (or None)
    valid: Callable[[Any], bool] | None = None  # what more than its type it must be
    says: str = ""  # what a wrong value is told; "" for the usual words
    to_file: Callable[[Any], Any] | None = None  # the attribute as JSON (else as it is)
    from_file: Callable[[Any], Any] | None = None  # the JSON as the attribute

    @property
    def required(self) -> bool:
        """Whether a file must have it."""
        return self.default is REQUIRED


def fits(value: object, types: tuple[type, ...]) -> bool:
    """Whether `value` is of one of `types` (True and False are not whole numbers)."""
    return isinstance(value, types) and not (isinstance(value, bool) and bool not in types)


def encode(fields: Iterable[Field], record: object) -> dict[str, Any]:
    """`record`'s fields as a JSON object, in the declared order — but for optional
    fields at their default, which a file without them means: a traced queue's two
    million records leave out their four empty fields (a run file 40 % smaller)."""
    out: dict[str, Any] = {}
    for f in fields:
        value = getattr(record, f.name)
        if f.to_file is not None:
            value = f.to_file(value)
        if f.default is not REQUIRED and value == f.default and \
                type(value) is type(f.default):  # (0 is not False, nor 1.0 1)
            continue
        out[f.name] = value
    return out


def decode(fields: tuple[Field, ...], d: dict[str, Any], where: str, n_lanes: int,
           error: Callable[[str], Exception]) -> dict[str, Any]:
    """The attributes that the JSON object `d` (at `where` in the file) gives, checked
    field by field: raises `error` ("where.field: what is wrong") at the first wrong."""
    out = _checked(_plan(fields), d, n_lanes)
    return out if out is not None else _decode_wrong(fields, d, where, n_lanes, error)


def decode_all(fields: tuple[Field, ...], items: list[Any], key: str, n_lanes: int,
               error: Callable[[str], Exception]) -> Iterator[dict[str, Any]]:
    """`decode` of each JSON object of the list `items` (under `key` in the file): raises
    `error` ("key[i].field: what is wrong", "key[i]: expected an object") at the first
    wrong. (A run file of a traced queue holds two million records.)"""
    plan = _plan(fields)
    for i, d in enumerate(items):
        out = _checked(plan, d, n_lanes) if type(d) is dict else None
        if out is None:
            where = f"{key}[{i}]"
            if not isinstance(d, dict):
                raise error(_("{where}: expected an object").format(where=where))
            out = _decode_wrong(fields, d, where, n_lanes, error)
        yield out


def _checked(plan: list[tuple[Any, ...]], d: dict[str, Any], n_lanes: int,
             ) -> dict[str, Any] | None:
    """`d`'s attributes by the fields' `plan`, or None if anything is wrong (which the
    field-by-field walk of `_decode_wrong` then says)."""
    out: dict[str, Any] = {}
    for name, types, default, bool_ok, valid, lane, from_file in plan:
        if name in d:
            value = d[name]
        elif default is REQUIRED:
            return None
        else:
            value = default
        if not isinstance(value, types) or ((value is True or value is False) and not bool_ok) \
                or (valid is not None and not valid(value)) \
                or (lane and isinstance(value, int) and not 0 <= value < n_lanes):
            return None
        out[name] = value if from_file is None else from_file(value)
    return out


# fields -> how they are checked: (name, types, default, whether a bool is one of the
# types, valid, lane, from_file) each; the fields are kept with it (an id may be reused).
_plans: dict[int, tuple[tuple[Field, ...], list[tuple[Any, ...]]]] = {}


def _plan(fields: tuple[Field, ...]) -> list[tuple[Any, ...]]:
    kept = _plans.get(id(fields))
    if kept is None or kept[0] is not fields:
        kept = _plans[id(fields)] = (fields, [
            (f.name, f.types, f.default, bool in f.types, f.valid, f.lane, f.from_file)
            for f in fields])
    return kept[1]


def _decode_wrong(fields: tuple[Field, ...], d: dict[str, Any], where: str, n_lanes: int,
                  error: Callable[[str], Exception]) -> dict[str, Any]:
    """decode's walk, field by field, that says what is wrong."""
    out: dict[str, Any] = {}
    for f in fields:
        missing = f.name not in d
        value: Any = f.default if missing and not f.required else d.get(f.name)
        problem = ""
        if (missing and f.required) or not fits(value, f.types) or (
                f.valid is not None and not f.valid(value)):
            problem = _("missing or of the wrong type") if f.required \
                else _("of the wrong type")
        elif f.lane and isinstance(value, int) and not 0 <= value < n_lanes:
            problem = _("no such lane")
        if problem:
            raise error(f"{where}.{f.name}: {f.says or problem}")
        out[f.name] = f.from_file(value) if f.from_file is not None else value
    return out


def whole_numbers(value: object) -> bool:
    """A list of whole numbers (not booleans)."""
    return isinstance(value, list) and all(fits(x, (int,)) for x in value)
