"""The catalogues' upkeep, for translators and the build (Babel; not used by mpgui as it
runs): ``python -m mpgui.translations COMMAND``

- ``update``: read every message from the source (`_`, `N_`, `ngettext`) and the
  built-in scenarios' texts (titles, explanations, questions, what to notice, exercises'
  goals and hints), and bring each language's ``.po`` up to date: new messages added
  untranslated, gone ones dropped, translations kept;
- ``check``: say what each catalogue lacks (untranslated or fuzzy messages, placeholders
  that differ from the English); exit 1 if anything does;
- ``compile [FOLDER]``: compile each ``.po`` to ``.mo`` beside it (or in FOLDER's
  ``<lang>/LC_MESSAGES``), as the wheel and the desktop app carry them.
"""

from __future__ import annotations

import io
import string
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from mpgui.i18n import DOMAIN, ENGLISH, LANGUAGES, TRANSLATING, compile_po, locale_dir
from mpgui.model.fileformat import atomic_write
from mpgui.resources import resource

PACKAGE = Path(__file__).resolve().parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# The child side never shows mpgui's words (its modules do not import mpgui.i18n).
SKIP = ("runtime/child/", "runtime/script/agent.py", "translations.py")
# The built-ins' texts: (table, key); a list is a message per item.
SCENARIO_TEXTS = (("about", "title"), ("about", "explanation"), ("about", "notice"),
                  ("about", "question"), ("exercise", "goal"), ("exercise", "hints"))


def languages() -> list[str]:
    """The languages with a catalogue, complete or being written (English is the
    source: it has none)."""
    return [code for code in [*LANGUAGES, *TRANSLATING] if code != ENGLISH]


def po_path(code: str) -> Path:
    """Language `code`'s catalogue."""
    return locale_dir() / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def _source_messages() -> Iterator[tuple[str | tuple[str, str], str, int]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if any(rel.startswith(s) or rel == s for s in SKIP):
            continue
        for lineno, message, _comments, _context in extract_from_file(
                "python", str(path), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)):
            yield message, f"mpgui/{rel}", lineno


def _scenario_messages() -> Iterator[tuple[str, str, int]]:
    for folder in ("scenarios", "exercises"):
        for path in sorted(resource(folder).glob("*.toml")):
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            for table, key in SCENARIO_TEXTS:
                value = data.get(table, {}).get(key)
                for text in value if isinstance(value, list) else [value]:
                    if isinstance(text, str) and text:
                        yield text, f"resources/{folder}/{path.name}", 0


def template() -> Catalog:
    """Every message mpgui shows, as the source says it (English)."""
    catalog = Catalog(domain=DOMAIN, project="mpgui", charset="utf-8")
    for message, where, line in [*_source_messages(), *_scenario_messages()]:
        if message and message != ("", ""):
            catalog.add(message, locations=[(where, line)])
    return catalog


def update() -> None:
    """Bring every language's catalogue up to date with the source."""
    new = template()
    for code in languages():
        path = po_path(code)
        if path.is_file():
            with path.open("rb") as f:
                catalog = read_po(f, locale=code)
        else:
            catalog = Catalog(locale=code, domain=DOMAIN, project="mpgui", charset="utf-8")
        catalog.update(new, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        out = io.BytesIO()
        write_po(out, catalog, width=0, omit_header=False, sort_output=False,
                 include_previous=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, out.getvalue())


_FIELDS = string.Formatter()


def placeholders(text: str) -> set[str]:
    """The named placeholders of `text` ("{n}", "{t:.3f}" -> {"n", "t"})."""
    try:
        return {name for _lit, name, _spec, _conv in _FIELDS.parse(text) if name}
    except ValueError:  # (a message with a lone brace is not formatted)
        return set()


def lacks(code: str, catalog: Catalog | None = None) -> list[str]:
    """What language `code`'s catalogue lacks against the source, one line each."""
    path = po_path(code)
    if not path.is_file():
        return [f"{code}: no catalogue ({path})"]
    with path.open("rb") as f:
        po = read_po(f, locale=code)
    out = []
    for message in (catalog or template()):
        if not message.id:
            continue
        have = po.get(message.id)
        singular = message.id if isinstance(message.id, str) else message.id[0]
        strings = [] if have is None else (list(have.string) if isinstance(
            have.string, (list, tuple)) else [have.string])
        if have is None or have.fuzzy or not strings or not all(strings):
            out.append(f"{code}: untranslated: {singular!r}")
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        want = set().union(*(placeholders(i) for i in ids))
        for s in strings:
            if placeholders(s) != want:
                out.append(f"{code}: placeholders differ in {s!r} (English {singular!r})")
    return out


def compile_catalogues(target: Path | None = None) -> list[Path]:
    """Each ``.po`` compiled to ``.mo`` (beside it, or under `target`); the files made."""
    made = []
    for code in languages():
        source = po_path(code)
        if not source.is_file():
            continue
        folder = (target / code / "LC_MESSAGES") if target else source.parent
        folder.mkdir(parents=True, exist_ok=True)
        out = folder / f"{DOMAIN}.mo"
        atomic_write(out, compile_po(source.read_bytes()))
        made.append(out)
    return made




def main(argv: list[str]) -> int:
    """The command line (see the module's docstring)."""
    if not argv or argv[0] not in ("update", "check", "compile"):
        print(__doc__)
        return 2
    if argv[0] == "update":
        update()
        return 0
    if argv[0] == "compile":
        for path in compile_catalogues(Path(argv[1]) if len(argv) > 1 else None):
            print(path)
        return 0
    catalog = template()
    problems = [line for code in languages() for line in lacks(code, catalog)]
    print("\n".join(problems) or f"{len(catalog)} messages, every language complete")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
