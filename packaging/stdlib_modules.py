"""The standard library the bundle must carry: every module of it that imports here.

    python packaging/stdlib_modules.py          prints them, one a line

A user's script that runs with a plain ``python`` and uses only the standard library
must run traced in the packaged app, and PyInstaller only packs what mpgui itself
imports. So the spec names, as hidden imports, every module that
``sys.stdlib_module_names`` names and that imports on the build platform, with all the
submodules of its packages; packaging/check.py imports the same list inside the frozen
app.

Left out, on purpose (see NOT_BUNDLED): CPython's own test suites (``test``, and the
``test``/``tests`` subpackages of other packages), IDLE (an application, not a library)
and the turtle demo, and ``__phello__`` (a frozen "hello world" used by CPython's tests).
``__main__`` submodules (what ``python -m pkg`` runs) are bundled but never imported by
the check: importing one runs that program (``asyncio.__main__`` starts a REPL).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

NOT_BUNDLED = ("test", "idlelib", "turtledemo", "__phello__")
# Imported by a script, these do something visible (open a web browser, print the Zen):
# bundled, but the check does not import them.
SIDE_EFFECTS = ("antigravity", "this")

# Run by the build's Python in a fresh process (the modules it imports stay out of
# the caller): walk the standard library, try each module, print JSON.
_PROBE = r"""
import importlib, json, pkgutil, sys, warnings
warnings.simplefilter("ignore")
skip = set(json.loads(sys.argv[1]))
def is_test(name):
    parts = name.split(".")
    return parts[0] in skip or any(p in ("test", "tests", "idle_test") for p in parts[1:])
found, imports = [], []
def try_import(name):
    found.append(name)
    if name.rsplit(".", 1)[-1] == "__main__" or name.split(".")[0] in side:
        return None
    try:
        module = importlib.import_module(name)
    except Exception:  # noqa: BLE001  (missing extension, another platform's module)
        return None
    imports.append(name)
    return module
side = set(json.loads(sys.argv[2]))
for top in sorted(sys.stdlib_module_names):
    if is_test(top):
        continue
    module = try_import(top)
    if module is None and top not in side:
        found.pop()  # does not import here: not bundled
        continue
    path = getattr(module, "__path__", None) if module else None
    if top in side:
        path = None
    for info in pkgutil.walk_packages(path or [], top + ".", onerror=lambda n: None):
        if not is_test(info.name):
            try_import(info.name)
print(json.dumps({"bundled": found, "imports": imports}))
"""


def stdlib_modules(python: str = sys.executable) -> dict[str, list[str]]:
    """What `python`'s standard library offers here: "bundled", every module to pack
    (hidden imports); "imports", those of them that import in a plain interpreter
    (what the check imports inside the frozen app)."""
    res = subprocess.run([python, "-I", "-c", _PROBE, json.dumps(NOT_BUNDLED),
                          json.dumps(SIDE_EFFECTS)],
                         capture_output=True, text=True, check=True, timeout=300,
                         stdin=subprocess.DEVNULL,
                         # the standard library's distutils, not setuptools' stand-in
                         env=dict(os.environ, SETUPTOOLS_USE_DISTUTILS="stdlib"))
    return json.loads(res.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    found = stdlib_modules()
    print("\n".join(found["bundled"]))
    print(f"({len(found['bundled'])} modules bundled, {len(found['imports'])} import "
          "here)", file=sys.stderr)
