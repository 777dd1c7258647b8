"""``python -m mpgui``: the same as the ``mpgui`` command."""

import sys

from mpgui.cli import main

if __name__ == "__main__":
    sys.exit(main())
