"""mpgui: see Python multiprocessing — real processes, cores, start() and join().

Kept deliberately empty of imports: every child process imports this package, and
whatever it pulls in is paid again at each start.
"""

__version__ = "0.1.0"
