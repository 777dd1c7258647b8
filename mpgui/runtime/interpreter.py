"""Facts about the Python interpreter that runs the rows — today, whether it has a GIL.

Small and neutral on purpose: the threads host (a child), the prediction and the
chart's legend all ask, and none of them should import the others for it.
"""

from __future__ import annotations

import sys


def gil_enabled() -> bool | None:
    """Whether this interpreter has a GIL: False on a free-threaded build running
    without it, None if it cannot tell."""
    probe = getattr(sys, "_is_gil_enabled", None)  # Python 3.13+
    if probe is not None:
        try:
            return bool(probe())
        except Exception:  # an unknown answer, not an error
            return None
    import sysconfig  # only here: it takes a few ms to import

    return not sysconfig.get_config_var("Py_GIL_DISABLED")
