"""The layer rules hold: the import-linter contracts in pyproject.toml ([tool.importlinter]).

The model imports neither the runtime nor the UI; the runtime never imports the UI; the
model, the runtime and every module a child process imports stay free of Qt; the backends
and the Runner form no circle; the UI imports no child host. What a real
child imports at run time is checked where children are started (test_backends,
test_operations, test_runner).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import mpgui

REPO = Path(mpgui.__file__).parent.parent
# lint-imports as this interpreter runs it (the venv's script may name another Python).
LINT_IMPORTS = ("import sys; from importlinter.cli import lint_imports_command; "
                "sys.exit(lint_imports_command())")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports over the `mpgui` package in `root`, with `root`'s pyproject.toml."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, "-c", LINT_IMPORTS, "--no-cache"], cwd=root,
                          env=env, capture_output=True, text=True, timeout=120)


def test_the_layer_contracts_are_kept():
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " kept, 0 broken" in result.stdout


@pytest.mark.parametrize(("module", "line", "broken"), [
    ("model/escape.py", "import mpgui.runtime.cpu", "The model imports neither"),
    ("runtime/output/summary.py", "import mpgui.ui", "The runtime never imports the UI"),
    # Inside a function, as a lazy import would be; the child side breaks through it.
    ("runtime/child/reporter.py", "def _qt() -> None:\n    import PySide6.QtCore",
     "The child side imports no Qt"),
    ("model/scenario.py", "import numpy", "The model and the runtime import no Qt"),
    ("runtime/parent/children.py", "if TYPE_CHECKING:\n    import mpgui.runtime.parent.runner",
     "The backends do not import the Runner"),
    ("ui/chart/chart.py", "from mpgui.runtime.child.threads_host import host_main",
     "The UI does not import a child host"),
])
def test_a_contract_breaks_when_a_layer_rule_is_broken(tmp_path, module, line, broken):
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    shutil.copytree(REPO / "mpgui", tmp_path / "mpgui",
                    ignore=shutil.ignore_patterns("__pycache__"))
    with open(tmp_path / "mpgui" / module, "a", encoding="utf-8") as f:
        f.write(f"\n\n{line}  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout
    assert broken in result.stdout
    assert "BROKEN" in result.stdout.split(broken, 1)[1].splitlines()[0]
