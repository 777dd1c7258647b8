"""What mpgui's import hooks share: finding a module's spec as Python would without
them. Standard library only — the `mpgui` command imports it before Qt, and a traced
script's agent imports it in every process of the script."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # (typing's costs an import in every traced process)
if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec


def spec_elsewhere(hook: object, name: str, path: object = None,
                   target: object = None) -> ModuleSpec | None:
    """The spec of module `name` from the finders of ``sys.meta_path`` other than
    `hook` (None if none finds it): what a hook that changes how a module loads starts
    from."""
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        if finder is hook or find is None:
            continue
        spec = find(name, path, target)
        if spec is not None:
            return spec
    return None
