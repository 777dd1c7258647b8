"""The packaging's own logic, without a build: which standard library the bundle carries
(packaging/stdlib_modules.py) and the .deb's Installed-Size (packaging/artifacts.py).
packaging/check.py checks the built artifacts themselves."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

PACKAGING = Path(__file__).resolve().parent.parent / "packaging"


def load(name: str):  # type: ignore[no-untyped-def]
    # The packaging scripts import each other as siblings (they run from packaging/).
    if str(PACKAGING) not in sys.path:
        sys.path.insert(0, str(PACKAGING))
    spec = importlib.util.spec_from_file_location(f"packaging_{name}", PACKAGING / f"{name}.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_the_bundle_carries_the_whole_standard_library_that_imports_here():
    found = load("stdlib_modules").stdlib_modules(sys.executable)
    bundled, imports = set(found["bundled"]), set(found["imports"])
    # The modules the issue found missing, and what multiprocessing needs of them.
    for name in ("heapq", "queue", "asyncio", "sqlite3", "uuid", "configparser", "zoneinfo",
                 "unittest", "concurrent.futures.process", "multiprocessing.managers",
                 "multiprocessing.pool", "xml.etree.ElementTree", "email.mime.text",
                 "sre_parse"):
        assert name in imports, name
    # Every top-level name of the standard library that this Python has (found without
    # importing it here), but the ones left out; none of another platform (winreg, ...).
    left_out = {"test", "idlelib", "turtledemo", "__phello__"}
    for top in sys.stdlib_module_names - left_out:
        present = top in sys.builtin_module_names or importlib.util.find_spec(top) is not None
        assert (top in bundled) == present, top
    assert not {n for n in bundled if n.split(".")[0] in left_out}
    assert not [n for n in bundled if ".test." in f"{n}." or ".tests." in f"{n}."]
    # Importing a __main__ runs that program: bundled, never imported by the check.
    assert "asyncio.__main__" in bundled and "asyncio.__main__" not in imports
    assert imports <= bundled


def test_installed_size_counts_a_symlink_once_as_dpkg_does(tmp_path):
    stage = tmp_path / "stage"
    lib = stage / "opt" / "lib"
    lib.mkdir(parents=True)
    (lib / "libx.so.1.2").write_bytes(b"x" * 5000)  # 5 KiB rounded up
    os.symlink("libx.so.1.2", lib / "libx.so.1")  # 1, not the 5 KiB it points to
    (lib / "empty").write_bytes(b"")  # 0
    (stage / "DEBIAN").mkdir()
    (stage / "DEBIAN" / "control").write_text("x" * 9000)  # not installed: not counted
    # folders opt, opt/lib: 1 each
    assert load("artifacts").installed_size_kib(stage) == 5 + 1 + 0 + 2
