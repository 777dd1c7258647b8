"""The Help menu: the User Guide, the keyboard shortcuts, About."""
