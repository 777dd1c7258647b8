"""A run in the window: starting and stopping it, what the chart and console show,
the session's runs, replay, compare, exports of the picture, a traced script."""
