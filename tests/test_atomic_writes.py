"""Every write atomic, every failure reported: a small disk fills up during every kind
of write mpgui makes, and the old file survives byte for byte, the command says so in
one line (exit 2) or the window in a dialog, and no temporary file is left behind.

The full disk is a real small tmpfs where this machine allows it, else one mounted in a
user namespace, else a file size limit (see tests/full_disk.py): `FULL` names the
reasons a write can then fail with.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from mpgui.model.builtins import load_builtin
from mpgui.model.fileformat import WriteError, atomic_write, dump_scenario, save_scenario
from mpgui.ui.editor import recovery
from mpgui.ui.main_window import MainWindow
from tests.full_disk import FullDisk, chosen_mode, file_size_limit, mount_tmpfs, umount
from tests.helpers import MPGUI

OLD = b"the old file: it must survive, byte for byte\n"
FULL = (os.strerror(errno.ENOSPC), os.strerror(errno.EFBIG))  # no space, file too large
SCRIPT = """\
import multiprocessing as mp

def child():
    print("from the child")

if __name__ == "__main__":
    p = mp.Process(target=child)
    p.start()
    p.join()
"""


@pytest.fixture
def disk(tmp_path):
    """A folder on a small disk that tests fill up (how: tests/full_disk.py)."""
    mode = chosen_mode()
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = mode == "tmpfs" and mount_tmpfs(folder)
    assert mounted or mode != "tmpfs"
    yield FullDisk(folder, mode)
    if mounted:
        umount(folder)


def run_to_end(qtbot, w: MainWindow, timeout_s: float = 30) -> None:
    w.acts["run"].trigger()
    qtbot.waitUntil(lambda: w.view.current is not None and w.view.live is None,
                    timeout=int(timeout_s * 1000))


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mpgui: error: "), stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr
    return lines[0]


def says_disk_full(text: str) -> bool:
    return any(reason in text for reason in FULL)


# -- the command line ----------------------------------------------------------------

RUN = ["run", "seed", "--speed", "20", "--quiet"]
FILE_OUTPUTS = {  # id: (arguments, the file written)
    "run --trace": ([*RUN, "--trace", "out.json"], "out.json"),
    "run --csv": ([*RUN, "--csv", "out.csv"], "out.csv"),
    "run --png": ([*RUN, "--png", "out.png"], "out.png"),
    "run --svg": ([*RUN, "--svg", "out.svg"], "out.svg"),
    "trace --trace": (["trace", "--quiet", "--trace", "out.json", "SCRIPT"], "out.json"),
    "trace --csv": (["trace", "--quiet", "--csv", "out.csv", "SCRIPT"], "out.csv"),
    "trace --svg": (["trace", "--quiet", "--svg", "out.svg", "SCRIPT"], "out.svg"),
}


@pytest.mark.parametrize("case", FILE_OUTPUTS)
def test_a_cli_output_on_a_full_disk_is_one_error_and_the_old_file_survives(
        disk, tmp_path, case):
    args, target = FILE_OUTPUTS[case]
    script = tmp_path / "two.py"
    script.write_text(SCRIPT)
    args = [str(script) if a == "SCRIPT" else a for a in args]
    res = disk.run([*MPGUI, *args], {target: OLD, "neighbour.txt": OLD})
    assert res.returncode == 2, res.stderr
    line = one_error_line(res.stderr)
    assert line.startswith(f"mpgui: error: cannot save {target} (") and says_disk_full(line)
    assert res.files == {target: OLD, "neighbour.txt": OLD}  # intact; no temporary left


def test_several_outputs_on_a_full_disk_are_still_one_line(disk):
    res = disk.run([*MPGUI, *RUN, "--trace", "a.json", "--csv", "a.csv", "--png", "a.png",
                    "--svg", "a.svg"], {"a.json": OLD, "a.png": OLD})
    assert res.returncode == 2
    line = one_error_line(res.stderr)
    assert "cannot save a.json" in line and "(and 3 more files not saved)" in line
    assert res.files == {"a.json": OLD, "a.png": OLD}


@pytest.mark.parametrize("args", [["code", "seed"], [*RUN], ["list"]],
                         ids=["code", "run", "list"])
def test_standard_output_to_a_file_on_a_full_disk_is_one_error(disk, args):
    """`mpgui code seed > file` on a full disk: the shell made the (empty) file; the
    write fails at once or only at the flush — either way one line, exit 2."""
    # (the seed prints 16 short lines: under a file size limit, a small one)
    res = disk.run([*MPGUI, *args], {"neighbour.txt": OLD}, stdout_file="out.txt", limit=64)
    assert res.returncode == 2, res.stderr
    line = one_error_line(res.stderr)
    assert line.startswith("mpgui: error: cannot write the output (") and says_disk_full(line)
    assert res.files["neighbour.txt"] == OLD
    assert set(res.files) == {"neighbour.txt", "out.txt"}


def test_help_to_a_full_disk_is_one_error_too(disk):
    res = disk.run([*MPGUI, "run", "--help"], {}, stdout_file="help.txt")
    assert res.returncode == 2
    assert says_disk_full(one_error_line(res.stderr))


def test_a_reader_that_leaves_ends_the_command_quietly():
    """`mpgui run seed | head -1`: the pipe closes; mpgui ends without a word, as any
    command in a pipeline does (and stops its children: the fixture checks)."""
    with subprocess.Popen([*MPGUI, *RUN], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as proc:
        assert proc.stdout.readline()  # a first line
        proc.stdout.close()
        err = proc.stderr.read().decode()
        proc.wait(timeout=60)
    assert proc.returncode == 0 and err == ""


def test_a_cli_output_replaces_the_old_file_when_there_is_room(tmp_path):
    old = tmp_path / "out.json"
    old.write_bytes(OLD)
    old.chmod(0o640)
    res = subprocess.run([*MPGUI, *RUN, "--trace", str(old)], capture_output=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    assert json.loads(old.read_bytes())["traceEvents"]
    assert stat.S_IMODE(old.stat().st_mode) == 0o640  # the user's permissions kept
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary left


# -- the window ----------------------------------------------------------------------


def _window_writes(window: MainWindow, kind: str, path: Path) -> bool:
    """Write `kind` to `path` the way the window's menu items do (without their file
    dialog). True if the window says it was written."""
    if kind in ("png", "svg", "json", "csv"):
        return window.runs.export_to(kind, path)
    if kind == "scenario":
        return window.files.save_to(path)
    if kind == "run":
        return window.runs.save_run_to(window.view.current, path)
    assert kind == "code"
    return window.code.save_to(path)


WINDOW_WRITES = {"png": "Cannot export", "svg": "Cannot export", "json": "Cannot export",
                 "csv": "Cannot export", "scenario": "Cannot save scenario",
                 "run": "Cannot save run", "code": "Cannot save the Python code"}


@pytest.mark.parametrize("kind", WINDOW_WRITES)
def test_a_window_write_on_a_full_disk_is_a_dialog_and_the_old_file_survives(
        qtbot, window, said, disk, kind):
    messages, _ = said
    run_to_end(qtbot, window)
    name = f"seed.{kind}"
    disk.prepare({name: OLD, "neighbour.txt": OLD})
    with disk.full():
        written = _window_writes(window, kind, disk.folder / name)
    assert not written
    assert len(messages) == 1 and messages[0].startswith(f"{WINDOW_WRITES[kind]}: ")
    assert f"cannot save {disk.folder / name}" in messages[0] and says_disk_full(messages[0])
    assert disk.files() == {name: OLD, "neighbour.txt": OLD}  # intact; no temporary left


@pytest.mark.parametrize("kind", WINDOW_WRITES)
def test_a_window_write_replaces_the_old_file(qtbot, window, said, tmp_path, kind):
    messages, _ = said
    run_to_end(qtbot, window)
    path = tmp_path / f"seed.{kind}"
    path.write_bytes(OLD)
    assert _window_writes(window, kind, path) and not messages
    assert path.read_bytes() != OLD and len(path.read_bytes()) > 100
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [path.name]


def test_an_autosave_on_a_full_disk_keeps_the_last_one_quietly(disk):
    """The recovery file is a safety net: a full disk must not disturb the editing (no
    dialog, no exception), and the last good copy stays."""
    name = "recovery-1.json"
    disk.prepare({name: OLD})
    with disk.full():
        recovery.write(disk.folder / name, load_builtin("seed"), None, "seed")
    assert disk.files() == {name: OLD}


def test_the_settings_file_is_written_atomically_by_qt(disk):
    """UI state goes through QSettings, which Qt writes with QSaveFile (a temporary
    and a rename): on a full disk the old settings file stays and nothing is left."""
    path = disk.folder / "mpgui.ini"
    store = QSettings(str(path), QSettings.Format.IniFormat)
    store.setValue("kept", "yes")
    store.sync()
    assert store.status() == QSettings.Status.NoError
    before = path.read_bytes()
    with disk.full():
        store.setValue("big", "x" * 100_000)
        store.sync()
        status = store.status()
    assert status == QSettings.Status.AccessError
    assert disk.files() == {"mpgui.ini": before}
    del store


# -- the writer itself ---------------------------------------------------------------


def test_atomic_write_keeps_permissions_and_gives_new_files_the_umask(tmp_path):
    old = tmp_path / "old.toml"
    old.write_bytes(OLD)
    old.chmod(0o604)
    atomic_write(old, b"new")
    assert old.read_bytes() == b"new" and stat.S_IMODE(old.stat().st_mode) == 0o604
    umask = os.umask(0o022)
    try:
        atomic_write(tmp_path / "new.toml", b"new")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.toml").stat().st_mode) == 0o644


def test_atomic_write_never_shows_a_private_file_to_others(tmp_path, monkeypatch):
    """While it is written, the temporary of a 0600 file is 0600 too."""
    private = tmp_path / "private.toml"
    private.write_bytes(OLD)
    private.chmod(0o600)
    seen = []

    def chunks():
        tmp = next(p for p in tmp_path.iterdir() if p.name.endswith(".tmp"))
        seen.append(stat.S_IMODE(tmp.stat().st_mode))
        yield b"new"

    atomic_write(private, chunks())
    assert seen == [0o600] and stat.S_IMODE(private.stat().st_mode) == 0o600


def test_atomic_write_cleans_up_after_any_failure(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_bytes(OLD)

    def interrupted():
        yield b"half of it"
        raise KeyboardInterrupt  # Ctrl+C in the middle

    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, interrupted())
    with file_size_limit(16), pytest.raises(WriteError, match=r"mine\.toml"):
        atomic_write(path, b"more than sixteen bytes")
    assert path.read_bytes() == OLD and [p.name for p in tmp_path.iterdir()] == ["mine.toml"]


def test_atomic_write_follows_a_link_and_refuses_a_folder(tmp_path):
    target = tmp_path / "real.toml"
    target.write_bytes(OLD)
    link = tmp_path / "link.toml"
    link.symlink_to(target)
    save_scenario(load_builtin("seed"), link)
    assert link.is_symlink() and target.read_text() == dump_scenario(load_builtin("seed"))
    with pytest.raises(WriteError, match="is a folder"):
        atomic_write(tmp_path, b"x")


def test_atomic_write_to_a_device_writes_in_place():
    """`--csv /dev/null` (or /dev/stdout): a device is written, never replaced."""
    atomic_write(Path(os.devnull), b"nothing")
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_atomic_write_to_a_pipe_nobody_reads_fails_at_once(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(WriteError, match="nothing reads that pipe"):
        atomic_write(fifo, b"x")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_the_error_names_the_file_in_one_clean_line(tmp_path):
    with pytest.raises(WriteError) as caught:
        atomic_write(tmp_path / "no\nsuch\x1b[31m" / "x.csv", b"x")
    assert "\n" not in str(caught.value) and "\x1b" not in str(caught.value)


def test_only_the_one_writer_writes_files():
    """No other way of writing a file in the package (packaging is not part of it)."""
    package = Path(__file__).resolve().parent.parent / "mpgui"
    suspects = ("write_text(", "write_bytes(", ".save(str(", "setFileName(", '"w")',
                "'w')", '"wb")', "'wb')", '"a")', "QSaveFile", "QFile(")
    found = [f"{p.relative_to(package)}: {s}" for p in package.rglob("*.py")
             for s in suspects if s in p.read_text(encoding="utf-8")]
    found = [f for f in found if not f.startswith("model/fileformat.py")]
    assert found == [], found


if sys.platform != "linux":  # the full disk of tests/full_disk.py is Linux's
    pytestmark = pytest.mark.skip(reason="Linux only")
