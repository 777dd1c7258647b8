"""The parent side of a scenario's run: the Runner, the backends that start its
rows, the watch over their pipes, the CPU counters, and the prediction."""
