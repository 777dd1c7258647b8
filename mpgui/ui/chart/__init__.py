"""The swim-lane chart: processes, cores and joins over time."""
