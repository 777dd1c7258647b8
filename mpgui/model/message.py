"""Message templates: the line each process prints, e.g. ``Process 1: {i}``.

A template may only use the documented placeholders, with a small format spec, so a
shared scenario file can neither reach object attributes (``{i.__class__}``) nor make a
child build a gigantic string (``{i:999999999}``).
"""

from __future__ import annotations

import re
import string

from mpgui.model import escape
from mpgui.model.escape import py_literal

# The one renderer, also here beside the templates' rules (a child imports only it).
from mpgui.model.rendering import render as render
from mpgui.model.rendering import renderer as renderer

PLACEHOLDERS: dict[str, str] = {
    "i": "the iteration, counting from 0",
    "n": "the number of iterations",
    "by": "what each update of a counter adds (value += by)",
    "name": "the process name (Process(name=...))",
    "pid": "the process id (os.getpid())",
    "k": "the copy number, for a row with copies (0 otherwise)",
    "item": "the item the last get() received (a workload that gets from a queue)",
    "value": "the shared value as last read (a workload that reads one)",
    "contents": "what a Manager dict or list held when last looked at (a workload that "
                "shows one)",
}
MAX_LENGTH = 200
# [[fill]align][sign][0][width][.precision][type], width and precision at most 2 digits.
_SPEC = re.compile(r"(?:.?[<>^=])?[+\- ]?0?\d{0,2}(?:\.\d{1,2})?[bcdeEfFgGnosxX%]?")
# What a format spec may hold to be written as is inside an f-string's braces.
_FSTRING_SPEC = frozenset(string.ascii_letters + string.digits + " <>^=+-.%_*")
_SAMPLE = {"i": 0, "n": 1, "by": 1, "name": "process", "pid": 1, "k": 0, "item": "item", "value": 0,
           "contents": "{}"}


def placeholder_help() -> str:
    """One line listing the placeholders, for tooltips and error messages."""
    return ", ".join(f"{{{k}}} {v}" for k, v in PLACEHOLDERS.items())


def check_template(template: object) -> str | None:
    """Return what is wrong with `template` in plain words, or None if it is fine."""
    if not isinstance(template, str):
        return "must be text"
    if len(template) > MAX_LENGTH:
        return f"is {len(template)} characters long; at most {MAX_LENGTH} are allowed"
    if escape.shown(template) != template:  # C0/C1 controls, line separators, bidi overrides
        return "must be one line without control characters"
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        return f"has unbalanced braces ({exc}); write {{{{ and }}}} for literal braces"
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in PLACEHOLDERS:
            shown = field or "{}"
            return f"uses {{{shown}}}; only these placeholders work: " + ", ".join(
                f"{{{k}}}" for k in PLACEHOLDERS)
        if conversion:
            return f"uses a conversion (!{conversion}) in {{{field}}}; write {{{field}}} alone"
        if spec and not _SPEC.fullmatch(spec):
            return (f"has the format spec {spec!r} in {{{field}}}; use a short one such "
                    "as :3d or :>5 (width and precision at most 99)")
        if spec and spec.endswith("c"):  # the character numbered i: \x00, \x1b, the bell...
            return (f"uses :c in {{{field}}}, which prints the character numbered "
                    f"{{{field}}} — control characters too; write {{{field}}} or {{{field}:d}}")
    try:
        template.format(**_SAMPLE)
    except (ValueError, TypeError) as exc:
        return f"cannot be formatted: {exc}"
    return None


def used_placeholders(template: str) -> set[str]:
    """The placeholder names a (valid) template uses."""
    return {f for _l, f, _s, _c in string.Formatter().parse(template) if f}


def to_expression(template: str, end: str = "") -> str:
    """Python source for an expression whose value is the line `template` prints, then
    `end` (e.g. "\\n"): ``f"Process 1: {i}"``.

    The placeholders become the local variables of the generated function (i, n,
    name, pid, k), so the generated script reads like the tutorial. The text goes
    through the one escaper (`py_literal`). A format spec with a character that cannot
    stand inside an f-string's braces (a quote or backslash as the fill: ``{i:"<3}``)
    makes it ``"...".format(i=i)`` instead, which formats exactly as mpgui does.
    """
    parts = list(string.Formatter().parse(template))
    if all(set(spec or "") <= _FSTRING_SPEC for _l, _f, spec, _c in parts):
        out = []
        for literal, field, spec, _conv in parts:
            out.append(_braces(literal))
            if field is not None:
                out.append("{" + field + (":" + spec if spec else "") + "}")
        # Only escapes from the literal text: the fields hold no quote, backslash
        # or unprintable character.
        return "f" + py_literal("".join(out) + _braces(end))
    used = sorted(used_placeholders(template))
    return (py_literal(template + _braces(end)) + ".format("
            + ", ".join(f"{f}={f}" for f in used) + ")")


def _braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")
