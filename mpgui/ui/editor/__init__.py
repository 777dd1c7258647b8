"""Editing a scenario: the open document and its undo, files, the process table,
the main-program editor, the code view, and unsaved edits kept safe."""
