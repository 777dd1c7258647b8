"""mpgui's benchmarks: ``python -m benchmarks``. Not part of the test suite.

Every figure is measured against its baseline in the same run (machines here are
noisy), printed as a ratio with its target and a pass/miss mark.
"""
