"""Hostile files and names: nothing hangs, nothing ends in a traceback, every error is
one clean line.

A teacher opens the files students send. Whatever a scenario or run file holds — or
whatever the "file" really is (a FIFO, a device, a folder, a socket) — mpgui answers
at once: the CLI with one ``mpgui: error: …`` line and exit status 2, the window with a
dialog. Real files and real subprocesses throughout; a hang would be forever, so every
subprocess has a timeout and every in-process read of a FIFO has a watchdog that
unblocks it (and the test then fails on the time it took).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mpgui.cli import error_line
from mpgui.model.builtins import builtin_path
from mpgui.model.copies import Copies
from mpgui.model.fileformat import MAX_FILE_BYTES, ScenarioFileError, load_scenario, parse_scenario
from mpgui.model.scenario import ProcessSpec, Scenario, Step
from mpgui.model.validation import validate
from mpgui.runtime.output.runfile import RunFileError, load_run
from tests.helpers import MPGUI

SEED = builtin_path("seed").read_text(encoding="utf-8")
HANG = 60  # s: far longer than any answer takes, even on a busy machine; a hang is forever
QUICK = 2.0  # s: in-process answers (milliseconds when idle)


def scenario_text(var: str = '"A"', name: str = '"p"', message: str = '"Process: {i}"',
                  copies: str = "1", main: str = '"A.start()"') -> str:
    """A one-process scenario file; the values are TOML literals."""
    return (f"format = 1\nmain = [{main}]\n[[process]]\nvar = {var}\nname = {name}\n"
            f"workload = \"sleep_loop\"\nmessage = {message}\ncopies = {copies}\n")


def assert_one_clean_line(stderr: bytes) -> str:
    """stderr is exactly one line ``mpgui: error: …``: no traceback, no raw control
    byte (ESC, BEL, CR...), nothing after it."""
    assert stderr.endswith(b"\n") and stderr.count(b"\n") == 1, stderr[:2000]
    assert not any(b < 0x20 or b == 0x7F for b in stderr[:-1]), stderr[:2000]
    line = stderr[:-1].decode("utf-8")
    assert line.startswith("mpgui: error: "), line[:2000]
    assert line.isprintable(), line[:2000]  # C1 controls, bidi overrides: escaped too
    assert len(line) < 2000
    return line


def cli(*args: str | os.PathLike[str], cwd: Path | None = None) -> tuple[int, str, float]:
    """Run ``mpgui ARGS``; (exit status, its one error line, seconds it took)."""
    t0 = time.monotonic()
    proc = subprocess.run([*MPGUI, *map(str, args)], capture_output=True, timeout=HANG,
                          stdin=subprocess.DEVNULL, cwd=cwd)
    took = time.monotonic() - t0
    assert proc.stdout == b""
    return proc.returncode, assert_one_clean_line(proc.stderr), took


@contextlib.contextmanager
def watchdog(fifo: Path, after: float = 20.0):
    """If something is stuck opening `fifo` for reading after `after` s, open its
    writing end (and close it) so the test ends — and fails — instead of hanging."""
    stop = threading.Event()

    def unblock() -> None:
        while not stop.wait(after):
            with contextlib.suppress(OSError):  # ENXIO: nobody is reading: fine
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    t = threading.Thread(target=unblock, daemon=True)
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join()


@pytest.fixture
def fifo(tmp_path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    path = tmp_path / "pipe.toml"
    os.mkfifo(path)
    return path


@pytest.fixture
def sock():
    if not hasattr(socket, "AF_UNIX"):
        pytest.skip("no Unix sockets here")
    folder = tempfile.mkdtemp(prefix="mpgui-")  # short: socket paths have ~100 bytes
    path = Path(folder) / "s.toml"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    yield path
    s.close()
    path.unlink()
    os.rmdir(folder)


# ---------------------------------------------------------------- special files


@pytest.mark.parametrize("command", ["run", "code", "gui"])
def test_a_fifo_as_scenario_is_refused_at_once_by_the_cli(fifo, command):
    args = [fifo] if command == "gui" else [command, fifo]
    with watchdog(fifo):
        rc, line, _took = cli(*args)
    assert rc == 2 and "named pipe (FIFO)" in line and "not a scenario file" in line


def test_a_fifo_named_without_suffix_or_folder_is_still_a_file(fifo, tmp_path):
    bare = tmp_path / "pipe"
    os.mkfifo(bare)
    with watchdog(bare):
        rc, line, _took = cli("run", "pipe", cwd=tmp_path)
    assert rc == 2 and "named pipe" in line


def test_a_fifo_as_the_script_to_trace_is_refused(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    script = tmp_path / "s.py"
    os.mkfifo(script)
    with watchdog(script):
        rc, line, _took = cli("trace", script)
    assert rc == 2 and "named pipe" in line and "not a Python script" in line


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/null", "/dev/tty", "/dev/urandom"])
def test_devices_are_refused_unread(special):
    if not os.path.exists(special):
        pytest.skip(f"no {special} here")
    rc, line, _took = cli("run", special)
    assert rc == 2 and line == f"mpgui: error: {special} is a device, not a scenario file"
    with pytest.raises(ScenarioFileError, match="is a device"):
        load_scenario(special)


def test_folders_and_sockets_are_refused(tmp_path, sock):
    rc, line, _took = cli("code", tmp_path)
    assert rc == 2 and "is a folder" in line
    rc, line, _took = cli("run", sock)
    assert rc == 2 and "is a socket" in line


def test_fifo_and_devices_in_process_answer_quickly(fifo):
    with watchdog(fifo):
        t0 = time.monotonic()
        with pytest.raises(ScenarioFileError, match="named pipe"):
            load_scenario(fifo)
        with pytest.raises(RunFileError, match="named pipe"):
            load_run(fifo)
        assert time.monotonic() - t0 < QUICK


def test_a_file_over_the_bound_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "big.toml"
    with big.open("wb") as f:  # sparse: 5 GB claimed, nothing written
        f.truncate(5_000_000_000)
    rc, line, _took = cli("run", big)
    assert rc == 2 and "5000.0 MB" in line and "at most 1 MB" in line
    just_over = tmp_path / "over.toml"
    just_over.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(ScenarioFileError, match="at most 1 MB"):
        load_scenario(just_over)


# ---------------------------------------------------------------- contents


def test_deep_nesting_and_huge_numbers_are_one_line_exit_2(tmp_path):
    cases = {
        "arrays.toml": ("format = 1\nmain = " + "[" * 50_000 + "]" * 50_000 + "\n",
                        "nests lists or tables too deeply"),
        "tables.toml": ("format = 1\n[about]\nx = " + "{a=" * 30_000 + "1" + "}" * 30_000,
                        "nests lists or tables too deeply"),
        "int.toml": (SEED.replace("n = 4,", "n = " + "7" * 5000 + ",", 1),
                     f"line {SEED[:SEED.index('n = 4,')].count(chr(10)) + 1}: a number of "
                     "5,000 digits"),
        "format.toml": ("format = " + "9" * 4301 + "\n", "line 1: a number of 4,301 digits"),
    }
    for name, (text, words) in cases.items():
        (tmp_path / name).write_text(text)
        rc, line, _took = cli("run", tmp_path / name)
        assert rc == 2 and words in line, (name, line)


def test_a_200k_digit_step_is_refused_quickly(tmp_path):
    step = "A.join(" + "1" * 200_000  # not even closed: the pattern's worst case
    text = scenario_text(main=json.dumps(step))
    t0 = time.monotonic()
    with pytest.raises(ScenarioFileError, match=r"main\[1\]: .* is 200,007 characters long"):
        parse_scenario(text)
    assert time.monotonic() - t0 < QUICK
    for n in (20_000, 200_000):  # below the length bound the parser itself is linear
        for bad in (f"A.join({'1' * n}", f"time.sleep({'1' * n}x)", f"A.join(.{'1' * n}"):
            t0 = time.monotonic()
            with pytest.raises(ValueError):
                Step.parse(bad)
            assert time.monotonic() - t0 < QUICK
    (tmp_path / "step.toml").write_text(text)
    rc, line, _took = cli("run", tmp_path / "step.toml")
    assert rc == 2 and "a step is at most 200" in line


def test_utf32_is_called_utf32_and_utf16_utf16():
    for encoding, name in (("utf-32", "UTF-32"), ("utf-32-be", None), ("utf-16", "UTF-16"),
                           ("utf-16-be", None)):
        data = SEED.encode(encoding)
        if name is None:  # no byte order mark: NULs say it is not UTF-8
            data = SEED.encode(encoding)
            with pytest.raises(ScenarioFileError, match="NUL characters"):
                parse_scenario(data)
            continue
        with pytest.raises(ScenarioFileError) as err:
            parse_scenario(data, source="s.toml")
        assert str(err.value) == f"s.toml is {name} text; save it as UTF-8"
    be32 = b"\x00\x00\xfe\xff" + SEED.encode("utf-32-be")
    with pytest.raises(ScenarioFileError, match="is UTF-32 text"):
        parse_scenario(be32)


def test_copies_in_other_digits_say_what_is_wrong(tmp_path):
    for copies, words in (('"²"', "'²' is not a number of copies: write the count with the "
                                  "digits 0-9"),
                          ('"٣"', "'٣' is not a number of copies"),
                          ('"' + "1" * 5000 + '"', "is not a number of copies")):
        path = tmp_path / "c.toml"
        path.write_text(scenario_text(copies=copies), encoding="utf-8")
        rc, line, _took = cli("code", path)
        assert rc == 2 and words in line and "int()" not in line, line
    assert Copies.parse(" 12 ") == Copies(12)


# ---------------------------------------------------------------- one clean line


def test_a_newline_in_a_variable_stays_one_line(tmp_path):
    path = tmp_path / "nl.toml"
    path.write_text(scenario_text(var='"A\\nimport os"', main='"A.start()"'))
    rc, line, _took = cli("run", path)
    assert rc == 2 and "A\\nimport os" in line


def test_escape_sequences_in_names_and_messages_are_shown_escaped(tmp_path):
    path = tmp_path / "esc.toml"
    path.write_text(scenario_text(var='"\\u001b[2J\\u0007"', name='"\\u001b]0;owned\\u0007"'))
    rc, line, _took = cli("code", path)
    assert rc == 2 and "\\x1b[2J\\x07" in line
    path.write_text(scenario_text(name='"x\\u009b31m\\u202ey"'))  # C1 CSI, bidi override
    rc, line, _took = cli("run", path)
    assert rc == 2 and "name: must be one line without control characters" in line


def test_escape_sequences_in_file_names_are_shown_escaped(tmp_path):
    name = "evil\x1b[31m\x07\nname.toml"
    (tmp_path / name).write_text("this is not toml")
    rc, line, _took = cli("run", tmp_path / name)
    assert rc == 2 and "evil\\x1b[31m\\x07\\nname.toml is not valid TOML" in line
    rc, line, _took = cli("run", tmp_path / ("missing\x1b]2;x\x07.toml"))
    assert rc == 2 and "missing\\x1b]2;x\\x07.toml does not exist" in line
    undecodable = tmp_path / os.fsdecode(b"latin\xe9.toml")  # not UTF-8: a surrogate
    undecodable.write_text("format = 99")
    rc, line, _took = cli("run", undecodable)
    assert rc == 2 and "latin\\udce9.toml was written by another version" in line


def test_the_c_format_is_refused_in_messages(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(scenario_text(message='"{i:c}"'))
    rc, line, _took = cli("run", path)
    assert rc == 2 and "uses :c in {i}" in line


# ---------------------------------------------------------------- the window


def test_the_window_refuses_hostile_files_with_a_dialog(window, said, qtbot, fifo, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    messages, _answers = said
    before = window.doc.scenario
    deep = tmp_path / "deep.toml"
    deep.write_text("format = 1\nmain = " + "[" * 50_000 + "]" * 50_000)
    huge = tmp_path / "huge.toml"
    huge.write_text("format = " + "9" * 5000)
    runfifo = tmp_path / "pipe.mpgrun"
    os.mkfifo(runfifo)
    bomb = tmp_path / "nested.mpgrun"
    bomb.write_bytes(gzip.compress(b"[" * 100_000 + b"]" * 100_000))
    with watchdog(fifo), watchdog(runfifo):
        t0 = time.monotonic()
        assert not window.files.open_path(fifo)
        assert not window.files.open_path(deep)
        assert not window.files.open_path(huge)
        assert window.runs.open_run_path(runfifo) is None
        assert window.runs.open_run_path(bomb) is None
        window.open_initial(str(fifo))  # as `mpgui pipe.toml` would at start-up
        assert time.monotonic() - t0 < 10 * QUICK
        for path in (fifo, runfifo):  # dropped on the window
            mime = QMimeData()
            mime.setUrls([QUrl.fromLocalFile(str(path))])
            event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                               Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
            window.dropEvent(event)
        qtbot.waitUntil(lambda: len(messages) == 8, timeout=10_000)
    assert ["named pipe" in m for m in messages] == [True, False, False, True, False, True,
                                                     True, True], messages
    assert "too deeply" in messages[1]
    assert "a number of 5,000 digits" in messages[2]
    assert "not an mpgui run file" in messages[4]
    assert window.doc.scenario == before  # nothing replaced the scenario being edited


# ---------------------------------------------------------------- fuzz

TOKENS = [
    "format = 1\n", "[[process]]\n", "[about]\n", "main = [", "]", "[", "{", "}", "=", ",",
    '"', "'", '"""', "\\", "\\u001b", "\\n", "\n", "var = ", "name = ", "workload = ",
    '"sleep_loop"', "params = {", "n = ", "interval = ", "copies = ", '"²"', '"per core"',
    "message = ", '"{i:c}"', '"{i:\\u0007<3}"', "1" * 40, "9" * 4400, "[" * 3000,
    "{a=" * 1500, '"A.join(', '"A.start()"', '"A"', "1e400", "nan", "-", "0x", "true",
    "\x00", "\x1b", "\u202e", "\ufeff", "backend = ", '"pool"', "workers = ",
    'title = "\\u001b[2J"', "x" * 300, "1979-05-27", "+inf",
]
toml_ish = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=6)),
                    max_size=30).map("".join)
