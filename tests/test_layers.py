"""The core stays free of Qt: model/ and runtime/ never import PySide6 or pyqtgraph."""

from __future__ import annotations

import ast
from pathlib import Path

import mpgui

PACKAGE = Path(mpgui.__file__).parent
QT = ("PySide6", "pyqtgraph", "shiboken6", "numpy")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_model_and_runtime_import_no_qt():
    offenders = []
    for layer in ("model", "runtime"):
        for path in (PACKAGE / layer).rglob("*.py"):
            bad = [m for m in imported_modules(path) if m.split(".")[0] in QT]
            if bad:
                offenders.append(f"{path.relative_to(PACKAGE)}: {bad}")
    assert offenders == []


def test_model_does_not_depend_on_runtime_or_ui():
    for path in (PACKAGE / "model").rglob("*.py"):
        deps = [m for m in imported_modules(path) if m.startswith(("mpgui.runtime", "mpgui.ui"))]
        assert deps == [], path
