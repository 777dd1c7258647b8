"""Message templates: the line each process prints, e.g. ``Process 1: {i}``.

A template may only use the documented placeholders, with a small format spec, so a
shared scenario file can neither reach object attributes (``{i.__class__}``) nor make a
child build a gigantic string (``{i:999999999}``).
"""

from __future__ import annotations

import re
import string

from mpgui.i18n import _
from mpgui.model import escape
from mpgui.model.escape import py_literal

# The one renderer, also here beside the templates' rules (a child imports only it).
from mpgui.model.rendering import render as render
from mpgui.model.rendering import renderer as renderer

PLACEHOLDERS: dict[str, str] = {
    "i": _("the iteration, counting from 0"),
    "n": _("the number of iterations"),
    "by": _("what each update of a counter adds (value += by)"),
    "name": _("the process name (Process(name=...))"),
    "pid": _("the process id (os.getpid())"),
    "k": _("the copy number, for a row with copies (0 otherwise)"),
    "item": _("the item the last get() received (a workload that gets from a queue)"),
    "value": _("the shared value as last read (a workload that reads one)"),
    "contents": _("what a Manager dict or list held when last looked at (a workload that "
                  "shows one)"),
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
        return _("must be text")
    if len(template) > MAX_LENGTH:
        return _("is {n} characters long; at most {most} are allowed").format(
            n=len(template), most=MAX_LENGTH)
    if escape.shown(template) != template:  # C0/C1 controls, line separators, bidi overrides
        return _("must be one line without control characters")
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        return _("has unbalanced braces ({error}); write {{{{ and }}}} for literal "
                 "braces").format(error=exc)
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in PLACEHOLDERS:
            shown = field or "{}"
            return _("uses {{{field}}}; only these placeholders work: {known}").format(
                field=shown, known=", ".join(f"{{{k}}}" for k in PLACEHOLDERS))
        if conversion:
            return _("uses a conversion (!{conversion}) in {{{field}}}; write {{{field}}} "
                     "alone").format(conversion=conversion, field=field)
        if spec and not _SPEC.fullmatch(spec):
            return _("has the format spec {spec} in {{{field}}}; use a short one such "
                     "as :3d or :>5 (width and precision at most 99)").format(
                         spec=repr(spec), field=field)
        if spec and spec.endswith("c"):  # the character numbered i: \x00, \x1b, the bell...
            return _("uses :c in {{{field}}}, which prints the character numbered "
                     "{{{field}}} — control characters too; write {{{field}}} or "
                     "{{{field}:d}}").format(field=field)
    try:
        template.format(**_SAMPLE)
    except (ValueError, TypeError) as exc:
        return _("cannot be formatted: {error}").format(error=exc)
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
