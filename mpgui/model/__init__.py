"""The scenario model: pure data, validation, files and code generation. No Qt.

Submodules are imported explicitly (``from mpgui.model.scenario import Scenario``):
child processes import parts of this package and must not pay for the rest.
"""
