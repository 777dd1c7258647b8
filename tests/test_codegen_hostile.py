"""Generated code from hostile scenarios: no code from a file name, title, name or message.

Every string of a scenario enters the generated script through the one escaper
(`mpgui.model.escape`). For every scenario validation accepts, the script compiles, calls
nothing but what the scenario does, shadows none of its own names, and — run with plain
Python in an empty folder — prints what `mpgui run` prints and writes nothing there.
"""

from __future__ import annotations

import ast
import builtins
import os
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mpgui.model.builtins import load_builtin
from mpgui.model.codegen import function_lines, function_name, generate_code
from mpgui.model.copies import Copies
from mpgui.model.fileformat import dump_scenario
from mpgui.model.message import render
from mpgui.model.registry import WORKLOADS as REGISTRY
from mpgui.model.scenario import About, ProcessSpec, Scenario, Step
from mpgui.model.validation import errors
from mpgui.runtime.parent.runner import Runner
from tests.helpers import MPGUI, PYTHON, script_env
from tests.scenarios import make, sleeper, spec

EVIL = 'a""";__import__("os").system("touch pwned");""".toml'

# Pieces of hostile text: quotes of every kind, backslashes and escapes, NUL and other
# control characters, line and paragraph separators, bidirectional overrides, braces.
PIECES = ['"', "'", '"""', "'''", "\\", "\\n", "\\x00", "\\N{DASH}", "\x00", "\x07",
          "\x1b[2J", "\n", "\r", "\t", "\x7f", "\x85", "\u2028", "\u2029", "\u202e",
          "\u2066", "\u200f", "\ufeff", "{", "}", "{{", "}}", "#", "é", "ﬁ", "\U0001f600",
          " ", "x", ";", "burn(", "pool.", "__import__('os')", f'{EVIL}']
SURROGATE = "\udc80"  # a file name's undecodable byte, as Python hands it over
# Every workload that needs no shared object, a new one too. (The ones that do would be
# refused here for want of their objects: each only cost the fuzz a rejected example.
# Their scripts are checked by running them: test_gallery, test_shared_objects, test_cli.)
WORKLOADS = tuple(name for name, w in REGISTRY.items() if not w.roles)


def _script_names() -> set[str]:
    """Every name the generated script uses for a scenario with every feature, under
    each backend: modules, helpers, functions, parameters, locals, builtins."""
    rich = make(spec("A", "cpu_loop", "{name} {pid} {k} {i}/{n}", n=1, compute=0.1),
                spec("B", "mixed", n=1), spec("C", "crash", n=2, at=1),
                spec("D", "exit_code", n=2, at=1), spec("E", "flood", n=1), sleeper("F"),
                program="A.start(); B.start(); C.start(); D.start(); E.start(); F.start(); "
                        "A.join(); time.sleep(0.1); B.join(timeout=1)")
    rich = replace(rich, processes=(replace(rich.processes[0], copies=Copies(2)),
                                    *rich.processes[1:]))
    names: set[str] = set()
    for backend in ("processes", "threads", "pool"):
        tree = ast.parse(generate_code(replace(rich, backend=backend, workers=Copies(1, True))))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.FunctionDef):
                names.add(node.name)
            elif isinstance(node, ast.alias):
                names.add(node.asname or node.name)
    return names - set("ABCDEF")


# Names that shadow anything the script defines or imports, Python's own module names,
# the helpers' second choices, keywords and non-ASCII names.
SHADOWS = sorted(_script_names() | {
    "__file__", "__name__", "__builtins__", "__spec__", "__loader__", "__doc__",
    "__package__", "__cached__", "__annotations__", "__main__", "__mp_main__",
    "burn", "burn_cpu", "burn2", "pool", "the_pool", "pool2", "p", "proc", "process",
    "each", "threading", "multiprocessing", "os", "sys", "time", "k", "process_A",
    "class", "None", "match", "case", "type", "_", "é", "ﬁle", "A"})


