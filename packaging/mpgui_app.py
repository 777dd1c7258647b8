"""The frozen app's entry point (the script PyInstaller freezes).

In a frozen app every child process is this same executable: freeze_support() must run
before anything else — above all before Qt is imported — so that a child runs its
multiprocessing work (a spawned worker, the resource tracker, the forkserver) and exits,
instead of opening another main window.

A process of a script that this app traces (``mpgui trace``, File > Open Python
Script…; the app runs the script with itself, having no python of its own) gets the
tracing agent first, as ``sitecustomize`` installs it elsewhere: a spawned child never
returns from freeze_support().
"""

import os

if os.environ.get("MPGUI_TRACE_ADDRESS"):
    from mpgui.runtime.script import agent

    agent.install()

import multiprocessing

multiprocessing.freeze_support()

import sys  # noqa: E402

from mpgui.cli import main  # noqa: E402

sys.exit(main())
