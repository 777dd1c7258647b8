"""What a run is, whatever ran it: the `Run` protocol and its status, the record of a
finished run as the session keeps it, its replay, and the prediction (the run that
would happen if start() took no time). The parent side and script tracing build on it."""
