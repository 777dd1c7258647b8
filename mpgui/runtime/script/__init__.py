"""Tracing a user's own script: the supervisor and the runner in mpgui, the agent
inside every process of the script (this file imports nothing: the agent loads fast)."""
