"""Write mpgui's man page, mpgui(1), from the command line's own argument parsers.

    python packaging/manpage.py OUT.1

Generated at build time from `mpgui.cli._parsers()` — the parsers `mpgui --help` prints —
so the page cannot drift from the program. (argparse-manpage expects one parser with
subparsers; mpgui picks the parser by its first word, so a few lines of roff here do.)
The .deb installs it, gzipped, as /usr/share/man/man1/mpgui.1.gz.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = {"gui": "the window", "run": "mpgui run", "trace": "mpgui trace",
            "code": "mpgui code", "list": "mpgui list"}


def roff(text: str) -> str:
    """`text` safe in roff: backslashes and hyphens escaped, no line read as a request."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join("\\&" + line if line.startswith((".", "'")) else line
                     for line in text.splitlines())


def _usage(parser: argparse.ArgumentParser) -> str:
    return " ".join(parser.format_usage().split())[len("usage: "):]


def _options(parser: argparse.ArgumentParser) -> list[str]:
    out = []
    formatter = parser._get_formatter()
    for action in parser._actions:
        if action.help == argparse.SUPPRESS:
            continue
        if action.option_strings:
            name = ", ".join(action.option_strings)
            if action.nargs != 0:
                name += " " + formatter._format_args(action, action.dest.upper())
        else:
            name = formatter._metavar_formatter(action, action.dest)(1)[0]
        out += [".TP", f"\\fB{roff(name)}\\fR",
                roff(formatter._expand_help(action) if action.help else "")]
    return out


def manpage(version: str, parsers: dict[str, argparse.ArgumentParser]) -> str:
    """The whole page, in roff."""
    gui = parsers["gui"]
    lines = [f'.TH MPGUI 1 "" "mpgui {version}" "User Commands"',
             ".SH NAME", "mpgui \\- " + roff(gui.description or ""),
             ".SH SYNOPSIS"]
    for name in SECTIONS:
        lines += [".PP", f"\\fB{roff(_usage(parsers[name]))}\\fR"]
    lines += [".SH DESCRIPTION",
              "Without a command, mpgui opens its window: on a built\\-in scenario, a "
              "scenario file, a run file (.mpgrun) or a Python script (asked first: a "
              "script is code). The commands run without a window; bad input ends with "
              "one line \\fBmpgui: error: ...\\fR and exit status 2."]
    for name, title in SECTIONS.items():
        parser = parsers[name]
        lines += [f".SH {roff(title.upper())}", roff(parser.description or "")]
        lines += _options(parser)
        if parser.epilog and name != "gui":
            lines += [".PP", roff(parser.epilog)]
    lines += [".SH FILES", ".TP", "\\fI*.toml\\fR, \\fI*.mpg.toml\\fR",
              "Scenario files (TOML, first line \\fB# mpgui scenario\\fR).",
              ".TP", "\\fI*.mpgrun\\fR", "Run files: a recorded run, gzip\\-compressed JSON.",
              ".SH EXIT STATUS", "0 on success, 1 when a run or the self\\-test failed, "
              "2 for bad input. \\fBmpgui trace\\fR exits with the script's own status.",
              ".SH SEE ALSO", "\\fBpython3\\fR(1). The user's guide: Help \\(-> User Guide "
              "(F1) in the window, or README.md."]
    return "\n".join(lines) + "\n"


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.path.insert(0, str(ROOT))
    from mpgui import __version__
    from mpgui.cli import _parsers

    Path(sys.argv[1]).write_text(manpage(__version__, _parsers()), encoding="utf-8")


if __name__ == "__main__":
    main()
