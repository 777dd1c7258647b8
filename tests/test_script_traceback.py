"""The frozen app runs a traced script with itself (``mpgui --python-script SCRIPT``, having
no python of its own). What the script shows when it fails must be what ``python SCRIPT``
shows: its own frames only — no cli.py, runpy or mpgui_app.py frames — the same exit
status, and so no PyInstaller "Failed to execute script" line either."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import MPGUI

SCRIPTS = {
    "chained": """
def inner():
    raise ValueError("boom")

try:
    {}["k"]
except KeyError:
    inner()
""",
    "syntax": "x = (1,\n",
    "exit_message": "import sys\nsys.exit('bad input: stop')\n",
    "exit_code": "import sys\nprint('before')\nsys.exit(3)\n",
    "own_hook": """
import sys

def hook(kind, value, tb):
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    print("hook:", kind.__name__, value, frames, file=sys.stderr)

sys.excepthook = hook

def f():
    raise RuntimeError("in f")

f()
""",
    "atexit": """
import atexit
atexit.register(lambda: print("atexit ran", flush=True))
raise OSError(5, "gone")
""",
}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_the_script_fails_as_with_python(tmp_path, name):
    script = tmp_path / f"{name}.py"
    script.write_text(SCRIPTS[name].lstrip("\n"))
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                           timeout=60, cwd=tmp_path)
    frozen_way = subprocess.run([*MPGUI, "--python-script", str(script)], capture_output=True,
                                text=True, timeout=60, cwd=tmp_path)
    assert (frozen_way.returncode, frozen_way.stdout, frozen_way.stderr) == \
        (plain.returncode, plain.stdout, plain.stderr)
    for runner in ("cli.py", "runpy", "mpgui_app", "__main__.py", "Failed to execute"):
        assert runner not in frozen_way.stderr


def test_only_the_scripts_frames(tmp_path):
    script = tmp_path / "deep.py"
    script.write_text("def a():\n    b()\n\ndef b():\n    1 / 0\n\na()\n")
    res = subprocess.run([*MPGUI, "--python-script", str(script)], capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 1
    files = [line.split('"')[1] for line in res.stderr.splitlines()
             if line.startswith('  File "')]
    assert files == [str(script)] * 3
    assert res.stderr.rstrip().endswith("ZeroDivisionError: division by zero")
    assert Path(script).exists()