encoded = st.tuples(toml_ish, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32",
                                               "latin-1"])).map(
    lambda t: t[0].encode(t[1], errors="replace"))


def _assert_line(message: str) -> None:
    line = error_line(message)
    assert "\n" not in line and line.isprintable() and len(line) < 2000, line[:300]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.data_too_large])
@given(st.one_of(st.binary(max_size=300), toml_ish, encoded))
def test_fuzz_the_loader_raises_only_its_own_error_and_says_it_in_one_line(data):
    try:
        scenario = parse_scenario(data, source="f\x1b.toml")
    except ScenarioFileError as exc:  # anything else fails the test
        _assert_line(str(exc))
        return
    for problem in validate(scenario, cores=4):
        _assert_line(problem.text(scenario))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40), st.text(max_size=40))
def test_fuzz_problems_of_any_names_are_one_clean_line(var, name, message):
    scenario = Scenario((ProcessSpec(var, name, message=message),),
                        (Step("start", var), Step("join", var)))
    for problem in validate(scenario, cores=4):
        _assert_line(problem.text(scenario))
        assert "\n" not in problem.message and problem.message.isprintable()


def test_the_summary_shows_file_and_process_names_escaped(tmp_path):
    """mpgui's own lines on stderr (the summary) quote the file name and the names a
    traced script chose: escaped too. (What the script itself prints is its own.)"""
    seed = tmp_path / "seed\x1b[2J\x07.toml"
    seed.write_text(SEED)
    script = tmp_path / "names\x1b.py"
    script.write_text("import multiprocessing as mp\n"
                      "def f(): pass\n"
                      "if __name__ == '__main__':\n"
                      "    p = mp.Process(target=f, name='n\\x1b]0;x\\x07\\u202e')\n"
                      "    p.start(); p.join()\n")
    for args in (["run", "--speed", "20", seed], ["trace", script]):
        proc = subprocess.run([*MPGUI, *map(str, args)], capture_output=True, timeout=HANG,
                              stdin=subprocess.DEVNULL)
        assert proc.returncode == 0, proc.stderr
        lines = proc.stderr.decode().splitlines()
        assert lines and all(line.isprintable() for line in lines), lines
    assert "n\\x1b]0;x\\x07\\u202e" in proc.stderr.decode()
