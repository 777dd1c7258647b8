"""Loaded by every Python process of a script that mpgui traces: mpgui puts this folder
first on PYTHONPATH, and ``site`` imports ``sitecustomize`` at start-up. It installs the
agent (``mpgui.runtime.script.agent``), then runs the ``sitecustomize`` this one hides, if any.

Nothing here may fail the script: without the agent, it simply runs untraced.
"""

import contextlib
import os
import sys


def _install() -> None:
    if not os.environ.get("MPGUI_TRACE_ADDRESS"):
        return
    try:
        from mpgui.runtime.script import agent
    except ImportError:  # mpgui is not where this interpreter looks: say where it is
        sys.path.append(os.environ.get("MPGUI_TRACE_PATH", ""))
        try:
            from mpgui.runtime.script import agent
        except ImportError:
            return
    agent.install()


def _chain() -> None:
    """Run the next sitecustomize on the path (Debian's, a venv's), as site would have."""
    import importlib.machinery
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    path = [p for p in sys.path if os.path.abspath(p or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", path)
    if spec is not None and spec.loader is not None:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)


_install()
with contextlib.suppress(Exception):  # as site does: a broken one does not stop Python
    _chain()
