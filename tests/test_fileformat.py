"""Scenario files: round-trip, clear errors, data only, and a fuzz of the loader."""

from __future__ import annotations

import contextlib
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mpgui.model.builtins import load_builtin
from mpgui.model.copies import Copies
from mpgui.model.fileformat import (
    ScenarioFileError,
    dump_scenario,
    load_scenario,
    parse_scenario,
    save_scenario,
)
from mpgui.model.registry import WORKLOADS
from mpgui.model.scenario import About, ProcessSpec, Scenario, Step

SEED_TEXT = dump_scenario(load_builtin("seed"))


def test_round_trip_of_the_seed(tmp_path):
    seed = load_builtin("seed")
    path = tmp_path / "s.toml"
    save_scenario(seed, path)
    assert load_scenario(path) == seed
    assert parse_scenario(SEED_TEXT) == seed


@pytest.mark.parametrize(("text", "words"), [
    ("format = 5\n", "format: version 5 is newer than this mpgui reads"),
    ("format = '1'\n", "format: expected a whole number, got text"),
    ("", "format: missing"),
    ("format = 1\nextra = 3\n", "extra: unknown key"),
    ("format = 1\n[[process]]\nvar='A'\nname='a'\nworkload='nope'\n",
     "process[1].workload: unknown workload 'nope'"),
    ("format = 1\n[[process]]\nvar='A'\nname='a'\nworkload='sleep_loop'\n"
     "params={n='4'}\n", "process[1].params.n: expected a whole number, got text"),
    ("format = 1\n[[process]]\nvar='A'\nname='a'\nworkload='sleep_loop'\n"
     "params={n=4.5}\n", "process[1].params.n: expected a whole number"),
    ("format = 1\n[[process]]\nvar='A'\nname='a'\nworkload='sleep_loop'\n"
     "params={speed=4}\n", "process[1].params.speed: unknown key"),
    ("format = 1\n[[process]]\nvar='A'\nname='a'\nworkload='sleep_loop'\ndaemon='yes'\n",
     "process[1].daemon: expected true or false, got text"),
    ("format = 1\n[[process]]\nvar=1\nname='a'\nworkload='sleep_loop'\n",
     "process[1].var: expected text"),
    ("format = 1\n[[process]]\nname='a'\nworkload='sleep_loop'\n", "process[1].var: missing"),
    ("format = 1\nmain = ['__import__(\"os\").system(\"x\")']\n", "main[1]: "),
    ("format = 1\nmain = 'A.start()'\n", "main: expected a list"),
    ("format = 1\nabout = 3\n", "about: expected a table"),
    ("format = 1\n[about]\ntitle = 3\n", "about.title: expected text"),
    ("this is not toml", "is not valid TOML"),
])
def test_malformed_files_name_the_problem(text, words):
    with pytest.raises(ScenarioFileError) as err:
        parse_scenario(text)
    assert words in str(err.value)


def test_binary_utf16_and_huge_files_are_refused(tmp_path):
    cases = {
        "garbage.toml": (os.urandom(2000), "not UTF-8"),
        "utf16.toml": (SEED_TEXT.encode("utf-16"), "UTF-16"),
        "nul.toml": (b"format = 1\x00\n", "binary"),
        "huge.toml": (b"#" * 10_000_000, "at most 1 MB"),
    }
    for name, (data, words) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ScenarioFileError, match=words):
            load_scenario(tmp_path / name)
    with pytest.raises(ScenarioFileError, match="is a folder"):
        load_scenario(tmp_path)


def test_unreadable_path(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ScenarioFileError, match="cannot be read"):
        load_scenario(tmp_path / "file" / "s.toml")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path):
    p = tmp_path / "secret.toml"
    p.write_text(SEED_TEXT)
    p.chmod(0)
    with pytest.raises(ScenarioFileError, match="permission denied"):
        load_scenario(p)


def test_save_is_atomic_and_failed_saves_leave_the_file_intact(tmp_path):
    p = tmp_path / "mine.toml"
    p.write_text(SEED_TEXT)
    with pytest.raises(ScenarioFileError, match="cannot save"):
        save_scenario(load_builtin("seed"), tmp_path / "no such folder" / "x.toml")
    assert p.read_text() == SEED_TEXT
    assert [f.name for f in tmp_path.iterdir()] == ["mine.toml"]  # no temporary left


def test_loading_never_executes_anything(tmp_path):
    marker = tmp_path / "pwned"
    evil = (f'format = 1\nmain = ["__import__(\'os\').system(\'touch {marker}\')"]\n'
            "[[process]]\nvar = \"A\"\nname = \"a\"\nworkload = \"sleep_loop\"\n"
            f"message = \"{{i.__class__.__init__.__globals__}}\"\n")
    with pytest.raises(ScenarioFileError):
        parse_scenario(evil)
    assert not marker.exists()


# ------------------------------------------------------------------ property tests

_names = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,8}", fullmatch=True)
_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@st.composite
def scenarios(draw) -> Scenario:
    procs = []
    for var in draw(st.lists(_names, unique=True, max_size=5)):
        w = WORKLOADS[draw(st.sampled_from(sorted(WORKLOADS)))]
        params = {}
        for p in w.params:
            if draw(st.booleans()):
                params[p.name] = draw(st.integers(-5, 10**6) if p.kind is int else
                                      st.floats(allow_nan=False, allow_infinity=False))
        copies = Copies(draw(st.integers(1, 64)), draw(st.booleans()))
        procs.append(ProcessSpec(var, draw(_text), w.name, params, draw(_text),
                                 draw(st.booleans()), copies))
    steps = draw(st.lists(st.one_of(
        st.builds(Step, st.sampled_from(["start", "join", "terminate"]), _names),
        st.builds(Step, st.just("join"), _names,
                  st.floats(0, 1e6, allow_nan=False)),
        st.builds(Step, st.just("sleep"), st.just(""), st.floats(0, 1e6, allow_nan=False)),
    ), max_size=8))
    about = About(*(draw(_text) for _ in range(4)))
    return Scenario(tuple(procs), tuple(steps), about)


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_any_scenario_round_trips_through_toml(s):
    assert parse_scenario(dump_scenario(s)) == s


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=400), st.text(max_size=400)))
def test_fuzz_loader_raises_only_the_documented_error(data):
    with contextlib.suppress(ScenarioFileError):
        parse_scenario(data)


def _mutations(text: str):
    lines = text.splitlines()
    return st.builds(
        lambda i, new: "\n".join([*lines[:i], new, *lines[i + 1:]]),
        st.integers(0, len(lines) - 1),
        st.one_of(st.text(max_size=40), st.sampled_from([
            "n = -1", "params = { n = 1e400 }", "workload = 3", "var = []", "[[process]]",
            "main = [1, 2]", "format = 1.0", "daemon = 0", "[about]", "params = 'x'",
            "interval = nan", "message = '{i:99999}'", "params = { n = inf }",
            "copies = 'many'", "copies = -3", "copies = '99 per core'", "copies = true"])))


@settings(max_examples=500, deadline=None)
@given(_mutations(SEED_TEXT))
def test_fuzz_mutated_seed_files(text):
    try:
        s = parse_scenario(text)
    except ScenarioFileError:
        return
    assert isinstance(s, Scenario)
    for p in s.processes:  # whatever loaded is plain data of the documented types
        assert all(isinstance(v, int | float) and not isinstance(v, bool)
                   for v in p.params.values())
