"""``python -m mpgui``: the same as the ``mpgui`` command."""

import multiprocessing

multiprocessing.freeze_support()  # first, before Qt: see packaging/mpgui_app.py

import sys  # noqa: E402

from mpgui.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
