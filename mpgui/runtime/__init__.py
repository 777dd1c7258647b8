"""The runtime: real child processes, their event protocol, the Runner and the trace
store. No Qt, here or in any child.

Submodules are imported explicitly; every child imports ``mpgui.runtime.child`` and must
not pay for the Runner or the trace store.
"""
