"""Languages: the catalogues are complete (every message of the source and every
built-in scenario's text translated, with the same placeholders), the language comes
from the user's choice or the system's locale, and no text a person reads bypasses
translation — in the window (checked in the pseudo-language, where every translated
message is marked) and on the command line."""

from __future__ import annotations

import gettext
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from mpgui import i18n
from mpgui.model.builtins import builtin_path, load_builtin
from mpgui.translations import lacks, languages, template

ROOT = Path(__file__).resolve().parent.parent


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("MPGUI_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    return template()


def test_spanish_and_german_are_offered():
    assert {"es", "de"} <= set(languages()) and {"es", "de"} <= set(i18n.LANGUAGES)


def test_a_language_offered_has_a_complete_catalogue(catalog):
    # (a catalogue moves from TRANSLATING to LANGUAGES only when this holds)
    for code in [c for c in i18n.LANGUAGES if c != i18n.ENGLISH]:
        problems = lacks(code, catalog)
        assert problems == [], f"{code}: {len(problems)} problems, e.g. " + "\n".join(
            problems[:20])


def test_the_catalogue_has_the_source_and_the_scenarios_texts(catalog):
    ids = {m.id for m in catalog}
    assert "Exercises" in ids
    # A built-in's texts (the gallery's explanations are translated too).
    seed = tomllib.loads(builtin_path("seed").read_text(encoding="utf-8"))
    assert seed["about"]["explanation"] in ids and seed["about"]["question"] in ids


def test_every_message_the_source_asks_for_is_in_the_catalogue(catalog):
    # The extractor reads calls as tokens, and a call inside an f-string's braces is
    # no token of its own in Python 3.11: "Before you press Run:" went through _() and
    # was shown in English in every language. The syntax tree sees every call.
    import ast

    ids = {m.id for m in catalog}
    missing = []
    for path in sorted((ROOT / "mpgui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                    node.func.id == "_" and node.args and \
                    isinstance(node.args[0], ast.Constant) and \
                    isinstance(node.args[0].value, str) and node.args[0].value not in ids:
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.args[0].value!r}")
    assert missing == []


def _language_of(tmp_path: Path, code: str = "print(i.language())", **env: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", f"import mpgui.i18n as i; {code}"],
        env=_env(XDG_CONFIG_HOME=str(tmp_path), **env), capture_output=True, text=True,
        check=True, cwd=ROOT).stdout.strip()


@pytest.mark.parametrize(("env", "expected"), [
    ({"LANG": "de_DE.UTF-8"}, "de"), ({"LANG": "es_ES.UTF-8"}, "es"),
    ({"LANGUAGE": "fr:de", "LANG": "fr_FR.UTF-8"}, "de"),
    ({"LANGUAGE": "fr", "LANG": "fr_FR.UTF-8"}, "en"),
    ({"LC_ALL": "C", "LANG": "de_DE.UTF-8"}, "en"), ({}, "en"),
    ({"LANG": "de_DE.UTF-8", "MPGUI_LANGUAGE": "es"}, "es"), ({"MPGUI_LANGUAGE": "tlh"}, "en"),
])
def test_the_language_comes_from_the_system_unless_told(tmp_path, env, expected):
    assert _language_of(tmp_path, **env) == expected


def test_the_users_choice_wins_over_the_system_and_one_not_offered_is_ignored(tmp_path):
    (tmp_path / "mpgui").mkdir()
    choice = tmp_path / "mpgui" / i18n.CHOICE_FILE
    choice.write_text("de\n")
    assert _language_of(tmp_path, LANG="es_ES.UTF-8") == "de"
    choice.write_text("tlh\n")
    assert _language_of(tmp_path, LANG="es_ES.UTF-8") == "es"


def test_view_language_saves_the_choice_for_the_next_start(qtbot, window, tmp_path,
                                                          monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    menu = window.view_actions.language
    names = [a.text() for a in menu.menu.actions()]
    assert names[1:] == ["English", "Español", "Deutsch"]  # each in its own name
    assert names[0].startswith("As the System")
    assert menu.choose("de")
    assert (tmp_path / "mpgui" / i18n.CHOICE_FILE).read_text().strip() == "de"
    box = next(w for w in window.findChildren(QMessageBox) if w.isVisible())
    assert "Deutsch" in box.text() and "starts again" in box.text()
    box.reject()  # Later
    assert window.isVisible()
    assert menu.choose("")  # as the system: no file
    assert not (tmp_path / "mpgui" / i18n.CHOICE_FILE).exists()


def test_the_built_in_scenarios_speak_the_language_asked_for(tmp_path):
    code = ("from mpgui.model.builtins import load_builtin, builtin_about; "
            "s = load_builtin('seed'); print(s.about.title); print(builtin_about('seed').title)")
    english = _language_of(tmp_path, code, MPGUI_LANGUAGE="en").splitlines()
    for language in ("es", "de"):
        said = _language_of(tmp_path, code, MPGUI_LANGUAGE=language).splitlines()
        assert said[0] == said[1] != english[0]  # (read in full or its [about] alone)


def test_a_catalogue_compiles_and_reads_back(tmp_path):
    from mpgui.translations import compile_catalogues, po_path

    made = compile_catalogues(tmp_path)
    assert {p.parent.parent.name for p in made} >= {"es", "de"}
    with (tmp_path / "es" / "LC_MESSAGES" / "mpgui.mo").open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    source = i18n.catalogue("es")  # (a checkout: from the .po, compiled in memory)
    seed = tomllib.loads(builtin_path("seed").read_text(encoding="utf-8"))["about"]["title"]
    assert compiled.gettext(seed) == source.gettext(seed) != seed
    assert po_path("es").is_file()


def test_the_command_line_speaks_the_language(tmp_path):
    from tests.language_walk import DATA, KEYS, unmarked_words

    env = _env(XDG_CONFIG_HOME=str(tmp_path), MPGUI_LANGUAGE=i18n.PSEUDO,
               QT_QPA_PLATFORM="offscreen")
    run = subprocess.run([sys.executable, "-m", "mpgui", "run", "seed", "--speed", "20"],
                         env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    # What the processes print (stdout) is the script's; what mpgui says (stderr) is
    # marked, but for data: the scenario's own names in the summary's rows.
    seed = load_builtin("seed")
    names = {w.lower() for p in seed.processes for w in re.findall(r"[^\W\d_]+",
                                                                   f"{p.var} {p.name}")}
    assert run.stderr.strip()
    assert unmarked_words(run.stderr, KEYS | DATA | names | {"seed"}) == []
    for command in (["--help"], ["run", "--help"], ["code", "--help"], ["list", "--help"],
                    ["trace", "--help"]):
        shown = subprocess.run([sys.executable, "-m", "mpgui", *command], env=env,
                               capture_output=True, text=True, timeout=60, cwd=ROOT,
                               check=True).stdout
        # Options, metavars and choices are what one types: not messages.
        typed = re.sub(r"--?[\w-]+|\b[A-Z][A-Z_]*\b|\{[^}]*\}|mpgui \w+", " ", shown)
        positional = {"scenario", "script", "args", "wxh"}  # (names one types too)
        assert unmarked_words(typed, KEYS | DATA | positional) == [], (command, shown)


# The tutorial's, one with shared objects on the chart, and an exercise (task, verdict).
@pytest.mark.parametrize("scenario", ["seed", "producer-consumer", "b-before-c"])
def test_no_text_in_the_windows_bypasses_translation(tmp_path, scenario):
    walk = subprocess.run(
        [sys.executable, "-m", "tests.language_walk", scenario],
        env=_env(XDG_CONFIG_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path),
                 MPGUI_LANGUAGE=i18n.PSEUDO, QT_QPA_PLATFORM="offscreen"),
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert walk.returncode == 0, walk.stderr[-2000:]
    found = json.loads(walk.stdout)
    assert found == {}, "\n".join(f"{where}: {text!r}" for text, where in
                                  list(found.items())[:40])