def hostile_text(*, surrogates: bool, max_pieces: int = 6) -> st.SearchStrategy[str]:
    pieces = st.sampled_from([*PIECES, SURROGATE] if surrogates else PIECES)
    return st.lists(st.one_of(pieces, st.text(max_size=3)), max_size=max_pieces).map("".join)


def _no_control(text: str) -> str:
    """What validation accepts in names and messages: printable characters only (no
    controls, separators or bidirectional overrides)."""
    return "".join(c for c in text if c.isprintable())


def names(*, surrogates: bool) -> st.SearchStrategy[str]:
    """Process names: mostly acceptable ones (no control characters), some raw."""
    text = hostile_text(surrogates=surrogates)
    return st.one_of(text.map(lambda t: "n" + _no_control(t)[:50]), text)


def fields(*, pid: bool, name: bool) -> st.SearchStrategy[str]:
    """A placeholder with a format spec whose fill may be any character: {i:"<3}."""
    ints = ["i", "n", "k"] + (["pid"] if pid else [])
    fill = st.one_of(st.just(""), st.sampled_from(['"', "'", "\\", "#", "!", ":", "=", " ",
                                                   "é", "0", "x"]),
                     st.characters(exclude_categories=("Cs", "Cc", "Cf", "Co", "Cn",
                                                       "Zl", "Zp", "Zs")))
    int_spec = st.tuples(fill, st.sampled_from("<>^="), st.sampled_from(["", "+", "-", " "]),
                         st.sampled_from(["", "3", "12"]),
                         st.sampled_from(["", "d", "x", "X", "o", "b", "e", "f", "%"]))
    str_spec = st.tuples(fill, st.sampled_from("<>^"), st.just(""), st.sampled_from(["", "5"]),
                         st.sampled_from(["", "s"]))
    one = st.one_of(st.tuples(st.sampled_from(ints), st.one_of(st.just(None), int_spec)),
                    *([st.tuples(st.just("name"), st.one_of(st.just(None), str_spec))]
                      if name else []))
    return one.map(lambda fs: "{" + fs[0] + ("" if fs[1] is None else ":" + (
        fs[1][0] + fs[1][1] if fs[1][0] else "") + "".join(fs[1][2:])) + "}")


def messages(*, surrogates: bool, pid: bool = True, name: bool = True) -> st.SearchStrategy[str]:
    literal = hostile_text(surrogates=surrogates, max_pieces=3).map(
        lambda t: _no_control(t).replace("{", "{{").replace("}", "}}"))
    return st.lists(st.one_of(literal, fields(pid=pid, name=name)), min_size=1,
                    max_size=5).map("".join)


@st.composite
def scenarios(draw, *, surrogates: bool = True, runnable: bool = False) -> Scenario:
    """A scenario with hostile strings everywhere. `runnable`: small and quick, every
    line deterministic (joins without timeouts, no terminate, no {pid}), to run."""
    backend = draw(st.sampled_from(["processes", "threads", "pool"]))
    count = draw(st.integers(1, 2 if runnable else 3))
    var_names = draw(st.lists(st.one_of(st.sampled_from(SHADOWS),
                                        st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,4}",
                                                      fullmatch=True)),
                              min_size=count, max_size=count, unique=True))
    kinds = [w for w in WORKLOADS if not (backend == "pool" and w == "exit_code")]
    processes = []
    for var in var_names:
        workload = draw(st.sampled_from(kinds))
        params = {"n": draw(st.integers(1 if runnable else 0, 2)), "interval": 0.01,
                  "compute": 0.005, "at": draw(st.integers(0, 2)), "code": draw(st.integers(0, 3))}
        # Short values for the parameters it has; any other keeps its default.
        params = {k: v for k, v in params.items()
                  if k in {p.name for p in REGISTRY[workload].params}}
        copies = draw(st.sampled_from([Copies(1), Copies(2)] + ([] if runnable
                                                               else [Copies(1, True)])))
        processes.append(ProcessSpec(
            var, draw(names(surrogates=surrogates)), workload, params,
            draw(messages(surrogates=surrogates, pid=not runnable,
                          name=not (runnable and backend == "pool"))),
            daemon=draw(st.booleans()) if not runnable and backend != "pool" else False,
            copies=copies))
    order = draw(st.permutations(var_names))
    program = [Step("start", v) for v in order]
    for v in draw(st.lists(st.sampled_from(var_names), unique=True)):
        actions = ["join"] if runnable else (["join", "sleep"] + (
            ["terminate"] if backend == "processes" else []))
        action = draw(st.sampled_from(actions))
        timeout = None if runnable else draw(st.sampled_from([None, 0.05]))
        program.append(Step("sleep", "", 0.01) if action == "sleep"
                       else Step(action, v, timeout if action == "join" else None))
    title = draw(hostile_text(surrogates=surrogates))
    return Scenario(tuple(processes), tuple(program), About(title=title), backend,
                    draw(st.sampled_from([Copies(1), Copies(2), Copies(1, True)])))


