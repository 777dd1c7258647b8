"""``mpgui --selftest`` leaves nothing behind: no folder, and no process of its own (the
forkserver and the resource tracker that multiprocessing started for it included)
alive once it has exited."""

from __future__ import annotations

import subprocess
import uuid

import psutil

from tests.helpers import MPGUI, env_without_display


def marked(name: str, mark: str) -> list[str]:
    """Processes whose environment carries `name`=`mark` (children inherit it)."""
    out = []
    for p in psutil.process_iter(["pid", "cmdline"]):
        try:
            if p.environ().get(name) == mark:
                out.append(f"{p.info['pid']} {' '.join(p.info['cmdline'] or [])}")
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return out


def test_selftest_leaves_no_folder_and_no_process(tmp_path):
    mark = uuid.uuid4().hex
    env = dict(env_without_display(), TMPDIR=str(tmp_path), MPGUI_TEST_MARK=mark)
    res = subprocess.run([*MPGUI, "--selftest"], capture_output=True, text=True,
                         timeout=180, env=env)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "forkserver" in res.stdout  # the helpers were there to be stopped
    # At once, not after a grace period: the command stopped them before it exited.
    assert marked("MPGUI_TEST_MARK", mark) == []
    assert list(tmp_path.iterdir()) == []
