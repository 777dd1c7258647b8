"""The frozen app's entry point (the script PyInstaller freezes).

In a frozen app every child process is this same executable: freeze_support() must run
before anything else — above all before Qt is imported — so that a child runs its
multiprocessing work (a spawned worker, the resource tracker, the forkserver) and exits,
instead of opening another main window.
"""

import multiprocessing

multiprocessing.freeze_support()

import sys  # noqa: E402

from mpgui.cli import main  # noqa: E402

sys.exit(main())