ALLOWED_CALLS = {"print", "range", "RuntimeError", "Process", "Thread", "Pool",
                 "set_start_method", "current_process", "current_thread", "getpid",
                 "cpu_count", "sleep", "thread_time", "exit", "start", "join", "terminate",
                 "wait", "apply_async", "close", "format"}


def assert_does_only_the_scenario_s_work(code: str, scenario: Scenario, source: str) -> None:
    """The script compiles; its docstring is the title and source exactly; it calls
    only what a scenario's script calls; and no row's variable shadows a name of the
    script (its modules, helpers, functions, builtins) or Python's own."""
    tree = ast.parse(code)  # raises SyntaxError (NUL, an unbalanced quote...)
    compile(code, "s.py", "exec")
    doc = ast.get_docstring(tree, clean=False)
    assert doc is not None and doc.startswith(
        (scenario.about.title or "An mpgui scenario") + "\n\nWritten by ")
    if source:
        assert f"`mpgui code {source}`" in doc
    # Module-level names: each bound by one statement only (a second binding of
    # `burn`, `pool` or `threading` by a row's variable would replace the helper).
    vars_ = set(scenario.vars())
    bound: list[str] = []
    loops: set[str] = set()  # the loop variable of the steps on rows of copies
    defs: dict[str, ast.FunctionDef] = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            bound += [a.asname or a.name for a in node.names]
        elif isinstance(node, ast.FunctionDef):
            bound.append(node.name)
            defs[node.name] = node
        elif isinstance(node, ast.Assign):
            bound += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.If):
            for sub in node.body:
                if isinstance(sub, ast.Assign):
                    bound += [t.id for t in sub.targets if isinstance(t, ast.Name)]
                elif isinstance(sub, ast.For):
                    loops.add(sub.target.id)  # type: ignore[attr-defined]
    bound += sorted(loops)
    assert len(bound) == len(set(bound)), sorted(bound)
    assert not any(v.startswith("__") and v.endswith("__") for v in vars_)
    assert not vars_ & set(dir(builtins))
    # What each function reads from the module: never a row's variable.
    for fn in defs.values():
        local = {a.arg for a in fn.args.args} | {
            n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        reads = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)
                 and isinstance(n.ctx, ast.Load)} - local
        assert not reads & vars_, (fn.name, reads & vars_)
    # Calls: only the script's own vocabulary, never __import__, eval, system...
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            called = f.attr if isinstance(f, ast.Attribute) else f.id  # type: ignore[attr-defined]
            assert called in ALLOWED_CALLS or called in defs, called
    # Each row's function is where the window highlights it.
    lines = code.split("\n")
    for var in vars_:
        first, body = function_lines(code, var)
        assert lines[first - 1] == body[0] and body[0].startswith(f"def {function_name(var)}(")
    # The process names evaluate back to the row's names exactly.
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("Process", "Thread"):
            name = next(k.value for k in node.keywords if k.arg == "name")
            if isinstance(name, ast.Constant):
                assert name.value in {p.name for p in scenario.processes}
    # Each row's print makes the line mpgui's child makes (render), for sample values.
    for spec_ in scenario.processes:
        fn = defs[function_name(spec_.var)]
        call = next(n for n in ast.walk(fn) if isinstance(n, ast.Call)
                    and isinstance(n.func, ast.Name) and n.func.id == "print")
        assert printed_by(call.args[0]) == render(spec_.message, **SAMPLE) + (
            "\n" if scenario.backend == "threads" else "")


