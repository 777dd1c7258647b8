"""The swim-lane chart: processes, cores and joins over time."""

# The painters of the built-in event kinds register themselves (see mark_painters).
from mpgui.ui.chart import join_marks, retry_marks, shared_marks  # noqa: F401
