"""What a file given to ``mpgui FILE`` (or dropped, or opened by the desktop) is: a
scenario, a run file or a Python script — by its name first, then by its first bytes.

The desktop hands mpgui whatever the user double-clicked or chose under "Open With";
reading a script or a run file as TOML would only say "not valid TOML". The checks match
the shared-mime-info types in resources/mpgui-mime.xml:

* ``.mpgrun`` — a run file; without that suffix, gzip's magic bytes (a run file is
  gzip-compressed JSON);
* ``.py``/``.pyw`` — a Python script; without them, a ``#!`` line naming python;
* ``.mpgpack`` — a lesson pack (by its name only: its content is a zip like others);
* everything else — a scenario (``.toml``; a scenario file's first line is
  ``# mpgui scenario``, which the desktop uses to tell it from other TOML).
"""

from __future__ import annotations

import os
from pathlib import Path

SCENARIO, RUN, SCRIPT, PACK = "scenario", "run", "script", "pack"
RUN_SUFFIX = ".mpgrun"
PACK_SUFFIX = ".mpgpack"
SCRIPT_SUFFIXES = (".py", ".pyw")
GZIP_MAGIC = b"\x1f\x8b"
SCENARIO_MAGIC = b"# mpgui scenario"  # the first line every saved scenario starts with
_SNIFF = 256  # bytes read to decide


def file_kind(path: str | os.PathLike[str]) -> str:
    """SCENARIO, RUN or SCRIPT for `path`. Only a regular file is sniffed (a FIFO would
    block); anything unreadable counts as a scenario, whose loader names the problem."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == RUN_SUFFIX:
        return RUN
    if suffix in SCRIPT_SUFFIXES:
        return SCRIPT
    if suffix == PACK_SUFFIX:
        return PACK
    if suffix == ".toml":
        return SCENARIO
    head = _head(p)
    if head.startswith(GZIP_MAGIC):
        return RUN
    first = head.split(b"\n", 1)[0]
    if first.startswith(b"#!") and b"python" in first:
        return SCRIPT
    return SCENARIO


def _head(path: Path) -> bytes:
    from mpgui.model.userfile import open_regular

    try:
        with open_regular(path, "a file") as f:
            return f.read(_SNIFF)
    except (OSError, ValueError):
        return b""
