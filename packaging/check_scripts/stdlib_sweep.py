"""Import every module named in the file argv[1] (one a line); name those that fail.

packaging/check.py runs it with ``mpgui trace`` inside the frozen app: each module
that imports in a plain python must import there too."""
import importlib
import sys
import warnings

warnings.simplefilter("ignore")  # deprecated modules (lib2to3, ...) still count
with open(sys.argv[1], encoding="utf-8") as f:
    names = f.read().split()
failed = []
for name in names:
    try:
        importlib.import_module(name)
    except Exception as exc:  # each failure named, none stops the sweep
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print(f"imported {len(names) - len(failed)} of {len(names)}")
for line in failed:
    print(f"  FAILED {line}")
sys.exit(1 if failed else 0)