SAMPLE = {"i": 7, "n": 12, "name": "P-1", "pid": 4242, "k": 3}


def printed_by(expr: ast.expr) -> str:
    """The value of a print's argument for the SAMPLE values, once its shape is known to
    be only an f-string of placeholders or a str.format() of a string literal."""
    if isinstance(expr, ast.JoinedStr):
        for part in ast.walk(expr):
            if isinstance(part, ast.FormattedValue):
                assert isinstance(part.value, ast.Name) and part.value.id in SAMPLE
                assert part.conversion == -1
    else:
        assert isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute)
        assert expr.func.attr == "format" and isinstance(expr.func.value, ast.Constant)
        assert not expr.args and all(isinstance(k.value, ast.Name) and k.value.id == k.arg
                                     and k.arg in SAMPLE for k in expr.keywords)
    code = compile(ast.Expression(expr), "print argument", "eval")
    return eval(code, {"__builtins__": {}}, dict(SAMPLE))  # its shape is checked above


# -- the file name that ran a command -------------------------------------------------


def _plain_run(script: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**script_env(), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([PYTHON, str(script)], capture_output=True, timeout=60, env=env,
                          cwd=cwd)


def test_a_file_name_with_a_command_gives_a_script_that_only_runs_the_scenario(tmp_path):
    """`mpgui code` on the file named EVIL, whose name once closed the docstring and
    ran `touch pwned`: run with spawn (each child imports the script again), the
    script prints its lines and creates no file."""
    folder = tmp_path / "files"
    folder.mkdir()
    scenario = make(sleeper("A", 2, 0.01), sleeper("B", 1, 0.01))
    evil = folder / EVIL
    evil.write_text(dump_scenario(scenario))
    res = subprocess.run([*MPGUI, "code", EVIL], capture_output=True, text=True, timeout=60,
                         cwd=folder)
    assert res.returncode == 0, res.stderr
    code = res.stdout
    assert 'multiprocessing.set_start_method("spawn")' in code
    assert_does_only_the_scenario_s_work(code, scenario, EVIL)
    script = tmp_path / "s.py"
    script.write_text(code)
    cwd = tmp_path / "empty"
    cwd.mkdir()
    plain = _plain_run(script, cwd)
    assert plain.returncode == 0, plain.stderr
    assert sorted(plain.stdout.decode().split("\n")) == ["", "A: 0", "A: 1", "B: 0"]
    assert list(cwd.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == \
        ["empty", "files", "s.py"]
    assert [p.name for p in folder.iterdir()] == [EVIL]


@pytest.mark.parametrize("name", [
    b"bad\xff\x1b[31m\xe2\x80\xaename.toml",  # undecodable, an escape sequence, U+202E
    b"\\\"'''\\.toml", b"new\nline\x07.toml"])
def test_mpgui_code_escapes_any_file_name(tmp_path, name):
    """Undecodable bytes, terminal escapes, a bidi override, backslashes, quotes and a
    newline in the file name: the script's docstring names the file, escaped."""
    scenario = make(sleeper("A", 1, 0.01))
    (tmp_path / os.fsdecode(name)).write_text(dump_scenario(scenario))
    res = subprocess.run([*MPGUI, "code", name], capture_output=True, timeout=60,
                         cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    code = res.stdout.decode("ascii")  # every character beyond ASCII is escaped here
    assert_does_only_the_scenario_s_work(code, scenario, os.fsdecode(name))


def test_the_code_tab_saves_a_harmless_script_for_that_file(qtbot, window, tmp_path):
    """The Code tab's Save as .py for the same file: the file name is escaped there too."""
    evil = tmp_path / EVIL
    scenario = make(sleeper("A", 1, 0.01))
    evil.write_text(dump_scenario(scenario))
    assert window.files.open_path(evil, confirmed=True)
    qtbot.waitUntil(lambda: EVIL.replace('"', '\\"') in window.code.toPlainText())
    script = tmp_path / "s.py"
    assert window.code.save_to(script)
    assert_does_only_the_scenario_s_work(script.read_text(), scenario, EVIL)
    cwd = tmp_path / "empty"
    cwd.mkdir()
    plain = _plain_run(script, cwd)
    assert plain.returncode == 0 and plain.stdout == b"A: 0\n", plain.stderr
    assert list(cwd.iterdir()) == []


def test_the_code_tab_names_problems_in_comment_lines_only(qtbot, window):
    """A scenario that cannot run: the Code tab lists its problems, one comment line
    each, whatever the cells hold (a newline, a NUL, a bidi override, a quote)."""
    bad = Scenario((spec('x\n"""\x00\u202e', "sleep_loop", n=1), sleeper("__file__", 1)),
                   (Step("start", "__file__"),))
    assert window.files.open_scenario(bad, confirmed=True)
    text = window.code.code()
    assert text.startswith("# This scenario cannot run yet; fix these first:\n")
    assert all(line.startswith("# ") for line in text.split("\n")[:-1])
    assert "\\u202e" in text and "\x00" not in text and "'__file__' is one of Python's" in text


# -- the fuzz: every accepted scenario compiles --------------------------------------


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(scenarios(), hostile_text(surrogates=True), st.sampled_from([1.0, 2.5, 10.0]),
       st.sampled_from(["spawn", "fork", "forkserver"]))
def test_every_accepted_scenario_gives_a_script_that_compiles_and_does_only_its_work(
        scenario, source, speed, start_method):
    assume(not errors(scenario, cores=4))
    code = generate_code(scenario, speed=speed, start_method=start_method, source=source)
    assert_does_only_the_scenario_s_work(code, scenario, source)


def test_names_the_script_uses_are_refused_or_leave_its_helpers_alone():
    """Each name the script defines or imports, as a row's variable: refused with a
    clear message, or the script still compiles with its helpers intact."""
    refused = {}
    for name in SHADOWS:
        scenario = make(spec(name, "mixed", "{i}", n=1), spec("W", "cpu_loop", n=1))
        for backend in ("processes", "threads", "pool"):
            s = replace(scenario, backend=backend)
            problems = errors(s)
            if problems:
                refused[name] = problems[0].text(s)
                continue
            assert_does_only_the_scenario_s_work(generate_code(s), s, "")
    assert {"__file__", "__name__", "threading", "os", "time", "print", "class", "é",
            "ﬁle", "__builtins__"} <= set(refused)
    assert not {"burn", "pool", "p", "burn_cpu", "the_pool", "k", "_"} & set(refused)
    assert refused["__file__"].endswith("'__file__' is one of Python's own names (two "
                                        "underscores on each side); choose another")
    assert refused["threading"].endswith("is already a name in Python or in the generated "
                                         "script; choose another")


def test_helpers_take_a_free_name_and_the_window_highlights_the_same_code():
    """Variables called burn and pool: the helpers become burn_cpu and the_pool, in the
    script the Code tab shows and in the lines the Runner gives each child."""
    s = replace(make(spec("burn", "cpu_loop", n=1), spec("pool", "mixed", n=1)),
                backend="pool", workers=Copies(1))
    code = generate_code(s)
    assert "def burn_cpu(seconds: float) -> None:" in code
    assert "    the_pool = multiprocessing.Pool(1)" in code
    assert "    burn = the_pool.apply_async(process_burn, (1, 0.5))" in code
    _first, body = function_lines(code, "burn")
    assert body[-2:] == ("        burn_cpu(compute)", '        print(f"burn: {i}", flush=True)')
    with Runner(s, speed=10) as r:
        assert r.task_of(r.children["burn"])["script"][3] == body


def test_a_fill_character_an_f_string_cannot_hold_is_formatted_by_str_format():
    s = make(spec("A", "sleep_loop", '{i:"<3}|{name:\\>5}|{k:#^4}', n=1, interval=0.01))
    assert not errors(s)
    code = generate_code(s)
    assert '''print("{i:\\"<3}|{name:\\\\>5}|{k:#^4}".format(i=i, k=k, name=name), flush=True)''' \
        in code
    assert_does_only_the_scenario_s_work(code, s, "")


# -- a few of them run: the same lines as mpgui run, and no file written --------------


def _lines_of_mpgui(scenario: Scenario) -> list[str]:
    with Runner(scenario) as r:
        r.run()
    return sorted(text for _t, _l, text in r.store.lines_since(0))


def assert_runs_like_mpgui(scenario: Scenario, folder: Path) -> None:
    """Run with plain Python in an empty folder, the script prints the lines `mpgui run`
    prints (sorted: processes run side by side) and writes nothing beside itself."""
    script = folder / "s.py"
    script.write_text(generate_code(scenario, source=scenario.about.title), encoding="utf-8")
    cwd = folder / "empty"
    cwd.mkdir()
    plain = _plain_run(script, cwd)
    assert plain.returncode == 0, plain.stderr.decode(errors="replace")
    # Split on "\n" only: a message may hold \x85 or \u2028, which splitlines() splits.
    printed = plain.stdout.decode("utf-8").split("\n")
    assert printed[-1] == ""  # every line ends with a newline
    assert sorted(printed[:-1]) == _lines_of_mpgui(scenario)
    assert list(cwd.iterdir()) == []
    assert sorted(p.name for p in folder.iterdir()) == ["empty", "s.py"]


def _threads_case() -> Scenario:
    return replace(make(
        spec("burn", "cpu_loop", '{i:"<3}»{name}«"""burn(', n=2, compute=0.005),
        spec("pool", "sleep_loop", "\\N{{DASH}}¶{k:'^4}", n=1, interval=0.01)),
        about=About(title='T\x00"""\\\n'), backend="threads")


def _pool_case() -> Scenario:
    return replace(make(
        spec("p", "flood", "{n:=+5}#{i:\\<3}", n=3),
        spec("proc", "mixed", "{k}'''", n=1, compute=0.005, interval=0.01),
        spec("process", "sleep_loop", "x", n=1, interval=0.01),
        spec("each", "crash", "{i:#^3}", n=2, interval=0.01, at=1),
        program="p.start(); proc.start(); process.start(); each.start(); each.join()"),
        backend="pool", workers=Copies(1))


def _copies_case() -> Scenario:
    s = make(spec("W", "exit_code", '{name:"<12}|', n=2, interval=0.01, at=1, code=3),
             spec("pool", "sleep_loop", "{i:»>4}", n=1, interval=0.01),
             program="W.start(); pool.start(); W.join()")
    w = replace(s.processes[0], name='it\'s "{W}"»\\', copies=Copies(2))
    return replace(s, processes=(w, s.processes[1]), about=About(title=EVIL))


HOSTILE_RUNS = {
    "threads: quotes, NUL, bidi, separators; the helpers' names taken": _threads_case,
    "pool: a backslash fill; the loop variable's names taken": _pool_case,
    "processes: copies with quotes, braces and a backslash in the name": _copies_case,
}


@pytest.mark.parametrize("case", sorted(HOSTILE_RUNS))
def test_hostile_scenarios_run_with_plain_python_and_print_what_mpgui_run_prints(case,
                                                                                tmp_path):
    scenario = HOSTILE_RUNS[case]()
    assert not errors(scenario)
    assert_runs_like_mpgui(scenario, tmp_path)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.filter_too_much])
@given(scenarios(surrogates=False, runnable=True))
def test_a_few_random_ones_run_with_plain_python_and_print_what_mpgui_run_prints(
        tmp_path_factory, scenario):
    assume(not errors(scenario))
    assert_runs_like_mpgui(scenario, tmp_path_factory.mktemp("run"))


def test_builtins_still_read_like_the_tutorial():
    code = generate_code(load_builtin("seed"), source="seed")
    assert code.startswith('"""The tutorial\'s four processes\n\nWritten by `mpgui code seed`')
    assert '    multiprocessing.set_start_method("spawn")' in code
    assert 'print(f"Process 1: {i}", flush=True)' in code
