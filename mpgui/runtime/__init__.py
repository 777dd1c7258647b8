"""The runtime: real child processes, their event protocol, the Runner and the trace
store. No Qt, here or in any child. Its packages, each built on the ones below it:

* ``headless`` — ``mpgui run`` and ``mpgui trace`` without a window;
* ``script/`` — tracing a user's own script (supervisor, runner, the agent inside it);
* ``parent/`` — the Runner, the backends that start the rows, the watch on their pipes;
* ``session/`` — what a run is (the Run protocol, the record, replay, the prediction);
* ``output/`` — run files, exports, the summary in numbers;
* ``store/`` — the trace store and the registry of event kinds;
* ``child/`` — what runs inside a child process;
* ``protocol``, ``cpu``, ``interpreter`` — shared by both sides of the Pipe.

The layers are import-linter contracts (pyproject.toml). Submodules are imported
explicitly; every child imports ``mpgui.runtime.child.entry`` and must not pay for the
Runner or the trace store.
"""
