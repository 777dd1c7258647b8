"""The dataclasses' compiled code kept between starts (`mpgui.startup.quicken_dataclasses`):
the same classes as compiling afresh, nothing compiled twice, a bad file ignored, and
never in a traced script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import MPGUI

pytestmark = pytest.mark.skipif(sys.version_info[:2] not in ((3, 11), (3, 12)),
                                reason="later Pythons compile a class's methods at once")

# Makes dataclasses with the cache, then the same ones without it: each method's code and
# each instance's behaviour must be the same. Prints how many sources were compiled.
_SCRIPT = r'''
import dataclasses, sys
from mpgui import startup
startup.quicken_dataclasses()

def make():
    @dataclasses.dataclass(frozen=True)
    class Frozen:
        name: str
        n: int = 3
        tags: tuple = ()
    @dataclasses.dataclass(order=True)
    class Plain:
        x: float
        items: list = dataclasses.field(default_factory=list)
        def total(self) -> float:
            return self.x + len(self.items)
    @dataclasses.dataclass(kw_only=True, slots=True)
    class Keywords:
        a: int
        b: str = "b"
    return Frozen, Plain, Keywords

cached = make()
compiled = startup._dataclass_code.compiled
startup.resume_collector()  # (the window is up: what was compiled is kept)
del dataclasses.exec  # compiled as usual from here on
fresh = make()
for a, b in zip(cached, fresh):
    for name in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__lt__"):
        fa, fb = getattr(a, name, None), getattr(b, name, None)
        if hasattr(fa, "__code__") or hasattr(fb, "__code__"):
            assert fa.__code__ == fb.__code__, (a, name)
f = cached[0]("x")
assert repr(f) == "make.<locals>.Frozen(name='x', n=3, tags=())" and f == cached[0]("x")
assert hash(f) == hash(cached[0]("x"))
try:
    f.n = 4
except dataclasses.FrozenInstanceError:
    pass
else:
    raise AssertionError("a frozen instance was changed")
p = cached[1](1.0)
assert p.items == [] and p.items is not cached[1](1.0).items and p < cached[1](2.0)
assert cached[2](a=1).b == "b"
print(compiled)
'''


def _run(cache: Path) -> int:
    out = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True,
                         timeout=60, env=dict(os.environ, XDG_CACHE_HOME=str(cache)))
    assert out.returncode == 0 and out.stderr == "", out.stderr
    return int(out.stdout)


def test_the_kept_code_makes_the_same_classes_and_is_compiled_once(tmp_path):
    assert _run(tmp_path) > 0  # the first start compiles...
    (kept,) = (tmp_path / "mpgui").iterdir()
    assert _run(tmp_path) == 0  # ... the next compiles nothing
    for bad in (b"", b"not marshal", b"\xff" * 100, b"N"):  # (N: marshal's None)
        kept.write_bytes(bad)
        assert _run(tmp_path) > 0  # ignored, compiled as usual, and written again
        assert _run(tmp_path) == 0


def test_a_cache_folder_that_cannot_be_written_costs_nothing_but_time(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder would be")
    assert _run(blocked) > 0
    assert _run(blocked) > 0  # (nothing kept, nothing said)


def test_a_traced_scripts_dataclasses_are_its_own(tmp_path):
    script = tmp_path / "mine.py"
    script.write_text("import dataclasses\nprint('exec' in vars(dataclasses))\n")
    out = subprocess.run([*MPGUI, "trace", "--quiet", str(script)], capture_output=True,
                         text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 0 and out.stdout == "False\n", out.stderr
